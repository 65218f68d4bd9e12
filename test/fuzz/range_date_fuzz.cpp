// Fuzz target: Range and date headers (If-Modified-Since, Expires, Last-Modified from a
// server). A Range is either refused or a slice whose bounds the static file handler can use
// without overflow; a date that parses survives formatting and parsing again unchanged.
#include <limits>
#include <string>

#include "fuzz_input.h"
#include "squall/httputil.h"

namespace {

void check_range(std::string_view header, std::int64_t total) {
    auto range = squall::parse_request_range(header);
    if (!range) return;
    // "bytes=-N" is the only form with a negative start, and it has no end.
    if (range->start && *range->start < 0) SQUALL_FUZZ_CHECK(!range->end);
    if (range->end) SQUALL_FUZZ_CHECK(*range->end >= 0);
    if (range->end && *range->end == 0) SQUALL_FUZZ_CHECK(!range->start);
    // What the handler does for a satisfiable range: the slice lies inside the file.
    if ((range->start && *range->start >= total) || (range->end && *range->end == 0) ||
        (range->start && range->end && *range->end <= *range->start))
        return;
    std::int64_t start = range->start.value_or(0), end = total;
    if (start < 0) start = std::max<std::int64_t>(0, total + start);
    if (range->end) end = std::min(*range->end, total);
    SQUALL_FUZZ_CHECK(0 <= start && start <= end && end <= total);
    SQUALL_FUZZ_CHECK(!squall::content_range(start, end, total).empty());
}

void check_date(std::string_view header) {
    auto t = squall::parse_http_date(header);
    if (!t) return;
    auto again = squall::parse_http_date(squall::format_timestamp(*t));
    SQUALL_FUZZ_CHECK(again && *again == *t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    std::int64_t total = in.flag() ? std::numeric_limits<std::int64_t>::max() : in.byte() * 1000 + in.byte();
    std::string_view header = in.rest();
    check_range(header, total);
    check_date(header);
    return 0;
}
