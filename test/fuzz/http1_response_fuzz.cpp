// Fuzz target: HTTP/1 responses as the client reads them (Content-Length, chunked, read until
// close, answers to HEAD) through HTTP1Parser, fed whole, split in two and in small pieces;
// all three must agree and no limit may be passed.
#include "fuzz_input.h"
#include "parser_transcript.h"

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
    squall::fuzz::transcribe_every_way(feed, in.rest(), split, piece);
    return 0;
}
