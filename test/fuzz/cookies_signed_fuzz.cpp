// Fuzz target: the Cookie header and the signed values inside secure cookies. Parsing a Cookie
// header never fails; decoding a forged signed value is refused without reading past it; and
// a value signed here decodes to itself (versions 1 and 2).
#include <ctime>
#include <string>

#include "fuzz_input.h"
#include "squall/httputil.h"
#include "squall/signed_value.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    const int version = in.flag() ? 2 : 1;
    const std::time_t now = 1700000000;
    std::string_view header = in.rest();

    for (const auto& [name, value] : squall::parse_cookie(header)) SQUALL_FUZZ_CHECK(name.size() <= header.size());

    squall::decode_signed_value("secret", "session", header, 31, now);
    squall::signed_value_version(header);
    auto signed_value = squall::create_signed_value("secret", "session", header, version, now);
    auto decoded = squall::decode_signed_value("secret", "session", signed_value, 31, now);
    SQUALL_FUZZ_CHECK(decoded && *decoded == header);
    SQUALL_FUZZ_CHECK(!squall::decode_signed_value("other", "session", signed_value, 31, now));
    return 0;
}
