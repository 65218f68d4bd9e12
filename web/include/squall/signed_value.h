// Signed values for secure cookies: Tornado's version 2 format (HMAC-SHA256, length-prefixed
// fields) and reading version 1 (HMAC-SHA1). Public header. Models tornado/web.py (4.0)
// create_signed_value / decode_signed_value.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace squall {

/// `2|1:0|<len>:<timestamp>|<len>:<name>|<len>:<base64 value>|<hex HMAC-SHA256>` (version 2) or
/// `<base64 value>|<timestamp>|<hex HMAC-SHA1>` (version 1). `clock` replaces the current time.
/// Throws std::invalid_argument for an empty secret or a version other than 1 or 2.
std::string create_signed_value(std::string_view secret, std::string_view name, std::string_view value,
                                int version = 2, std::optional<std::time_t> clock = std::nullopt);

/// The value if `signed_value` was signed with `secret` for `name`, is no older than
/// `max_age_days` and has a version of at least `min_version`; nullopt otherwise (tampered,
/// expired, malformed, another name). Signatures are compared in constant time.
std::optional<std::string> decode_signed_value(std::string_view secret, std::string_view name,
                                               std::string_view signed_value, double max_age_days = 31,
                                               std::optional<std::time_t> clock = std::nullopt, int min_version = 1);

/// The version a signed value claims (1 when it has no version prefix).
int signed_value_version(std::string_view signed_value);

}  // namespace squall
