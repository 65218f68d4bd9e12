// The async test fixture's out-of-line parts. Internal test support. Models tornado/testing.py
// (4.0): AsyncTestCase's fresh loop, get_async_test_timeout, bind_unused_port and ExpectLog.
#include "async_test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <re2/re2.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <system_error>

namespace squall::testing {

Duration default_timeout() {
    if (const char* env = std::getenv("ASYNC_TEST_TIMEOUT"); env && *env) {
        return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::atof(env)));
    }
    return std::chrono::seconds(5);
}

AsyncTest::AsyncTest() : loop_(std::make_unique<IOLoop>()) { loop_->make_current(); }

AsyncTest::~AsyncTest() {
    if (!loop_->closed()) loop_->close(false);
    IOLoop::clear_current();
}

BoundSocket::~BoundSocket() {
    if (fd >= 0) ::close(fd);
}

BoundSocket bind_unused_port() {
    BoundSocket s;
    s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    int one = 1;
    ::setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
    socklen_t len = sizeof addr;
    ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&addr), &len);
    s.port = ntohs(addr.sin_port);
    return s;
}

int open_fd_count() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (::readdir(d)) ++n;
        ::closedir(d);
        n -= 3;  // ".", ".." and the directory's own descriptor
    }
    return n;
}

struct LogCapture::Shared {
    mutable std::mutex mutex;
    std::vector<Entry> entries;
};

LogCapture::LogCapture(LogLevel threshold)
    : shared_(std::make_shared<Shared>()), old_threshold_(logging_level()) {
    set_logging_level(threshold);
    set_log_sink([shared = shared_](const LogRecord& r) {
        std::lock_guard lock(shared->mutex);
        shared->entries.push_back({std::string(r.logger), r.level, std::string(r.message)});
    });
}

LogCapture::~LogCapture() {
    reset_log_sink();
    set_logging_level(old_threshold_);
}

std::vector<LogCapture::Entry> LogCapture::entries() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->entries;
}

std::size_t LogCapture::count(const std::string& pattern, std::string_view logger) const {
    RE2 re(pattern);
    std::size_t n = 0;
    for (const auto& e : entries()) {
        if (!logger.empty() && e.logger != logger) continue;
        if (RE2::PartialMatch(e.message, re)) ++n;
    }
    return n;
}

}  // namespace squall::testing
