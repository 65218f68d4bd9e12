// Closing a connection after an error answer without destroying the answer: nginx's lingering
// close. Internal to the http library.
#pragma once

#include <memory>

#include "squall/concurrent.h"
#include "squall/iostream.h"

namespace squall::detail {

/// The answer is written; the peer may still be sending (a body past max_body_size, pipelined
/// requests). Closing with unread bytes makes the kernel reset the connection, which can
/// discard the answer before the peer reads it. So the write side is shut (the peer sees the
/// end at once), and what still arrives is read and dropped until the peer closes, 1 MiB has
/// come or 2 seconds have passed; then the stream is closed. TLS streams close at once.
Future<void> lingering_close(std::shared_ptr<IOStream> stream);

}  // namespace squall::detail
