// What every fuzz target shares: a reader that turns the fuzzer's bytes into choices and
// pieces, and a check that aborts (so libFuzzer and the corpus replay both report it) when an
// invariant the target asserts does not hold. Internal to test/fuzz.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "squall/log.h"

namespace squall::fuzz {

// Peer input makes the library log warnings (a forged cookie signature, say); at fuzzing
// speed they would be most of the run's time and output.
inline const bool quiet_logs = (set_logging_level(LogLevel::none), true);

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
    std::abort();
}

#define SQUALL_FUZZ_CHECK(cond) ((cond) ? void(0) : ::squall::fuzz::fail(#cond, __FILE__, __LINE__))

/// Reads choices from the front of the input; what is left is the payload.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

    /// The next byte, 0 once the input is used up.
    std::uint8_t byte() {
        if (rest_.empty()) return 0;
        auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }
    bool flag() { return byte() & 1; }
    /// Up to the next '\n' (not included), or all that is left.
    std::string_view line() {
        auto end = rest_.find('\n');
        std::string_view out = rest_.substr(0, end);
        rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
        return out;
    }
    std::string_view rest() const noexcept { return rest_; }

private:
    std::string_view rest_;
};

}  // namespace squall::fuzz
