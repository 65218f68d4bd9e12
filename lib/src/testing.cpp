// squall::testing: the fixture's loop, stop/wait, bind_unused_port and ExpectLog. Internal.
#include "squall/testing.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <re2/re2.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <system_error>

namespace squall::testing {

Duration get_async_test_timeout() {
    if (const char* env = std::getenv("ASYNC_TEST_TIMEOUT"); env && *env)
        return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::atof(env)));
    return std::chrono::seconds(5);
}

AsyncTestCase::AsyncTestCase() : loop_(std::make_unique<IOLoop>()), previous_(IOLoop::current_or_null()) {
    loop_->make_current();
}

AsyncTestCase::~AsyncTestCase() {
    if (!loop_->closed()) loop_->close(false);
    if (previous_) previous_->make_current();
    else IOLoop::clear_current();
}

void AsyncTestCase::stop() {
    stopped_ = true;
    // Only a running loop: a stop() before start() would make some later start() return at once.
    if (loop_->running()) loop_->stop();
}

void AsyncTestCase::wait(std::optional<Duration> timeout) {
    if (!stopped_) {
        Duration limit = timeout.value_or(get_async_test_timeout());
        bool timed_out = false;
        TimeoutHandle timer = loop_->call_later(limit, [this, &timed_out] {
            timed_out = true;
            loop_->stop();
        });
        loop_->start();
        if (timed_out) {
            stopped_ = false;
            throw TimeoutError("Async operation timed out after " +
                               std::to_string(std::chrono::duration<double>(limit).count()) + " seconds");
        }
        loop_->remove_timeout(timer);
    }
    stopped_ = false;
}

BoundSocket::~BoundSocket() {
    if (fd >= 0) ::close(fd);
}

BoundSocket bind_unused_port(bool reuse_port) {
    BoundSocket s;
    s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    int one = 1;
    ::setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuse_port) ::setsockopt(s.fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
    socklen_t len = sizeof addr;
    ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&addr), &len);
    s.port = ntohs(addr.sin_port);
    return s;
}

struct ExpectLog::State {
    std::string logger;
    RE2 pattern;
    LogSink previous;
    mutable std::mutex mutex;  // records may come from any thread
    std::size_t matched = 0;
    State(std::string l, const std::string& p, LogSink prev) : logger(std::move(l)), pattern(p), previous(std::move(prev)) {}
};

ExpectLog::ExpectLog(std::string logger, std::string pattern, bool required)
    : previous_(current_log_sink()), required_(required), exceptions_at_start_(std::uncaught_exceptions()) {
    state_ = std::make_shared<State>(std::move(logger), pattern, previous_);
    if (!state_->pattern.ok()) throw std::invalid_argument("ExpectLog: bad pattern: " + state_->pattern.error());
    set_log_sink([state = state_](const LogRecord& record) {
        if (record.logger == state->logger && RE2::PartialMatch(record.message, state->pattern)) {
            std::lock_guard lock(state->mutex);
            ++state->matched;
            return;
        }
        if (state->previous) state->previous(record);
    });
}

ExpectLog::~ExpectLog() noexcept(false) {
    set_log_sink(previous_);
    if (required_ && matched() == 0 && std::uncaught_exceptions() == exceptions_at_start_)
        throw std::runtime_error("did not get expected log message matching \"" + state_->pattern.pattern() +
                                 "\" on " + state_->logger);
}

std::size_t ExpectLog::matched() const {
    std::lock_guard lock(state_->mutex);
    return state_->matched;
}

}  // namespace squall::testing
