// The kqueue emulation: a change list applied to an fd -> filters map, and waits done with
// poll(2). Internal test support for the kqueue backend (see fake_kqueue.h).
#include "fake_kqueue.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <vector>

namespace squall::testing {
namespace {

struct Filters {
    bool read = false;
    bool write = false;
};

FakeKqueueQuirks g_quirks;
std::map<int, Filters> g_fds;
int g_change_calls = 0;

int fake_kqueue() {
    g_fds.clear();
    // A real descriptor, so the backend's close() and fileno() behave as with a kernel kqueue.
    return ::eventfd(0, EFD_CLOEXEC);
}

int apply(const struct kevent& c) {
    int fd = static_cast<int>(c.ident);
    if (c.flags & EV_ADD) {
        if (::fcntl(fd, F_GETFD) < 0) return EBADF;
        Filters& f = g_fds[fd];
        (c.filter == EVFILT_READ ? f.read : f.write) = true;
        return 0;
    }
    if (c.flags & EV_DELETE) {
        auto it = g_fds.find(fd);
        if (it == g_fds.end()) return ENOENT;
        bool& flag = c.filter == EVFILT_READ ? it->second.read : it->second.write;
        if (!flag) return ENOENT;
        flag = false;
        if (!it->second.read && !it->second.write) g_fds.erase(it);
        return 0;
    }
    return EINVAL;
}

int fake_kevent(int, const struct kevent* changes, int nchanges, struct kevent* events,
                int nevents, const struct timespec* timeout) {
    int produced = 0;
    if (nchanges > 0) {
        ++g_change_calls;
        if (g_quirks.einval_on_batches && nchanges > 1) {
            errno = EINVAL;
            return -1;
        }
        for (int i = 0; i < nchanges; ++i) {
            int err = apply(changes[i]);
            if (err == 0) continue;
            if (g_quirks.error_records && produced < nevents) {
                events[produced] = changes[i];
                events[produced].flags = EV_ERROR;
                events[produced].data = err;
                ++produced;
                continue;
            }
            errno = err;
            return -1;
        }
    }
    if (nevents == 0 || produced > 0) return produced;

    std::vector<pollfd> pfds;
    for (auto& [fd, f] : g_fds) {
        short want = 0;
        if (f.read) want |= POLLIN;
        if (f.write) want |= POLLOUT;
        pfds.push_back({fd, want, 0});
    }
    int ms = timeout ? static_cast<int>(timeout->tv_sec * 1000 + timeout->tv_nsec / 1000000) : -1;
    int n = ::poll(pfds.data(), pfds.size(), ms);
    if (n < 0) return -1;  // errno (EINTR) as the kernel would give it
    for (const pollfd& p : pfds) {
        if (p.revents == 0) continue;
        const Filters& f = g_fds[p.fd];
        bool eof = p.revents & (POLLHUP | POLLERR);
        if (f.read && (p.revents & (POLLIN | POLLHUP | POLLERR)) && produced < nevents) {
            struct kevent& k = events[produced++];
            int avail = 0;
            ::ioctl(p.fd, FIONREAD, &avail);
            // fflags stays 0: the kernel puts the socket error there, but reading SO_ERROR here
            // would clear it before the code under test can see it.
            EV_SET(&k, static_cast<uintptr_t>(p.fd), EVFILT_READ, eof ? EV_EOF : 0, 0, avail,
                   nullptr);
        }
        if (f.write && (p.revents & (POLLOUT | POLLHUP | POLLERR)) && produced < nevents) {
            struct kevent& k = events[produced++];
            // Like the kernel: a write filter on a socket whose connect failed reports EV_EOF.
            EV_SET(&k, static_cast<uintptr_t>(p.fd), EVFILT_WRITE, eof ? EV_EOF : 0, 0, 0, nullptr);
        }
    }
    return produced;
}

}  // namespace

KeventApi fake_kevent_api(FakeKqueueQuirks quirks) {
    g_quirks = quirks;
    g_change_calls = 0;
    return {&fake_kqueue, &fake_kevent};
}

int fake_kevent_change_calls() { return g_change_calls; }

}  // namespace squall::testing
