// The select(2) backend, the portable fallback. Internal. Models tornado/platform/select.py
// (4.0) `_Select`: three fd_sets, with a clear error instead of undefined behaviour for a
// descriptor at or above FD_SETSIZE.
#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "backends.h"
#include "squall/poller/errors.h"

namespace squall::detail {
namespace {

class SelectPoller final : public Poller {
public:
    SelectPoller() {
        FD_ZERO(&read_);
        FD_ZERO(&write_);
        FD_ZERO(&error_);
    }
    std::string_view name() const noexcept override { return "select"; }

    std::error_code add(int fd, Events events) override {
        if (fd < 0) return errno_code(EBADF);
        // FD_SET past FD_SETSIZE writes outside the set: refuse rather than corrupt memory.
        if (fd >= FD_SETSIZE) return PollerErrc::fd_too_large_for_select;
        if (FD_ISSET(fd, &error_)) return errno_code(EEXIST);
        fds_.push_back(fd);
        set(fd, events);
        return {};
    }
    std::error_code modify(int fd, Events events) override {
        if (fd < 0 || fd >= FD_SETSIZE || !FD_ISSET(fd, &error_)) return errno_code(ENOENT);
        set(fd, events);
        return {};
    }
    std::error_code remove(int fd) override {
        if (fd < 0 || fd >= FD_SETSIZE || !FD_ISSET(fd, &error_)) return errno_code(ENOENT);
        FD_CLR(fd, &read_);
        FD_CLR(fd, &write_);
        FD_CLR(fd, &error_);
        fds_.erase(std::find(fds_.begin(), fds_.end(), fd));
        return {};
    }
    std::error_code poll(int timeout_ms, std::vector<ReadyEvent>& out) override {
        out.clear();
        fd_set r = read_, w = write_, e = error_;
        int max_fd = fds_.empty() ? -1 : *std::max_element(fds_.begin(), fds_.end());
        timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        int n = ::select(max_fd + 1, &r, &w, &e, timeout_ms < 0 ? nullptr : &tv);
        if (n < 0) return errno == EINTR ? std::error_code{} : errno_code(errno);
        for (int fd : fds_) {
            Events ev = Events::none;
            if (FD_ISSET(fd, &r)) ev |= Events::read;
            if (FD_ISSET(fd, &w)) ev |= Events::write;
            if (FD_ISSET(fd, &e)) ev |= Events::error;
            if (ev != Events::none) out.push_back({fd, ev});
        }
        return {};
    }

private:
    void set(int fd, Events events) {
        // The error set doubles as the membership set: ERROR is always watched.
        FD_SET(fd, &error_);
        if (any(events, Events::read)) FD_SET(fd, &read_); else FD_CLR(fd, &read_);
        if (any(events, Events::write)) FD_SET(fd, &write_); else FD_CLR(fd, &write_);
    }

    fd_set read_, write_, error_;
    std::vector<int> fds_;
};

}  // namespace

std::unique_ptr<Poller> make_select_poller() { return std::make_unique<SelectPoller>(); }

}  // namespace squall::detail
