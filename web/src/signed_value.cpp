// Signed values, versions 1 and 2. Internal. Models tornado/web.py (4.0) create_signed_value,
// decode_signed_value, _decode_signed_value_v1/_v2 and _get_version.
#include "squall/signed_value.h"

#include <charconv>
#include <stdexcept>

#include "crypto.h"
#include "squall/detail/base64.h"
#include "squall/log.h"

namespace squall {
namespace {

std::time_t now_or(std::optional<std::time_t> clock) { return clock ? *clock : std::time(nullptr); }

std::optional<long long> parse_decimal(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
    return v;
}

std::string format_field(std::string_view s) { return std::to_string(s.size()) + ":" + std::string(s); }

/// Takes `<len>:<data>|` off the front of `rest`.
std::optional<std::string_view> consume_field(std::string_view& rest) {
    std::size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto n = parse_decimal(rest.substr(0, colon));
    if (!n) return std::nullopt;
    rest.remove_prefix(colon + 1);
    if (static_cast<unsigned long long>(*n) >= rest.size() || rest[static_cast<std::size_t>(*n)] != '|') return std::nullopt;
    std::string_view field = rest.substr(0, static_cast<std::size_t>(*n));
    rest.remove_prefix(static_cast<std::size_t>(*n) + 1);
    return field;
}

std::string signature_v1(std::string_view secret, std::string_view name, std::string_view value,
                         std::string_view timestamp) {
    std::string data;
    data.append(name).append(value).append(timestamp);
    return detail::hmac_hex(detail::Digest::sha1, secret, data);
}

std::optional<std::string> decode_v1(std::string_view secret, std::string_view name, std::string_view value,
                                     double max_age_days, std::time_t now) {
    std::size_t a = value.find('|');
    if (a == std::string_view::npos) return std::nullopt;
    std::size_t b = value.find('|', a + 1);
    if (b == std::string_view::npos || value.find('|', b + 1) != std::string_view::npos) return std::nullopt;
    std::string_view b64 = value.substr(0, a), timestamp = value.substr(a + 1, b - a - 1), sig = value.substr(b + 1);
    if (!detail::constant_time_equals(sig, signature_v1(secret, name, b64, timestamp))) {
        gen_log().logf(LogLevel::warning, "Invalid cookie signature %.*s", static_cast<int>(value.size()), value.data());
        return std::nullopt;
    }
    auto ts = parse_decimal(timestamp);
    if (!ts) return std::nullopt;
    if (static_cast<double>(*ts) < static_cast<double>(now) - max_age_days * 86400) {
        gen_log().logf(LogLevel::warning, "Expired cookie %.*s", static_cast<int>(value.size()), value.data());
        return std::nullopt;
    }
    if (*ts > now + 31 * 86400) {
        // A long-lived cookie signed in the future could be a forgery that outlives its key.
        gen_log().logf(LogLevel::warning, "Cookie timestamp in future; possible tampering %.*s",
                       static_cast<int>(value.size()), value.data());
        return std::nullopt;
    }
    if (timestamp.front() == '0') {
        gen_log().logf(LogLevel::warning, "Tampered cookie %.*s", static_cast<int>(value.size()), value.data());
        return std::nullopt;
    }
    return detail::base64_decode(b64);
}

std::optional<std::string> decode_v2(std::string_view secret, std::string_view name, std::string_view value,
                                     double max_age_days, std::time_t now) {
    std::string_view rest = value.substr(2);  // "2|"
    auto key_version = consume_field(rest);
    auto timestamp = key_version ? consume_field(rest) : std::nullopt;
    auto name_field = timestamp ? consume_field(rest) : std::nullopt;
    auto b64 = name_field ? consume_field(rest) : std::nullopt;
    if (!b64) return std::nullopt;
    std::string_view signed_part = value.substr(0, value.size() - rest.size());
    if (!detail::constant_time_equals(rest, detail::hmac_hex(detail::Digest::sha256, secret, signed_part)))
        return std::nullopt;
    if (*name_field != name) return std::nullopt;
    auto ts = parse_decimal(*timestamp);
    if (!ts || static_cast<double>(*ts) < static_cast<double>(now) - max_age_days * 86400) return std::nullopt;
    return detail::base64_decode(*b64);
}

}  // namespace

int signed_value_version(std::string_view v) {
    // Tornado's ^([1-9][0-9]*)\|: a version of more than three digits is part of a v1 value.
    std::size_t bar = v.find('|');
    if (bar == std::string_view::npos || bar == 0 || bar > 3 || v.front() == '0') return 1;
    for (std::size_t i = 0; i < bar; ++i)
        if (v[i] < '0' || v[i] > '9') return 1;
    return static_cast<int>(*parse_decimal(v.substr(0, bar)));
}

std::string create_signed_value(std::string_view secret, std::string_view name, std::string_view value, int version,
                                std::optional<std::time_t> clock) {
    if (secret.empty()) throw std::invalid_argument("create_signed_value needs a secret (cookie_secret)");
    std::string timestamp = std::to_string(now_or(clock));
    std::string b64 = detail::base64_encode(value);
    if (version == 1) return b64 + "|" + timestamp + "|" + signature_v1(secret, name, b64, timestamp);
    if (version != 2) throw std::invalid_argument("unsupported signed value version " + std::to_string(version));
    std::string out = "2|1:0|" + format_field(timestamp) + "|" + format_field(name) + "|" + format_field(b64) + "|";
    out += detail::hmac_hex(detail::Digest::sha256, secret, out);
    return out;
}

std::optional<std::string> decode_signed_value(std::string_view secret, std::string_view name,
                                               std::string_view signed_value, double max_age_days,
                                               std::optional<std::time_t> clock, int min_version) {
    if (signed_value.empty() || secret.empty()) return std::nullopt;
    int version = signed_value_version(signed_value);
    if (version < min_version) return std::nullopt;
    std::time_t now = now_or(clock);
    if (version == 1) return decode_v1(secret, name, signed_value, max_age_days, now);
    if (version == 2) return decode_v2(secret, name, signed_value, max_age_days, now);
    return std::nullopt;
}

}  // namespace squall
