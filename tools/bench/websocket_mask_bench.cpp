// squall-bench-wsmask: WebSocket unmasking speed (GB/s) of websocket_mask against memcpy over
// the same buffer, and against a byte-at-a-time loop (what a codec without a fast path does),
// at message sizes from 32 bytes to 16 MiB; plus WebSocketParser's MiB/s on masked 1 MiB
// messages. A benchmark tool of squall; run it through tools/bench/run-wsmaskbench.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "squall/websocket_frame.h"

namespace {

using Clock = std::chrono::steady_clock;
const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};

/// Best GB/s of `pass` over `bytes` bytes, repeated to at least 256 MiB per sample.
template <class F>
double best_gbps(std::size_t bytes, F&& pass) {
    const std::size_t reps = std::max<std::size_t>(1, (std::size_t{256} << 20) / bytes);
    double best = 0;
    for (int sample = 0; sample < 5; ++sample) {
        auto start = Clock::now();
        for (std::size_t r = 0; r < reps; ++r) pass();
        double s = std::chrono::duration<double>(Clock::now() - start).count();
        best = std::max(best, static_cast<double>(bytes) * static_cast<double>(reps) / s / 1e9);
    }
    return best;
}

void byte_loop(char* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<char>(data[i] ^ key[i & 3]);
}

double parser_mibps() {
    const std::string message(1 << 20, 'x');
    std::string wire;
    for (int i = 0; i < 64; ++i)
        squall::write_websocket_frame(wire, squall::WebSocketOpcode::binary, message, true, key);
    double best = 0;
    for (int sample = 0; sample < 5; ++sample) {
        squall::WebSocketParser parser;
        std::string_view rest = wire;
        std::size_t messages = 0;
        auto start = Clock::now();
        while (!rest.empty()) {
            auto r = parser.parse(rest);
            rest.remove_prefix(r.consumed);
            if (r.status == squall::WebSocketParser::Status::message) ++messages;
            if (r.status == squall::WebSocketParser::Status::error) return 0;
        }
        double s = std::chrono::duration<double>(Clock::now() - start).count();
        if (messages != 64) return 0;
        best = std::max(best, 64.0 / s);
    }
    return best;
}

}  // namespace

int main() {
    std::printf("%10s %12s %12s %12s %10s %10s\n", "bytes", "mask GB/s", "memcpy GB/s", "bytes GB/s", "mask/cpy",
                "mask/byte");
    for (std::size_t n : {std::size_t{32}, std::size_t{1024}, std::size_t{64} << 10, std::size_t{1} << 20,
                          std::size_t{16} << 20}) {
        std::vector<char> a(n, 'a'), b(n);
        double mask = best_gbps(n, [&] { squall::websocket_mask(a.data(), n, key); });
        double copy = best_gbps(n, [&] {
            std::memcpy(b.data(), a.data(), n);
            asm volatile("" : : "r"(b.data()) : "memory");  // keep the copy
        });
        double bytes = best_gbps(n, [&] {
            byte_loop(a.data(), n);
            asm volatile("" : : "r"(a.data()) : "memory");
        });
        std::printf("%10zu %12.2f %12.2f %12.2f %10.2f %10.2f\n", n, mask, copy, bytes, mask / copy, mask / bytes);
    }
    std::printf("WebSocketParser, masked 1 MiB binary messages: %.0f MiB/s\n", parser_mibps());
}
