// Fuzz target: the match-width bound read_until_regex relies on to resume a search instead of
// rescanning the buffer. For a pattern (first line) and a text (the rest), no match of the
// pattern anywhere in the text may be longer than max_match_width says; an underestimate
// would make a stream miss a delimiter that arrived split across reads.
#include <re2/re2.h>

#include <string>

#include "fuzz_input.h"
#include "squall/detail/regex_width.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    std::string pattern(in.line());
    std::string_view text = in.rest();
    if (text.size() > 256) text = text.substr(0, 256);  // every start is tried: keep it quadratic in little
    RE2::Options options(RE2::Latin1);
    options.set_log_errors(false);
    options.set_longest_match(true);
    RE2 regex(pattern, options);
    if (!regex.ok()) return 0;
    auto width = squall::detail::max_match_width(pattern);
    if (!width) return 0;
    for (std::size_t start = 0; start <= text.size(); ++start) {
        re2::StringPiece match;
        re2::StringPiece whole(text.data(), text.size());
        if (regex.Match(whole, start, whole.size(), RE2::ANCHOR_START, &match, 1))
            SQUALL_FUZZ_CHECK(match.size() <= *width);
    }
    return 0;
}
