// The epoll backend. Internal. Models tornado/platform/epoll.py (4.0), which hands select.epoll
// to PollIOLoop: Tornado's event bits are epoll's, so translation is a mask.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "backends.h"

namespace squall::detail {
namespace {

static_assert(static_cast<std::uint32_t>(Events::read) == EPOLLIN);
static_assert(static_cast<std::uint32_t>(Events::write) == EPOLLOUT);
static_assert(static_cast<std::uint32_t>(Events::error) == (EPOLLERR | EPOLLHUP));

class EpollPoller final : public Poller {
public:
    EpollPoller() : epfd_(::epoll_create1(EPOLL_CLOEXEC)), out_(64) {
        if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    }
    ~EpollPoller() override { ::close(epfd_); }

    std::string_view name() const noexcept override { return "epoll"; }
    int fileno() const noexcept override { return epfd_; }

    std::error_code add(int fd, Events events) override { return ctl(EPOLL_CTL_ADD, fd, events); }
    std::error_code modify(int fd, Events events) override { return ctl(EPOLL_CTL_MOD, fd, events); }
    std::error_code remove(int fd) override { return ctl(EPOLL_CTL_DEL, fd, Events::none); }

    std::error_code poll(int timeout_ms, std::vector<ReadyEvent>& out) override {
        out.clear();
        int n = ::epoll_wait(epfd_, out_.data(), static_cast<int>(out_.size()), timeout_ms);
        if (n < 0) return errno == EINTR ? std::error_code{} : errno_code(errno);
        out.reserve(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            std::uint32_t e = out_[static_cast<size_t>(i)].events;
            // Urgent data (EPOLLPRI) wakes a reader too; anything else is not Tornado's.
            if (e & EPOLLPRI) e |= EPOLLIN;
            out.push_back({out_[static_cast<size_t>(i)].data.fd, static_cast<Events>(e & 0x1d)});
        }
        // A full buffer means more fds may be ready: give the next wait more room.
        if (static_cast<size_t>(n) == out_.size()) out_.resize(out_.size() * 2);
        return {};
    }

private:
    std::error_code ctl(int op, int fd, Events events) {
        epoll_event ev{};
        ev.events = static_cast<std::uint32_t>(events & (Events::read | Events::write));
        ev.data.fd = fd;
        if (::epoll_ctl(epfd_, op, fd, &ev) != 0) return errno_code(errno);
        return {};
    }

    int epfd_;
    std::vector<epoll_event> out_;
};

}  // namespace

std::unique_ptr<Poller> make_epoll_poller() { return std::make_unique<EpollPoller>(); }

}  // namespace squall::detail
