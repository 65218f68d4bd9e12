// A message delegate that gunzips a body sent with Content-Encoding: gzip before passing it
// on. Internal to the http library. Models tornado/http1connection.py (4.0)
// _GzipMessageDelegate, with 6.x's limit on the decompressed size.
#pragma once

#include <cstdint>
#include <memory>

#include "squall/http1connection.h"

namespace squall::detail {

/// Wraps `inner` (which must outlive the wrapper). Bodies without gzip pass through untouched.
/// Output is handed on in pieces of at most `chunk_size`; more than `max_body_size` bytes of
/// output, or a corrupt stream, fail data_received with HTTPInputError (413 or 400).
std::unique_ptr<HTTPMessageDelegate> make_gzip_delegate(HTTPMessageDelegate& inner, std::size_t chunk_size,
                                                        std::uint64_t max_body_size);

}  // namespace squall::detail
