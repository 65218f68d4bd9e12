// Fuzz target: HTTP/1 responses as the client reads them (Content-Length, chunked, read until
// close, answers to HEAD) through HTTP1Parser, fed whole, split in two and in small pieces;
// all three must agree and no limit may be passed. The first line also goes to
// parse_status_line (the curl client's, any HTTP version), which must accept what the HTTP/1
// parse accepts and read it the same.
#include <optional>

#include "fuzz_input.h"
#include "parser_transcript.h"

namespace {

void check_status_line(std::string_view line) {
    std::optional<squall::ResponseStartLine> http1;
    try {
        http1 = squall::parse_response_start_line(line);
    } catch (const squall::HTTPInputError&) {
    }
    try {
        squall::ResponseStartLine any = squall::parse_status_line(line);
        SQUALL_FUZZ_CHECK(any.code >= 100 && any.code <= 999);
        if (http1) SQUALL_FUZZ_CHECK(any.code == http1->code && any.reason == http1->reason && any.version == http1->version);
    } catch (const squall::HTTPInputError& e) {
        SQUALL_FUZZ_CHECK(!http1 && e.status() == 400);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    std::size_t split = in.byte();
    std::size_t piece = 1 + in.byte() % 16;
    squall::fuzz::Feed feed;
    feed.kind = squall::HTTP1Parser::Kind::response;
    std::uint8_t mode = in.byte();
    feed.head_request = mode & 1;
    feed.eof = mode & 2;
    feed.limits = squall::fuzz::small_limits(in.byte());
    std::string_view payload = in.rest();
    check_status_line(payload.substr(0, payload.find("\r\n")));
    squall::fuzz::transcribe_every_way(feed, payload, split, piece);
    return 0;
}
