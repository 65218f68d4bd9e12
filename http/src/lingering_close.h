// Closing a connection after an error answer without destroying the answer: nginx's lingering
// close. Internal to the http library.
#pragma once

#include <chrono>
#include <memory>

#include "squall/concurrent.h"
#include "squall/iostream.h"

namespace squall::detail {

/// How long a connection may linger after its answer.
inline constexpr std::chrono::seconds linger_time{2};

/// The answer is written or queued; the peer may still be sending (a body past max_body_size,
/// one a handler refused before reading it, pipelined requests). Closing with unread bytes
/// makes the kernel reset the connection, which can discard the answer before the peer reads
/// it. So what is queued is flushed first, then the write side is shut (the peer sees the end
/// at once), and what still arrives is read and dropped until the peer closes or 1 MiB has
/// come; then the stream is closed. All of it within 2 seconds. TLS streams close once flushed.
Future<void> lingering_close(std::shared_ptr<IOStream> stream);

}  // namespace squall::detail
