// Tests of the match-length bound read_until_regex uses to resume its searches: exact where
// the syntax allows, unbounded for repeats, and never below a real match's length.
#include <re2/re2.h>

#include <optional>
#include <string>

#include "catch.h"
#include "squall/detail/regex_width.h"

using squall::detail::max_match_width;

TEST_CASE("max_match_width: bounded patterns", "[core][regex]") {
    struct Case {
        const char* pattern;
        std::size_t width;
    };
    const Case cases[] = {
        {"\\r\\n\\r\\n", 4}, {"abc", 3},           {"a|bcd", 3},         {"(?:ab){2,3}", 6},
        {"x{3}", 3},         {"[]a]b", 2},         {"[^\\]x]y", 2},      {"\\Qa*b\\E", 3},
        {"(?i)ab", 2},       {"(?P<n>ab)?c", 3},   {"^ab$", 2},          {"\\d{3}-\\d{4}", 8},
        {"[[:alpha:]]z", 2}, {"\\x41\\x{42}", 2},  {"\\bword\\b", 4},    {"(?s:.)\\n?", 2},
        {"a{,3}", 5},        {"", 0},              {"\\pL\\p{Greek}", 2}, {"a??b", 2},
        {"\\0123", 2},        {"\\01234567", 6},     {"\\101x", 2},
    };
    for (const Case& c : cases) {
        CAPTURE(c.pattern);
        REQUIRE(RE2(c.pattern, RE2::Latin1).ok());
        CHECK(max_match_width(c.pattern) == c.width);
    }
}

TEST_CASE("max_match_width: unbounded patterns", "[core][regex]") {
    for (const char* p : {"a*", "a+", "x{2,}", "(?:ab|c+)d", "[a-z]+\\n", ".*?END", "(a|b)*c"}) {
        CAPTURE(p);
        REQUIRE(RE2(p, RE2::Latin1).ok());
        CHECK(max_match_width(p) == std::nullopt);
    }
}

TEST_CASE("max_match_width: the bound holds for real matches", "[core][regex]") {
    // The longest string each pattern can match, found by hand; the bound may not be smaller.
    struct Case {
        const char* pattern;
        const char* longest;
    };
    for (const Case& c : {Case{"a{1,3}b?", "aaab"}, Case{"(?:foo|x)(?:bar)?", "foobar"},
                          Case{"[0-9a-f]{1,16}\\r?\\n", "ffffffffffffffff\r\n"}}) {
        CAPTURE(c.pattern);
        REQUIRE(RE2::FullMatch(c.longest, RE2(c.pattern, RE2::Latin1)));
        auto w = max_match_width(c.pattern);
        REQUIRE(w);
        CHECK(*w >= std::string(c.longest).size());
    }
}
