// squall::detail base64 (RFC 4648 section 4): the test vectors of section 10, and the strict
// decoding signed values rely on.
#include "catch.h"

#include "squall/detail/base64.h"

using squall::detail::base64_decode;
using squall::detail::base64_encode;

TEST_CASE("base64: RFC 4648 test vectors both ways", "[core][base64]") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        CHECK(base64_encode(plain) == encoded);
        CHECK(base64_decode(encoded) == std::optional<std::string>(plain));
    }
    std::string binary("\x00\xff\xfe\x80", 4);
    CHECK(base64_encode(binary) == "AP/+gA==");
    CHECK(base64_decode("AP/+gA==") == std::optional<std::string>(binary));
}

TEST_CASE("base64: malformed input is refused", "[core][base64]") {
    CHECK_FALSE(base64_decode("Zm9"));        // not a multiple of four
    CHECK_FALSE(base64_decode("Zm9v\n"));     // whitespace
    CHECK_FALSE(base64_decode("Zm-v"));       // the URL-safe alphabet
    CHECK_FALSE(base64_decode("Z=9v"));       // padding in the middle
    CHECK_FALSE(base64_decode("Zg==="));      // too much padding (and a bad length)
    CHECK_FALSE(base64_decode("Z==="));       // three padding characters
}
