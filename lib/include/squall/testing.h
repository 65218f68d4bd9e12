// Helpers for testing asynchronous code with any test framework: a fixture with a fresh IOLoop
// per test and timeouts that fail instead of hanging, stop()/wait() for callback-style tests,
// an unused port, and ExpectLog. Public header (installed, for users' tests). Models
// tornado/testing.py (4.0): AsyncTestCase, get_async_test_timeout, bind_unused_port, ExpectLog.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "squall/ioloop.h"
#include "squall/log.h"

namespace squall::testing {

/// ASYNC_TEST_TIMEOUT (seconds, fractions allowed) from the environment, else 5 s.
Duration get_async_test_timeout();

/// Derive a test fixture from it (Catch2's TEST_CASE_METHOD, a GoogleTest fixture, or a plain
/// object in main): each instance runs its test on a new IOLoop, current while it lives, and
/// closed with it (the loop current before comes back).
class AsyncTestCase {
public:
    AsyncTestCase();
    virtual ~AsyncTestCase();
    AsyncTestCase(const AsyncTestCase&) = delete;
    AsyncTestCase& operator=(const AsyncTestCase&) = delete;

    IOLoop& io_loop() noexcept { return *loop_; }
    /// Runs `func` (a coroutine, or anything returning a Future or a value) on the loop until
    /// done (Tornado's gen_test); TimeoutError after `timeout`, so a bug fails the test rather
    /// than hanging it.
    template <class F>
    auto run_sync(F&& func, Duration timeout = get_async_test_timeout()) {
        return loop_->run_sync(std::forward<F>(func), timeout);
    }
    /// Ends the wait() in progress, or makes the next one return at once.
    void stop();
    /// Runs the loop until stop() is called; TimeoutError ("Async operation timed out after
    /// N seconds") if it is not within `timeout` (default: get_async_test_timeout()).
    void wait(std::optional<Duration> timeout = std::nullopt);

private:
    std::unique_ptr<IOLoop> loop_;
    IOLoop* previous_;
    bool stopped_ = false;
};

/// A TCP socket bound to 127.0.0.1 on a port the kernel picked, not yet listening (listen(2)
/// it, or hand it to TCPServer::add_socket, which takes it).
struct BoundSocket {
    int fd = -1;
    int port = 0;
    BoundSocket() = default;
    BoundSocket(BoundSocket&& o) noexcept : fd(std::exchange(o.fd, -1)), port(o.port) {}
    BoundSocket& operator=(BoundSocket&&) = delete;
    ~BoundSocket();
    /// The descriptor, no longer closed by this object.
    int release() noexcept { return std::exchange(fd, -1); }
};
/// Tornado's bind_unused_port; `reuse_port` sets SO_REUSEPORT.
BoundSocket bind_unused_port(bool reuse_port = false);

/// While it lives, records of `logger` ("tornado.access", ...) whose message matches
/// `pattern` (RE2, anywhere in the message) are counted and kept out of the output; others go
/// where they went before. Its destructor throws std::runtime_error when `required` and no
/// record matched (unless an exception is already on its way), which fails the test.
class ExpectLog {
public:
    ExpectLog(std::string logger, std::string pattern, bool required = true);
    ~ExpectLog() noexcept(false);
    ExpectLog(const ExpectLog&) = delete;
    ExpectLog& operator=(const ExpectLog&) = delete;
    std::size_t matched() const;

private:
    struct State;
    std::shared_ptr<State> state_;
    LogSink previous_;
    bool required_;
    int exceptions_at_start_;
};

}  // namespace squall::testing
