// The kqueue backend: separate READ and WRITE filters per fd, translated to Tornado's bits.
// Internal. Models tornado/platform/kqueue.py (4.0) `_KQueue`, including its rule that EV_EOF on
// the write filter (a refused connect) is an ERROR.
#include <unistd.h>

#include <cerrno>
#include <unordered_map>
#include <vector>

#include "backends.h"
#include "squall/poller/kqueue.h"

namespace squall {
namespace {

class KqueuePoller final : public Poller {
public:
    explicit KqueuePoller(KeventApi api) : api_(api), kq_(api.kqueue()) {
        if (kq_ < 0) throw std::system_error(errno, std::generic_category(), "kqueue");
    }
    ~KqueuePoller() override { ::close(kq_); }

    std::string_view name() const noexcept override { return "kqueue"; }
    int fileno() const noexcept override { return kq_; }
    bool needs_reinit_after_fork() const noexcept override { return true; }

    std::error_code add(int fd, Events events) override {
        if (fd < 0) return detail::errno_code(EBADF);
        if (interest_.count(fd)) return detail::errno_code(EEXIST);
        if (auto ec = control(fd, events, EV_ADD)) return ec;
        interest_[fd] = events;
        return {};
    }
    std::error_code modify(int fd, Events events) override {
        auto it = interest_.find(fd);
        if (it == interest_.end()) return detail::errno_code(ENOENT);
        Events old = it->second;
        interest_.erase(it);
        control(fd, old, EV_DELETE);
        return add(fd, events);
    }
    std::error_code remove(int fd) override {
        auto it = interest_.find(fd);
        if (it == interest_.end()) return detail::errno_code(ENOENT);
        Events old = it->second;
        interest_.erase(it);
        // The fd may be closed already, which removes its filters (ENOENT/EBADF): fine.
        control(fd, old, EV_DELETE);
        return {};
    }

    std::error_code poll(int timeout_ms, std::vector<ReadyEvent>& out) override {
        out.clear();
        buffer_.resize(std::max<size_t>(64, interest_.size() * 2));
        timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
        int n = api_.kevent(kq_, nullptr, 0, buffer_.data(), static_cast<int>(buffer_.size()),
                            timeout_ms < 0 ? nullptr : &ts);
        if (n < 0) return errno == EINTR ? std::error_code{} : detail::errno_code(errno);
        slot_.clear();
        for (int i = 0; i < n; ++i) {
            const struct kevent& k = buffer_[static_cast<size_t>(i)];
            int fd = static_cast<int>(k.ident);
            Events ev = Events::none;
            if (k.flags & EV_ERROR) {
                ev = Events::error;  // data holds the errno of a failed change
            } else if (k.filter == EVFILT_READ) {
                ev = Events::read;
                if ((k.flags & EV_EOF) && k.fflags != 0) ev |= Events::error;
            } else if (k.filter == EVFILT_WRITE) {
                // EV_EOF on the write side is how a refused connect shows up: an error.
                ev = (k.flags & EV_EOF) ? Events::error : Events::write;
            }
            // One fd can come back once per filter; report it once with both bits.
            auto [it, fresh] = slot_.try_emplace(fd, out.size());
            if (fresh)
                out.push_back({fd, ev});
            else
                out[it->second].events |= ev;
        }
        return {};
    }

private:
    std::error_code control(int fd, Events events, unsigned short action) {
        struct kevent changes[2];
        int n = 0;
        if (any(events, Events::write)) {
            EV_SET(&changes[n], static_cast<uintptr_t>(fd), EVFILT_WRITE, action, 0, 0, nullptr);
            ++n;
        }
        // With no READ or WRITE asked, watch the read filter anyway: it carries EOF and errors.
        if (any(events, Events::read) || n == 0) {
            EV_SET(&changes[n], static_cast<uintptr_t>(fd), EVFILT_READ, action, 0, 0, nullptr);
            ++n;
        }
        if (!one_at_a_time_) {
            if (api_.kevent(kq_, changes, n, nullptr, 0, nullptr) == 0) return {};
            // Some macOS versions refuse a batch with EINVAL; from then on send changes singly.
            if (errno != EINVAL || n == 1) return detail::errno_code(errno);
            one_at_a_time_ = true;
        }
        std::error_code first;
        for (int i = 0; i < n; ++i) {
            if (api_.kevent(kq_, &changes[i], 1, nullptr, 0, nullptr) != 0 && !first)
                first = detail::errno_code(errno);
        }
        return first;
    }

    KeventApi api_;
    int kq_;
    bool one_at_a_time_ = false;
    std::unordered_map<int, Events> interest_;
    std::vector<struct kevent> buffer_;
    std::unordered_map<int, size_t> slot_;
};

}  // namespace

std::unique_ptr<Poller> make_kqueue_poller(KeventApi api) {
    return std::make_unique<KqueuePoller>(api);
}

}  // namespace squall
