// Tests of the incremental UTF-8 validator: RFC 3629's boundaries (overlong forms, surrogates,
// the end of Unicode), each input fed whole, byte by byte and split at every offset.
#include <string>
#include <vector>

#include "catch.h"
#include "squall/detail/utf8.h"

using squall::detail::is_valid_utf8;
using squall::detail::Utf8Validator;

namespace {

/// Whether `s` is valid, after checking that every way of feeding it agrees.
bool valid_every_way(std::string_view s) {
    const bool whole = is_valid_utf8(s);
    Utf8Validator bytes;
    for (char c : s) bytes.feed(std::string_view(&c, 1));
    CHECK(bytes.complete() == whole);
    for (std::size_t split = 0; split <= s.size(); ++split) {
        Utf8Validator two;
        two.feed(s.substr(0, split));
        two.feed(s.substr(split));
        CHECK(two.complete() == whole);
    }
    return whole;
}

}  // namespace

TEST_CASE("UTF-8: well-formed text at every boundary of RFC 3629", "[websocket][utf8]") {
    const std::vector<std::string> good = {
        "", "plain ASCII, longer than one word of eight bytes", "\x7f", "\xc2\x80", "\xdf\xbf",
        "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
        "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!",
        "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5",  // "kosme" in Greek (Autobahn 6.2)
    };
    for (const auto& s : good) {
        CAPTURE(s);
        CHECK(valid_every_way(s));
    }
}

TEST_CASE("UTF-8: overlong forms, surrogates, past U+10FFFF, stray and cut-off bytes are refused",
          "[websocket][utf8]") {
    const std::vector<std::string> bad = {
        "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf",  // overlong
        "\xed\xa0\x80", "\xed\xbf\xbf",                                             // surrogates
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",  // too large
        "\xc2", "\xe1\x80", "\xf1\x80\x80",                                          // cut off
        "\xc2\x41", "\xe1\x80\x41", "abcdefgh\xc3\x28",                              // bad continuation
        "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80" "edited",           // Autobahn 6.3
    };
    for (const auto& s : bad) {
        CAPTURE(s);
        CHECK_FALSE(valid_every_way(s));
    }
}

TEST_CASE("UTF-8: failure is reported at the first bad byte and stays", "[websocket][utf8]") {
    Utf8Validator v;
    CHECK(v.feed("ok \xce"));  // a character may still be completed
    CHECK_FALSE(v.complete());
    CHECK_FALSE(v.feed("\x41"));  // cannot continue \xce
    CHECK(v.failed());
    CHECK_FALSE(v.feed("fine afterwards"));
    CHECK_FALSE(v.complete());
    v.reset();
    CHECK(v.feed("fine afterwards"));
    CHECK(v.complete());
}
