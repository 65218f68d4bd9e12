// Fuzz target: what a peer puts in URLs. Percent-decoding (escaping then unescaping must give
// the bytes back), query strings under a field budget (never more fields than the budget, an
// HTTPInputError past it), and the client's absolute-URL splitting and redirect resolution
// (Location headers come from the server).
#include <string>

#include "squall/detail/url_parts.h"
#include "fuzz_input.h"
#include "squall/httputil.h"

namespace {

void check_query(std::string_view query, std::size_t budget) {
    try {
        auto args = squall::parse_qs(query, budget);
        std::size_t values = 0;
        for (const auto& [name, list] : args) values += list.size();
        SQUALL_FUZZ_CHECK(values <= budget);
    } catch (const squall::HTTPInputError& e) {
        SQUALL_FUZZ_CHECK(e.status() == 400);
    }
}

void check_url(std::string_view url) {
    auto parts = squall::detail::split_url(url);
    if (!parts) return;
    SQUALL_FUZZ_CHECK(parts->scheme == "http" || parts->scheme == "https");
    SQUALL_FUZZ_CHECK(parts->port > 0 && parts->port < 65536);
    SQUALL_FUZZ_CHECK(!parts->host.empty());
    SQUALL_FUZZ_CHECK(!parts->target.empty() && parts->target.front() == '/');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    std::size_t budget = in.byte();
    bool plus = in.flag();
    std::string_view base = in.line();
    std::string_view rest = in.rest();

    SQUALL_FUZZ_CHECK(squall::url_unescape(squall::url_escape(rest, plus), plus) == rest);
    SQUALL_FUZZ_CHECK(squall::url_unescape(rest, plus).size() <= rest.size());
    check_query(rest, budget);
    check_url(base);
    check_url(rest);
    if (squall::detail::split_url(base)) check_url(squall::detail::urljoin(base, rest));
    return 0;
}
