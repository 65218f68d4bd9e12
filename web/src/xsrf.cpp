// XSRF protection: the raw token kept in the `_xsrf` cookie, the masked token pages embed, and
// the check on unsafe methods. Internal. Models tornado/web.py (4.0) xsrf_token,
// _get_raw_xsrf_token, _decode_xsrf_token, check_xsrf_cookie and xsrf_form_html.
#include <ctime>

#include "crypto.h"
#include "squall/application.h"
#include "squall/log.h"
#include "squall/requesthandler.h"

namespace squall {
namespace {

struct Decoded {
    std::optional<int> version;
    std::string token;
    std::int64_t timestamp = 0;
};

std::string xor_mask(std::string_view data, std::string_view mask) {
    std::string out(data);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(out[i] ^ mask[i % mask.size()]);
    return out;
}

/// A cookie or submitted token: version 2 is unmasked; an unversioned one is hex, or taken as
/// it is when it is not hex (so any string works when cookie and field agree).
std::optional<Decoded> decode_xsrf_token(std::string_view v) {
    std::size_t bar = v.find('|');
    bool versioned = bar != std::string_view::npos && bar > 0 && v.front() != '0' &&
                     v.substr(0, bar).find_first_not_of("0123456789") == std::string_view::npos;
    if (versioned) {
        if (v.substr(0, bar) != "2") return std::nullopt;
        // 2|mask|masked|timestamp
        std::vector<std::string_view> parts;
        std::size_t start = 0;
        while (true) {
            std::size_t bar = v.find('|', start);
            parts.push_back(v.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
            if (bar == std::string_view::npos) break;
            start = bar + 1;
        }
        if (parts.size() != 4) return std::nullopt;
        auto mask = detail::hex_decode(parts[1]);
        auto masked = detail::hex_decode(parts[2]);
        if (!mask || mask->empty() || !masked) return std::nullopt;
        Decoded d;
        d.version = 2;
        d.token = xor_mask(*masked, *mask);
        try {
            d.timestamp = std::stoll(std::string(parts[3]));
        } catch (const std::exception&) {
            return std::nullopt;
        }
        return d;
    }
    Decoded d;
    d.version = 1;
    auto hex = detail::hex_decode(v);
    d.token = hex ? *hex : std::string(v);
    d.timestamp = std::time(nullptr);
    return d;
}

}  // namespace

RequestHandler::XSRFState& RequestHandler::raw_xsrf_token() {
    if (!xsrf_) {
        XSRFState s;
        std::optional<Decoded> d;
        if (auto cookie = get_cookie("_xsrf")) d = decode_xsrf_token(*cookie);
        if (d && !d->token.empty()) {
            s.token = std::move(d->token);
            s.version = d->version;
            s.timestamp = d->timestamp;
        } else {
            s.token = detail::random_bytes(16);
            s.timestamp = std::time(nullptr);
        }
        xsrf_ = std::move(s);
    }
    return *xsrf_;
}

const std::string& RequestHandler::xsrf_token() {
    XSRFState& s = raw_xsrf_token();
    if (!s.output) {
        if (settings().xsrf_cookie_version == 1) {
            s.output = detail::hex_encode(s.token);
        } else if (settings().xsrf_cookie_version == 2) {
            // A fresh mask per page: the token never repeats in responses (BREACH).
            std::string mask = detail::random_bytes(4);
            s.output = "2|" + detail::hex_encode(mask) + "|" + detail::hex_encode(xor_mask(s.token, mask)) + "|" +
                       std::to_string(s.timestamp);
        } else {
            throw std::invalid_argument("unknown xsrf_cookie_version");
        }
        if (!s.version) {
            CookieOptions o;
            if (current_user()) o.expires_days = 30;
            set_cookie("_xsrf", *s.output, o);
        }
    }
    return *s.output;
}

std::string RequestHandler::xsrf_form_html() {
    std::string escaped;
    for (char c : xsrf_token()) {
        if (c == '"') escaped += "&quot;";
        else if (c == '&') escaped += "&amp;";
        else if (c == '<') escaped += "&lt;";
        else if (c == '>') escaped += "&gt;";
        else escaped += c;
    }
    return "<input type=\"hidden\" name=\"_xsrf\" value=\"" + escaped + "\"/>";
}

void RequestHandler::check_xsrf_cookie() {
    std::optional<std::string> submitted = get_optional_argument("_xsrf");
    if (!submitted || submitted->empty()) {
        if (auto h = request_->headers.find("X-Xsrftoken")) submitted = std::string(*h);
        else if (auto c = request_->headers.find("X-Csrftoken")) submitted = std::string(*c);
    }
    if (!submitted || submitted->empty()) throw HTTPError(403, "'_xsrf' argument missing from POST");
    auto decoded = decode_xsrf_token(*submitted);
    const std::string& expected = raw_xsrf_token().token;
    if (!decoded || decoded->token.empty()) throw HTTPError(403, "'_xsrf' argument has invalid format");
    if (!detail::constant_time_equals(decoded->token, expected))
        throw HTTPError(403, "XSRF cookie does not match POST argument");
}

}  // namespace squall
