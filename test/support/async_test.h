// The async test fixture, in the spirit of Tornado's AsyncTestCase: a fresh IOLoop per test,
// made current, run_sync with a default timeout (5 s, or ASYNC_TEST_TIMEOUT seconds), plus
// bind_unused_port and a log capture like ExpectLog. Internal test header.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "squall/ioloop.h"
#include "squall/log.h"

namespace squall::testing {

/// Seconds from ASYNC_TEST_TIMEOUT, else 5 s: how long a test may run the loop.
Duration default_timeout();

class AsyncTest {
public:
    AsyncTest();
    ~AsyncTest();
    AsyncTest(const AsyncTest&) = delete;
    AsyncTest& operator=(const AsyncTest&) = delete;

    IOLoop& io_loop() { return *loop_; }
    /// run_sync with the fixture's timeout: a bug fails the test rather than hanging it.
    template <class F>
    auto run_sync(F&& func, Duration timeout = default_timeout()) {
        return loop_->run_sync(std::forward<F>(func), timeout);
    }

protected:
    std::unique_ptr<IOLoop> loop_;
};

/// A listening-ready TCP socket bound to 127.0.0.1 on a port the kernel picked.
struct BoundSocket {
    int fd = -1;
    int port = 0;
    ~BoundSocket();
    BoundSocket() = default;
    BoundSocket(BoundSocket&& o) noexcept : fd(std::exchange(o.fd, -1)), port(o.port) {}
};
BoundSocket bind_unused_port();

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
