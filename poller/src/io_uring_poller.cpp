// The io_uring backend, readiness based: one IORING_OP_POLL_ADD per watched fd. Internal. No
// Tornado counterpart; it fills the same role as tornado/platform/epoll.py.
//
// Why one-shot polls re-armed on the next poll() rather than multishot: a multishot poll
// completes on each wake-up of the file (edge-like), so data left unread would not be reported
// again; a one-shot poll armed while the fd is still readable completes at once, which is exactly
// level-triggered behaviour, the Poller contract.
#include <liburing.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include "backends.h"
#include "poll_bits.h"

namespace squall::detail {
namespace {

constexpr unsigned kRingEntries = 1024;
constexpr std::uint64_t kIgnore = ~std::uint64_t{0};  // user_data of POLL_REMOVE requests

class IoUringPoller final : public Poller {
public:
    IoUringPoller() {
        io_uring_params params{};
        int rc = io_uring_queue_init_params(kRingEntries, &ring_, &params);
        if (rc < 0) throw PollerUnavailable(std::string("io_uring: ") + std::strerror(-rc));
    }
    ~IoUringPoller() override { io_uring_queue_exit(&ring_); }

    std::string_view name() const noexcept override { return "io_uring"; }
    int fileno() const noexcept override { return ring_.ring_fd; }

    std::error_code add(int fd, Events events) override {
        if (fd < 0) return errno_code(EBADF);
        if (static_cast<size_t>(fd) >= fds_.size()) fds_.resize(static_cast<size_t>(fd) + 1);
        FdState& s = fds_[static_cast<size_t>(fd)];
        if (s.active) return errno_code(EEXIST);
        s.active = true;
        s.mask = (to_poll_bits(events) | POLLERR | POLLHUP);
        ++s.gen;
        arm(fd, s);
        return {};
    }
    std::error_code modify(int fd, Events events) override {
        FdState* s = state(fd);
        if (!s) return errno_code(ENOENT);
        unsigned mask = (to_poll_bits(events) | POLLERR | POLLHUP);
        if (mask == s->mask) return {};
        s->mask = mask;
        if (s->armed) {
            cancel(fd, *s);
            ++s->gen;
            arm(fd, *s);
        }  // else it is re-armed with the new mask on the next poll()
        return {};
    }
    std::error_code remove(int fd) override {
        FdState* s = state(fd);
        if (!s) return errno_code(ENOENT);
        if (s->armed) cancel(fd, *s);
        s->active = false;
        s->armed = false;
        ++s->gen;  // a completion already queued for the old registration is now stale
        return {};
    }

    std::error_code poll(int timeout_ms, std::vector<ReadyEvent>& out) override {
        out.clear();
        for (int fd : rearm_) {
            FdState& s = fds_[static_cast<size_t>(fd)];
            if (s.active && !s.armed) arm(fd, s);
        }
        rearm_.clear();
        io_uring_cqe* cqe = nullptr;
        int rc;
        if (timeout_ms == 0) {
            io_uring_submit(&ring_);
            rc = io_uring_peek_cqe(&ring_, &cqe);
            if (rc == -EAGAIN) rc = 0;
        } else if (timeout_ms < 0) {
            rc = io_uring_submit_and_wait(&ring_, 1);
        } else {
            __kernel_timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000LL};
            rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
        }
        if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN) return errno_code(-rc);
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            ++seen;
            take(cqe, out);
        }
        io_uring_cq_advance(&ring_, seen);
        return {};
    }

private:
    struct FdState {
        std::uint32_t gen = 0;
        unsigned mask = 0;
        bool active = false;
        bool armed = false;
    };

    FdState* state(int fd) {
        if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return nullptr;
        FdState& s = fds_[static_cast<size_t>(fd)];
        return s.active ? &s : nullptr;
    }
    static std::uint64_t tag(int fd, std::uint32_t gen) {
        return (std::uint64_t{gen} << 32) | static_cast<std::uint32_t>(fd);
    }
    io_uring_sqe* sqe() {
        io_uring_sqe* e = io_uring_get_sqe(&ring_);
        if (!e) {  // the submission queue is full: hand it to the kernel and take a fresh slot
            io_uring_submit(&ring_);
            e = io_uring_get_sqe(&ring_);
        }
        return e;
    }
    void arm(int fd, FdState& s) {
        io_uring_sqe* e = sqe();
        io_uring_prep_poll_add(e, fd, s.mask);
        io_uring_sqe_set_data64(e, tag(fd, s.gen));
        s.armed = true;
    }
    void cancel(int fd, FdState& s) {
        io_uring_sqe* e = sqe();
        io_uring_prep_poll_remove(e, tag(fd, s.gen));
        io_uring_sqe_set_data64(e, kIgnore);
        s.armed = false;
    }
    void take(io_uring_cqe* cqe, std::vector<ReadyEvent>& out) {
        std::uint64_t data = io_uring_cqe_get_data64(cqe);
        if (data == kIgnore) return;
        int fd = static_cast<int>(data & 0xffffffffu);
        auto gen = static_cast<std::uint32_t>(data >> 32);
        if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return;
        FdState& s = fds_[static_cast<size_t>(fd)];
        if (!s.active || s.gen != gen || !s.armed) return;  // removed or re-registered since
        s.armed = false;
        rearm_.push_back(fd);
        if (cqe->res == -ECANCELED) return;
        Events ev = cqe->res < 0 ? Events::error : from_poll_bits(static_cast<unsigned>(cqe->res));
        if (ev != Events::none) out.push_back({fd, ev});
    }

    io_uring ring_{};
    std::vector<FdState> fds_;
    std::vector<int> rearm_;
};

}  // namespace

std::unique_ptr<Poller> make_io_uring_poller() {
    if (auto ec = probe_io_uring()) throw PollerUnavailable("io_uring: " + ec.message());
    return std::make_unique<IoUringPoller>();
}

std::error_code probe_io_uring() {
    static std::once_flag once;
    static std::error_code result;
    std::call_once(once, [] {
        io_uring ring{};
        int rc = io_uring_queue_init(8, &ring, 0);
        if (rc < 0) {
            result = errno_code(-rc);  // EPERM or ENOSYS in sandboxes that forbid io_uring
            return;
        }
        io_uring_probe* probe = io_uring_get_probe_ring(&ring);
        if (!probe || !io_uring_opcode_supported(probe, IORING_OP_POLL_ADD))
            result = errno_code(EOPNOTSUPP);
        if (probe) io_uring_free_probe(probe);
        io_uring_queue_exit(&ring);
    });
    return result;
}

}  // namespace squall::detail
