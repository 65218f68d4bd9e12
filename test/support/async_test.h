// squall's test support on top of the public squall/testing.h (AsyncTestCase, bind_unused_port,
// ExpectLog): times_out, a descriptor count for leak checks, and a log capture that keeps every
// record for the test to inspect. Internal test header.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "squall/ioloop.h"
#include "squall/log.h"
#include "squall/testing.h"

namespace squall::testing {

/// squall's own tests use the public fixture (squall/testing.h).
using AsyncTest = AsyncTestCase;

/// Whether `f` fails with TimeoutError (true) or completes (false); other failures propagate.
template <class T>
Future<bool> times_out(Future<T> f) {
    bool timed_out = false;
    try {
        co_await std::move(f);
    } catch (const TimeoutError&) {
        timed_out = true;
    }
    co_return timed_out;
}

/// How many descriptors this process has open (from /proc/self/fd), for leak checks.
int open_fd_count();

/// Captures log records while alive and lets a test assert on them (Tornado's ExpectLog).
class LogCapture {
public:
    explicit LogCapture(LogLevel threshold = LogLevel::debug);
    ~LogCapture();
    struct Entry {
        std::string logger;
        LogLevel level;
        std::string message;
    };
    std::vector<Entry> entries() const;
    /// Records whose message matches `pattern` (RE2, found anywhere in it), optionally for one logger.
    std::size_t count(const std::string& pattern, std::string_view logger = {}) const;

private:
    struct Shared;
    std::shared_ptr<Shared> shared_;
    LogLevel old_threshold_;
};

}  // namespace squall::testing
