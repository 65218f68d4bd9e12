// OpenSSL's thread-local error queue as text. Internal to the core's TLS code.
#pragma once

#include <string>

namespace squall::detail {

/// Drains OpenSSL's error queue into "reason; reason" (empty when it is empty).
std::string openssl_errors();

}  // namespace squall::detail
