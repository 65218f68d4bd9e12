// Fuzz target: a request as the server hands it to an application. The head is parsed, then
// HTTPServerRequest splits the target (origin or absolute form), takes the host, decodes the
// query and cookies and parses the body as a form: anything malformed must be refused with
// HTTPInputError, and what is accepted is consistent (the path starts with '/', the host
// name is lower case).
#include <cctype>
#include <string>

#include "fuzz_input.h"
#include "parser_transcript.h"
#include "squall/httpserverrequest.h"

namespace {

void check_request(squall::HTTP1Parser& parser, std::string_view body) {
    try {
        squall::HTTPServerRequest request(parser.request(), parser.headers());
        SQUALL_FUZZ_CHECK(request.path.empty() || request.path.front() == '/' || request.method == "OPTIONS" ||
                          request.method == "CONNECT");
        for (char c : request.host_name) SQUALL_FUZZ_CHECK(!std::isupper(static_cast<unsigned char>(c)));
        (void)request.cookies();
        (void)request.full_url();
        request.body = std::string(body);
        request.parse_body();
    } catch (const squall::HTTPInputError& e) {
        SQUALL_FUZZ_CHECK(e.status() >= 400 && e.status() < 500);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    squall::HTTP1Parser parser(squall::HTTP1Parser::Kind::request);
    auto r = parser.parse(stream);
    if (r.status != squall::HTTP1Parser::Status::headers) return 0;
    check_request(parser, stream.substr(r.consumed));
    return 0;
}
