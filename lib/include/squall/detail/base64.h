// Standard base64 with padding (RFC 4648 section 4), over OpenSSL's EVP block coder: the
// HTTP client's Basic credentials and the web layer's signed values both use it. Internal,
// not part of the API; stands in for Python's base64.b64encode / b64decode.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace squall::detail {

std::string base64_encode(std::string_view bytes);
/// Strict: padded, the standard alphabet only, nothing else; nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace squall::detail
