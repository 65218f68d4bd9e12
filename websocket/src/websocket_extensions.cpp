// The Sec-WebSocket-Extensions grammar of RFC 6455 section 9.1: a comma-separated list of
// extensions, each a token with `;`-separated parameters whose values are tokens or quoted
// strings. Part of squall-websocket; models tornado/httputil.py's _parse_header as the
// WebSocket handshake uses it.
#include <cstddef>

#include "squall/http_headers.h"
#include "squall/websocket_deflate.h"

namespace squall {
namespace {

constexpr std::size_t kMaxExtensions = 32;
constexpr std::size_t kMaxParams = 16;

class Cursor {
public:
    explicit Cursor(std::string_view s) : s_(s) {}

    bool done() const noexcept { return i_ == s_.size(); }
    char peek() const noexcept { return s_[i_]; }
    void skip_spaces() noexcept {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    bool take(char c) noexcept {
        skip_spaces();
        if (done() || s_[i_] != c) return false;
        ++i_;
        return true;
    }
    /// The longest run of token characters here; empty when there is none.
    std::string_view token() noexcept {
        skip_spaces();
        std::size_t start = i_;
        while (i_ < s_.size() && is_token(s_.substr(i_, 1))) ++i_;
        return s_.substr(start, i_ - start);
    }
    /// A quoted string here, unescaped; nullopt when unterminated or holding a control byte.
    std::optional<std::string> quoted() {
        std::string out;
        ++i_;  // the opening quote
        while (i_ < s_.size()) {
            char c = s_[i_++];
            if (c == '"') return out;
            if (c == '\\') {
                if (i_ == s_.size()) return std::nullopt;
                c = s_[i_++];
            }
            unsigned char u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f) return std::nullopt;
            out += c;
        }
        return std::nullopt;
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

/// A parameter's value after `=`: a token, or a quoted string that unquotes to a token (RFC
/// 6455 asks the unquoted value to be a token too).
std::optional<std::string> parse_value(Cursor& c) {
    c.skip_spaces();
    if (!c.done() && c.peek() == '"') {
        auto value = c.quoted();
        if (!value || !is_token(*value)) return std::nullopt;
        return value;
    }
    std::string_view token = c.token();
    if (token.empty()) return std::nullopt;
    return std::string(token);
}

bool parse_params(Cursor& c, WebSocketExtension& extension) {
    while (c.take(';')) {
        if (extension.params.size() == kMaxParams) return false;
        std::string_view name = c.token();
        if (name.empty()) return false;
        std::optional<std::string> value;
        if (c.take('=')) {
            value = parse_value(c);
            if (!value) return false;
        }
        extension.params.emplace_back(std::string(name), std::move(value));
    }
    return true;
}

}  // namespace

std::optional<std::vector<WebSocketExtension>> parse_websocket_extensions(std::string_view value) {
    std::vector<WebSocketExtension> extensions;
    Cursor c(value);
    for (;;) {
        c.skip_spaces();
        if (c.done()) break;
        if (c.take(',')) continue;  // empty list elements are allowed (RFC 9110 section 5.6.1)
        if (extensions.size() == kMaxExtensions) return std::nullopt;
        std::string_view name = c.token();
        if (name.empty()) return std::nullopt;
        WebSocketExtension extension;
        extension.name = std::string(name);
        if (!parse_params(c, extension)) return std::nullopt;
        c.skip_spaces();
        if (!c.done() && !c.take(',')) return std::nullopt;
        extensions.push_back(std::move(extension));
    }
    return extensions;
}

}  // namespace squall
