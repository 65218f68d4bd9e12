// The poll(2) backend. Internal. Models Tornado 4.0's use of select.poll-style level-triggered
// polling: a dense pollfd array with an fd-to-slot index, so remove is a swap with the last.
#include <poll.h>

#include <cerrno>
#include <vector>

#include "backends.h"
#include "poll_bits.h"

namespace squall::detail {
namespace {

class PollPoller final : public Poller {
public:
    std::string_view name() const noexcept override { return "poll"; }

    std::error_code add(int fd, Events events) override {
        if (fd < 0) return errno_code(EBADF);
        if (static_cast<size_t>(fd) >= slot_.size()) slot_.resize(static_cast<size_t>(fd) + 1, -1);
        if (slot_[static_cast<size_t>(fd)] >= 0) return errno_code(EEXIST);
        slot_[static_cast<size_t>(fd)] = static_cast<int>(fds_.size());
        fds_.push_back({fd, static_cast<short>(to_poll_bits(events)), 0});
        return {};
    }
    std::error_code modify(int fd, Events events) override {
        int s = slot_of(fd);
        if (s < 0) return errno_code(ENOENT);
        fds_[static_cast<size_t>(s)].events = static_cast<short>(to_poll_bits(events));
        return {};
    }
    std::error_code remove(int fd) override {
        int s = slot_of(fd);
        if (s < 0) return errno_code(ENOENT);
        pollfd last = fds_.back();
        fds_[static_cast<size_t>(s)] = last;
        slot_[static_cast<size_t>(last.fd)] = s;
        fds_.pop_back();
        slot_[static_cast<size_t>(fd)] = -1;
        return {};
    }
    std::error_code poll(int timeout_ms, std::vector<ReadyEvent>& out) override {
        out.clear();
        int n = ::poll(fds_.data(), fds_.size(), timeout_ms);
        if (n < 0) return errno == EINTR ? std::error_code{} : errno_code(errno);
        for (const pollfd& p : fds_) {
            if (n == 0) break;
            if (p.revents == 0) continue;
            --n;
            out.push_back({p.fd, from_poll_bits(static_cast<unsigned short>(p.revents))});
        }
        return {};
    }

private:
    int slot_of(int fd) const {
        if (fd < 0 || static_cast<size_t>(fd) >= slot_.size()) return -1;
        return slot_[static_cast<size_t>(fd)];
    }

    std::vector<pollfd> fds_;
    std::vector<int> slot_;  // fd -> index in fds_, or -1
};

}  // namespace

std::unique_ptr<Poller> make_poll_poller() { return std::make_unique<PollPoller>(); }

}  // namespace squall::detail
