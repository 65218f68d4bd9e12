// Backend-specific tests: the registry and SQUALL_POLLER, select's FD_SETSIZE limit, io_uring's
// run-time probe and the kqueue backend's handling of kernel quirks (over the emulation).
// Models Tornado 4.0's IOLoop.configure / configurable_default and tornado/platform/kqueue.py.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "catch.h"
#include "fake_kqueue.h"
#include "socket_pair.h"
#include "squall/poller/errors.h"
#include "squall/poller/poller.h"

using namespace squall;
using Pair = squall::testing::SocketPair;

namespace {
bool available(std::string_view name) {
    auto a = available_pollers();
    return std::find(a.begin(), a.end(), name) != a.end();
}
}  // namespace

TEST_CASE("available pollers are known, usable and best first", "[poller][registry]") {
    auto avail = available_pollers();
    REQUIRE_FALSE(avail.empty());
    auto known = known_pollers();
    for (auto n : avail) {
        CHECK(std::find(known.begin(), known.end(), n) != known.end());
        auto p = make_poller(n);
        CHECK(p->name() == n);
    }
#ifdef __linux__
    CHECK(avail.front() == "epoll");
    CHECK_FALSE(available("kqueue"));  // no kernel kqueue here, only the emulation
    CHECK(available("poll"));
    CHECK(available("select"));
#endif
}

TEST_CASE("unknown or unavailable backends are clear errors", "[poller][registry]") {
    try {
        make_poller("nope");
        FAIL("no exception");
    } catch (const PollerUnavailable& e) {
        std::string what = e.what();
        CHECK(what.find("unknown poller backend 'nope'") != std::string::npos);
        CHECK(what.find(std::string(available_pollers().front())) != std::string::npos);
    }
#ifdef __linux__
    CHECK_THROWS_AS(make_poller("kqueue"), PollerUnavailable);
#endif
}

TEST_CASE("SQUALL_POLLER picks the backend when no name is given", "[poller][registry]") {
    const char* old = std::getenv("SQUALL_POLLER");
    std::string saved = old ? old : "";
    ::setenv("SQUALL_POLLER", "select", 1);
    CHECK(make_poller()->name() == "select");
    CHECK(make_poller("poll")->name() == "poll");  // an explicit name wins
    ::setenv("SQUALL_POLLER", "bogus", 1);
    CHECK_THROWS_AS(make_poller(), PollerUnavailable);
    if (old)
        ::setenv("SQUALL_POLLER", saved.c_str(), 1);
    else
        ::unsetenv("SQUALL_POLLER");
}

TEST_CASE("io_uring is listed exactly when it can be built", "[poller][io_uring]") {
    bool listed = available("io_uring");
    bool builds = true;
    try {
        make_poller("io_uring");
    } catch (const PollerUnavailable&) {
        builds = false;
    }
    CHECK(listed == builds);
    if (!listed) WARN("io_uring is not available on this machine; its conformance run was skipped");
}

TEST_CASE("select refuses a descriptor at or above FD_SETSIZE with a clear error",
          "[poller][select]") {
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    const rlim_t need = FD_SETSIZE + 16;
    rlimit raised = lim;
    if (raised.rlim_cur < need) {
        raised.rlim_cur = std::min<rlim_t>(need, lim.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &raised);
    }
    Pair s;
    int high = ::fcntl(s.a, F_DUPFD_CLOEXEC, FD_SETSIZE + 5);
    if (high < 0) {
        WARN("cannot open a descriptor above FD_SETSIZE here (RLIMIT_NOFILE); test skipped");
        return;
    }
    auto p = make_poller("select");
    std::error_code ec = p->add(high, Events::read);
    CHECK(ec == PollerErrc::fd_too_large_for_select);
    CHECK(ec.message().find("FD_SETSIZE") != std::string::npos);
    ::close(high);
    ::setrlimit(RLIMIT_NOFILE, &lim);
}

TEST_CASE("kqueue: a batch refused with EINVAL falls back to one change at a time",
          "[poller][kqueue-fake]") {
    auto p = make_kqueue_poller(squall::testing::fake_kevent_api({.einval_on_batches = true}));
    Pair s;
    REQUIRE_FALSE(p->add(s.a, Events::read | Events::write));
    REQUIRE(::write(s.b, "x", 1) == 1);
    std::vector<ReadyEvent> out;
    REQUIRE_FALSE(p->poll(1000, out));
    REQUIRE(out.size() == 1);  // both filters merged into one event
    CHECK(any(out[0].events, Events::read));
    CHECK(any(out[0].events, Events::write));
    CHECK(p->needs_reinit_after_fork());
}

TEST_CASE("kqueue: READ and WRITE use separate filters and are batched",
          "[poller][kqueue-fake]") {
    auto p = make_kqueue_poller(squall::testing::fake_kevent_api());
    Pair s;
    REQUIRE_FALSE(p->add(s.a, Events::read | Events::write));
    CHECK(squall::testing::fake_kevent_change_calls() == 1);
    REQUIRE_FALSE(p->remove(s.a));
}

TEST_CASE("kqueue: a change the kernel refuses is an error from add()", "[poller][kqueue-fake]") {
    for (bool records : {false, true}) {
        auto p = make_kqueue_poller(squall::testing::fake_kevent_api({.error_records = records}));
        int closed_fd;
        {
            Pair s;
            closed_fd = s.a;
        }
        std::error_code ec = p->add(closed_fd, Events::read);
        CHECK(ec == std::errc::bad_file_descriptor);
        // The failed registration is not remembered: a later remove is "not registered".
        CHECK(p->remove(closed_fd) == std::errc::no_such_file_or_directory);
    }
}
