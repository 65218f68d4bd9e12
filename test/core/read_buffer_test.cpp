// detail::ReadBuffer, the stream's unconsumed input: reads of every size (small ones copied out
// of the thread's scratch chunk, bulk ones taking it, reads in place when there is room) and
// partial consumes, checked against a plain string, with several buffers sharing one thread.
#include <algorithm>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catch.h"
#include "squall/detail/stream_buffers.h"

using squall::detail::ReadBuffer;

namespace {

/// What a transport read would do: up to `target.size()` bytes of `pending`, at most `got`,
/// moved from `pending` to the end of `model`.
std::size_t fake_read(ReadBuffer& b, std::string_view& pending, std::string& model, std::size_t chunk, std::size_t got) {
    std::span<char> target = b.read_target(chunk);
    REQUIRE(target.size() > 0);
    REQUIRE(target.size() <= chunk);
    std::size_t n = std::min({got, target.size(), pending.size()});
    std::copy_n(pending.begin(), n, target.begin());
    model.append(pending.substr(0, n));
    pending.remove_prefix(n);
    b.commit_read(target, n);
    return n;
}

std::string bytes(std::size_t n, std::mt19937& rng) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
}

}  // namespace

TEST_CASE("ReadBuffer: reads of every size and partial consumes keep the bytes in order", "[core][iostream]") {
    std::mt19937 rng(7);
    constexpr std::size_t chunk = 64 * 1024;
    // Three buffers on one thread, read in turns: one taking the scratch chunk must not
    // disturb what the others hold.
    std::vector<ReadBuffer> buffers(3);
    const std::string input = bytes(8 * 1024 * 1024, rng);
    std::vector<std::string> model(3);
    std::vector<std::string_view> source(3, input);
    for (int step = 0; step < 20000; ++step) {
        std::size_t i = rng() % 3;
        ReadBuffer& b = buffers[i];
        switch (rng() % 4) {
        case 0:  // a small read: a request line, a WebSocket frame
            fake_read(b, source[i], model[i], chunk, 1 + rng() % 600);
            break;
        case 1:  // bulk
            fake_read(b, source[i], model[i], chunk, chunk);
            break;
        case 2: {  // consume part
            std::size_t n = model[i].empty() ? 0 : rng() % (model[i].size() + 1);
            b.discard(n);
            model[i].erase(0, n);
            break;
        }
        default:  // consume all; an idle stream then gives its memory back
            b.discard(model[i].size());
            model[i].clear();
            if (rng() % 2) b.release();
        }
        REQUIRE(b.size() == model[i].size());
        REQUIRE(b.view() == model[i]);
        if (source[i].size() < chunk) source[i] = input;
    }
}

TEST_CASE("ReadBuffer: a read larger than the usual chunk grows the buffer in place", "[core][iostream]") {
    std::mt19937 rng(11);
    ReadBuffer b;
    const std::string whole = bytes(300 * 1024, rng);
    std::string_view pending = whole;
    std::string model;
    CHECK(fake_read(b, pending, model, 256 * 1024, 256 * 1024) == 256 * 1024);
    fake_read(b, pending, model, 256 * 1024, 256 * 1024);
    CHECK(model == whole);
    CHECK(b.view() == whole);
}
