// A download progress bar on standard error for squall-httpclient: percentage when the size is
// known, bytes and rate either way, redrawn at most ten times a second. Part of the tool.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace squall::tools {

class Progress {
public:
    explicit Progress(bool enabled) : enabled_(enabled), start_(Clock::now()), last_(start_) {}
    void set_total(std::uint64_t total) { total_ = total; }
    void add(std::size_t n) {
        done_ += n;
        if (!enabled_) return;
        auto now = Clock::now();
        if (now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        draw(now);
    }
    void done() {
        if (!enabled_ || done_ == 0) return;
        draw(Clock::now());
        std::fputc('\n', stderr);
        enabled_ = false;
    }

private:
    using Clock = std::chrono::steady_clock;
    static double mib(double bytes) { return bytes / (1024.0 * 1024.0); }
    void draw(Clock::time_point now) {
        double seconds = std::chrono::duration<double>(now - start_).count();
        double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
        if (total_) {
            int width = 30;
            int filled = static_cast<int>(static_cast<double>(width) * static_cast<double>(done_) / static_cast<double>(total_));
            if (filled > width) filled = width;
            std::fprintf(stderr, "\r[%.*s%*s] %3d%%  %.1f / %.1f MiB  %.1f MiB/s ", filled,
                         "##############################", width - filled, "",
                         static_cast<int>(100.0 * static_cast<double>(done_) / static_cast<double>(total_)),
                         mib(static_cast<double>(done_)), mib(static_cast<double>(total_)), mib(rate));
        } else {
            std::fprintf(stderr, "\r%.1f MiB  %.1f MiB/s ", mib(static_cast<double>(done_)), mib(rate));
        }
        std::fflush(stderr);
    }

    bool enabled_;
    std::uint64_t total_ = 0, done_ = 0;
    Clock::time_point start_, last_;
};

}  // namespace squall::tools
