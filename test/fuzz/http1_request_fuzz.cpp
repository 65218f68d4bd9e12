// Fuzz target: HTTP/1 requests (pipelined, chunked, with trailers) through HTTP1Parser, fed
// whole, split in two and in small pieces; all three must give the same messages, and no
// message may pass the limits. The first two bytes choose the split and the piece size, the
// third the limits.
#include "fuzz_input.h"
#include "parser_transcript.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    std::size_t split = in.byte();
    std::size_t piece = 1 + in.byte() % 16;
    squall::fuzz::Feed feed;
    feed.limits = squall::fuzz::small_limits(in.byte());
    squall::fuzz::transcribe_every_way(feed, in.rest(), split, piece);
    return 0;
}
