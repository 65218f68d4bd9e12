// Fuzz target: route matching on request paths. For a pattern (first line) and a path (the
// rest), URLSpec::match, with its literal and prefix shortcuts, must agree with a plain RE2
// full match of the same pattern, and capture as many arguments as the pattern has groups.
// The routes of a typical application are tried on the same path.
#include <re2/re2.h>

#include <stdexcept>
#include <string>

#include "fuzz_input.h"
#include "squall/web.h"

namespace {

struct Nothing : squall::RequestHandler {};

void agree(const std::string& pattern, std::string_view path) {
    std::optional<squall::URLSpec> spec;
    try {
        spec.emplace(pattern, squall::handler<Nothing>());
    } catch (const std::invalid_argument&) {
        return;  // not a pattern URLSpec accepts (an application's mistake, found at start-up)
    }
    RE2::Options options(RE2::Latin1);
    options.set_log_errors(false);
    RE2 plain(pattern.ends_with('$') ? pattern : pattern + '$', options);
    SQUALL_FUZZ_CHECK(plain.ok());
    auto match = spec->match(path);
    SQUALL_FUZZ_CHECK(match.has_value() == RE2::FullMatch(re2::StringPiece(path.data(), path.size()), plain));
    if (match)
        SQUALL_FUZZ_CHECK(match->args.size() + match->kwargs.size() ==
                          static_cast<std::size_t>(plain.NumberOfCapturingGroups()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    std::string pattern(in.line());
    std::string_view path = in.rest();
    agree(pattern, path);
    for (const char* route : {"/", "/static/(.*)", "/user/(?P<id>[0-9]+)/?", "/files/([^/]+)/(.*)\\.txt", "/a+b"})
        agree(route, path);
    return 0;
}
