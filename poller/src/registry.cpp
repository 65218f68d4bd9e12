// available_pollers(), make_poller() and SQUALL_POLLER. Internal. Models Tornado 4.0's
// IOLoop.configurable_default (epoll, then kqueue, then select) with a run-time probe.
#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "backends.h"
#include "squall_poller_config.h"
#if SQUALL_HAVE_KQUEUE
#include "squall/poller/kqueue.h"
#endif

namespace squall {
namespace {

constexpr std::string_view kKnown[] = {"epoll", "kqueue", "io_uring", "poll", "select"};

std::unique_ptr<Poller> build(std::string_view name) {
#if SQUALL_HAVE_EPOLL
    if (name == "epoll") return detail::make_epoll_poller();
#endif
#if SQUALL_HAVE_KQUEUE
    if (name == "kqueue") return make_kqueue_poller({&::kqueue, &::kevent});
#endif
#if SQUALL_HAVE_IO_URING
    if (name == "io_uring") return detail::make_io_uring_poller();
#endif
    if (name == "poll") return detail::make_poll_poller();
    if (name == "select") return detail::make_select_poller();
    return nullptr;
}

std::string joined(std::span<const std::string_view> names) {
    std::string s;
    for (auto n : names) {
        if (!s.empty()) s += ", ";
        s += n;
    }
    return s;
}

}  // namespace

std::span<const std::string_view> known_pollers() noexcept { return kKnown; }

std::span<const std::string_view> available_pollers() {
    static std::vector<std::string_view> names;
    static std::once_flag once;
    std::call_once(once, [] {
        // Best first: the kernel's scalable interfaces, then the portable ones.
        for (std::string_view n : {"epoll", "kqueue", "io_uring", "poll", "select"}) {
#if SQUALL_HAVE_IO_URING
            if (n == "io_uring") {
                if (!detail::probe_io_uring()) names.push_back(n);
                continue;
            }
#endif
            try {
                if (build(n)) names.push_back(n);
            } catch (const std::exception&) {
                // compiled in but refused here: not available
            }
        }
    });
    return names;
}

std::unique_ptr<Poller> make_poller(std::string_view name) {
    std::string chosen(name);
    if (chosen.empty()) {
        if (const char* env = std::getenv("SQUALL_POLLER"); env && *env) chosen = env;
    }
    auto avail = available_pollers();
    if (chosen.empty()) {
        if (avail.empty()) throw PollerUnavailable("no poller backend works on this machine");
        chosen = avail.front();
    }
    if (std::find(kKnown, std::end(kKnown), chosen) == std::end(kKnown))
        throw PollerUnavailable("unknown poller backend '" + chosen + "' (available: " +
                                joined(avail) + ")");
    if (std::find(avail.begin(), avail.end(), chosen) == avail.end()) {
        std::string why;
#if SQUALL_HAVE_IO_URING
        if (chosen == "io_uring") why = ": " + detail::probe_io_uring().message();
#endif
        throw PollerUnavailable("poller backend '" + chosen + "' is not available here" + why +
                                " (available: " + joined(avail) + ")");
    }
    return build(chosen);
}

}  // namespace squall
