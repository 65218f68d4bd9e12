// Fuzz target: chunked request bodies (chunk sizes, extensions, trailers) behind a fixed
// request head, so every input exercises the chunked decoder; fed whole and in pieces. The
// decoded body must agree every way and stay within max_body_size.
#include <string>

#include "fuzz_input.h"
#include "parser_transcript.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    std::size_t split = in.byte();
    std::size_t piece = 1 + in.byte() % 8;
    squall::fuzz::Feed feed;
    std::uint8_t limit = in.byte();
    if (limit & 1) feed.limits.max_body_size = limit >> 1;
    std::string stream = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    stream.append(in.rest());
    auto whole = squall::fuzz::transcribe_every_way(feed, stream, split, piece);
    for (const auto& message : whole.messages) SQUALL_FUZZ_CHECK(message.body.size() <= feed.limits.max_body_size);
    return 0;
}
