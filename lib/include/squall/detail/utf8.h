// UTF-8 validation, whole or fed in pieces: request arguments and path pieces (Tornado decodes
// them and answers 400 when they are not UTF-8) and WebSocket text messages, which arrive in
// fragments and must fail as soon as a byte cannot continue well-formed text (RFC 6455 8.1).
#pragma once

#include <cstdint>
#include <string_view>

namespace squall::detail {

/// Well-formed UTF-8 per RFC 3629 (no overlong forms, surrogates or code points past
/// U+10FFFF), checked incrementally: feed() the pieces in order, then complete() says whether
/// the text ended on a character boundary.
class Utf8Validator {
public:
    /// False as soon as the bytes so far cannot be the start of well-formed text; it stays
    /// false from then on.
    bool feed(std::string_view bytes) noexcept;
    /// Every byte fed was valid and no character is cut off at the end.
    bool complete() const noexcept { return !failed_ && pending_ == 0; }
    bool failed() const noexcept { return failed_; }
    void reset() noexcept { *this = Utf8Validator(); }

private:
    std::uint8_t pending_ = 0;  // continuation bytes still expected
    std::uint8_t lo_ = 0x80, hi_ = 0xBF;  // the range the next continuation byte must be in
    bool failed_ = false;
};

inline bool is_valid_utf8(std::string_view s) noexcept {
    Utf8Validator v;
    return v.feed(s) && v.complete();
}

}  // namespace squall::detail
