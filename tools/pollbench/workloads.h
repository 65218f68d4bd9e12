// The workloads squall-pollbench times: libevent's classic bench (N channels, A active, W writes
// per round) through squall's IOLoop and through a plain epoll loop, plus timers and callbacks.
// Internal to the tool. The workload follows libevent's test/bench.c (facts only, no code).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace squall::bench {

struct ChannelConfig {
    std::size_t channels = 1000;  // N: descriptors registered for READ
    std::size_t active = 100;     // A: bytes written at the start of a round, spread over N
    std::size_t writes = 100;     // W: further writes, each from a read handler to the next channel
    int rounds = 25;              // rounds per measurement (one measurement = their mean)
};

/// Descriptors a channel run needs (one per channel, plus slack for the loop and stdio).
std::size_t descriptors_needed(std::size_t channels);
/// Raise RLIMIT_NOFILE's soft limit toward its hard limit; returns the resulting soft limit.
std::size_t raise_fd_limit(std::size_t wanted);

/// Mean microseconds per round through squall's IOLoop on `backend`.
double channel_round_us(const std::string& backend, const ChannelConfig& cfg);
/// The same work on a hand-written epoll loop: the floor.
double channel_round_us_plain_epoll(const ChannelConfig& cfg);

struct TimerResult {
    double schedule_cancel_ns;  // per timer: call_later + remove_timeout + the lazy clean-up
    double fire_ns;             // per timer: call_later(0) and running it
};
TimerResult timer_ns(const std::string& backend, std::size_t count);
/// Nanoseconds per add_callback from the loop thread, including running it.
double callback_ns(const std::string& backend, std::size_t count);

double median(std::vector<double> v);

}  // namespace squall::bench
