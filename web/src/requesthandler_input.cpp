// RequestHandler's input: arguments (query, body, both), cookies in and out, signed cookies,
// current_user, static_url and reverse_url. Internal. Models tornado/web.py (4.0)
// get_argument(s) / _get_arguments, get_cookie, set_cookie (Python's Morsel output),
// clear_cookie, set_secure_cookie / get_secure_cookie and static_url.
#include <cctype>
#include <cstdio>

#include "squall/application.h"
#include "squall/requesthandler.h"
#include "squall/signed_value.h"
#include "squall/detail/utf8.h"

namespace squall {
namespace {

constexpr std::string_view whitespace = " \t\n\v\f\r";

std::string clean_argument(std::string_view name, std::string_view raw, bool strip) {
    if (!detail::is_valid_utf8(raw)) throw HTTPError(400, "Invalid unicode in " + std::string(name));
    std::string v(raw);
    // Controls other than whitespace could confuse whatever the value is passed on to.
    for (char& c : v)
        if ((c >= 0 && c <= 0x08) || (c >= 0x0e && c <= 0x1f)) c = ' ';
    if (strip) {
        std::size_t b = v.find_first_not_of(whitespace);
        if (b == std::string::npos) return {};
        v = v.substr(b, v.find_last_not_of(whitespace) - b + 1);
    }
    return v;
}

/// Python's http.cookies _quote: plain when every character is legal, else quoted with
/// backslash and octal escapes.
std::string quote_cookie_value(std::string_view v) {
    auto legal = [](unsigned char c) {
        return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~:").find(static_cast<char>(c)) != std::string_view::npos;
    };
    bool plain = true;
    for (unsigned char c : v) plain = plain && legal(c);
    if (plain) return std::string(v);
    std::string out = "\"";
    for (unsigned char c : v) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (legal(c) || std::string_view(" ()/<=>?@[]{}").find(static_cast<char>(c)) != std::string_view::npos) {
            out += static_cast<char>(c);
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03o", c);
            out += buf;
        }
    }
    return out + "\"";
}

}  // namespace

std::vector<std::string> RequestHandler::arguments_from(const ArgumentMap& source, std::string_view name,
                                                        bool strip) const {
    std::vector<std::string> out;
    auto it = source.find(std::string(name));
    if (it == source.end()) return out;
    for (const auto& v : it->second) out.push_back(clean_argument(name, v, strip));
    return out;
}

std::vector<std::string> RequestHandler::get_arguments(std::string_view name, bool strip) const {
    return arguments_from(request_->arguments, name, strip);
}
std::vector<std::string> RequestHandler::get_query_arguments(std::string_view name, bool strip) const {
    return arguments_from(request_->query_arguments, name, strip);
}
std::vector<std::string> RequestHandler::get_body_arguments(std::string_view name, bool strip) const {
    return arguments_from(request_->body_arguments, name, strip);
}

std::optional<std::string> RequestHandler::get_optional_argument(std::string_view name, bool strip) const {
    auto all = get_arguments(name, strip);
    if (all.empty()) return std::nullopt;
    return std::move(all.back());
}
std::optional<std::string> RequestHandler::get_optional_query_argument(std::string_view name, bool strip) const {
    auto all = get_query_arguments(name, strip);
    if (all.empty()) return std::nullopt;
    return std::move(all.back());
}
std::optional<std::string> RequestHandler::get_optional_body_argument(std::string_view name, bool strip) const {
    auto all = get_body_arguments(name, strip);
    if (all.empty()) return std::nullopt;
    return std::move(all.back());
}

std::string RequestHandler::get_argument(std::string_view name, bool strip) const {
    auto v = get_optional_argument(name, strip);
    if (!v) throw MissingArgumentError(std::string(name));
    return std::move(*v);
}
std::string RequestHandler::get_argument(std::string_view name, std::string_view default_value, bool strip) const {
    auto v = get_optional_argument(name, strip);
    return v ? std::move(*v) : std::string(default_value);
}
std::string RequestHandler::get_query_argument(std::string_view name, bool strip) const {
    auto v = get_optional_query_argument(name, strip);
    if (!v) throw MissingArgumentError(std::string(name));
    return std::move(*v);
}
std::string RequestHandler::get_body_argument(std::string_view name, bool strip) const {
    auto v = get_optional_body_argument(name, strip);
    if (!v) throw MissingArgumentError(std::string(name));
    return std::move(*v);
}

std::optional<std::string> RequestHandler::get_cookie(std::string_view name) const {
    const auto& c = cookies();
    auto it = c.find(std::string(name));
    if (it == c.end()) return std::nullopt;
    return it->second;
}

void RequestHandler::add_cookie_header(std::string_view name, std::string value) {
    for (auto& [n, v] : new_cookies_) {
        if (n == name) {  // setting a cookie again replaces it, attributes and all
            v = std::move(value);
            return;
        }
    }
    new_cookies_.emplace_back(std::string(name), std::move(value));
}

void RequestHandler::set_cookie(std::string_view name, std::string_view value, CookieOptions o) {
    check_not_handed_over("set_cookie");
    for (unsigned char c : std::string(name) + std::string(value))
        if (c <= 0x20 || c == 0x7f) throw std::invalid_argument("Invalid cookie " + std::string(name) + ": " + std::string(value));
    if (!is_token(name)) throw std::invalid_argument("Invalid cookie name " + std::string(name));
    // Attributes in Python's Morsel order (sorted by key), which Tornado's output follows.
    std::string out = std::string(name) + "=" + quote_cookie_value(value);
    if (!o.domain.empty()) out += "; Domain=" + o.domain;
    if (!o.expires && o.expires_days)
        o.expires = std::chrono::system_clock::now() +
                    std::chrono::duration_cast<std::chrono::system_clock::duration>(
                        std::chrono::duration<double>(*o.expires_days * 86400.0));
    if (o.expires) out += "; expires=" + format_timestamp(*o.expires);
    if (o.httponly) out += "; HttpOnly";
    if (o.max_age) out += "; Max-Age=" + std::to_string(*o.max_age);
    if (!o.path.empty()) out += "; Path=" + o.path;
    if (!o.samesite.empty()) out += "; SameSite=" + o.samesite;
    if (o.secure) out += "; Secure";
    for (unsigned char c : out)
        if (c < 0x20 || c == 0x7f) throw std::invalid_argument("Invalid cookie attribute");
    add_cookie_header(name, std::move(out));
}

void RequestHandler::clear_cookie(std::string_view name, std::string_view path, std::string_view domain) {
    CookieOptions o;
    o.path = std::string(path);
    o.domain = std::string(domain);
    o.expires = std::chrono::system_clock::now() - std::chrono::hours(24 * 365);
    set_cookie(name, "", std::move(o));
}

void RequestHandler::clear_all_cookies(std::string_view path, std::string_view domain) {
    for (const auto& [name, value] : cookies()) clear_cookie(name, path, domain);
}

std::string RequestHandler::create_signed_value(std::string_view name, std::string_view value, int version) const {
    if (settings().cookie_secret.empty())
        throw std::logic_error("set the cookie_secret setting to use signed cookies");
    return squall::create_signed_value(settings().cookie_secret, name, value, version);
}

void RequestHandler::set_secure_cookie(std::string_view name, std::string_view value, double expires_days,
                                       CookieOptions options, int version) {
    if (!options.expires && !options.expires_days) options.expires_days = expires_days;
    set_cookie(name, create_signed_value(name, value, version), std::move(options));
}

std::optional<std::string> RequestHandler::get_secure_cookie(std::string_view name, std::optional<std::string_view> value,
                                                             double max_age_days, int min_version) const {
    if (settings().cookie_secret.empty())
        throw std::logic_error("set the cookie_secret setting to use signed cookies");
    std::optional<std::string> cookie;
    if (!value) {
        cookie = get_cookie(name);
        if (!cookie) return std::nullopt;
        value = *cookie;
    }
    return decode_signed_value(settings().cookie_secret, name, *value, max_age_days, std::nullopt, min_version);
}

const std::optional<std::string>& RequestHandler::current_user() {
    if (!current_user_) current_user_ = get_current_user();
    return *current_user_;
}

void RequestHandler::authenticated() {
    if (current_user()) return;
    const std::string& m = request_->method;
    if (m != "GET" && m != "HEAD") throw HTTPError(403);
    const std::string& login = settings().login_url;
    if (login.empty()) throw std::logic_error("set the login_url setting to use authenticated()");
    // An absolute login URL is another site: it needs the full URL to come back to.
    std::string next = login.find("://") != std::string::npos ? request_->full_url() : request_->uri;
    redirect(url_concat(login, {{"next", next}}));
    throw Finish();
}

std::string RequestHandler::static_url(std::string_view path, bool include_host, bool include_version) {
    const auto& s = settings();
    if (s.static_path.empty()) throw std::logic_error("set the static_path setting to use static_url");
    std::string url = s.static_url_prefix + std::string(path);
    if (include_version) {
        if (auto version = application_->static_content_version(s.static_path + "/" + std::string(path)))
            url += "?v=" + *version;
    }
    if (include_host) url = request_->protocol + "://" + request_->host + url;
    return url;
}

std::string RequestHandler::reverse_url(std::string_view name, const std::vector<std::string>& args) const {
    return application_->reverse_url(name, args);
}

}  // namespace squall
