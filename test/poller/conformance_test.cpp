// The poller conformance suite, written once and run against every backend that works here plus
// the kqueue backend over its emulation. Ports the readiness contract that Tornado 4.0's
// ioloop_test.py relies on (folly's typed EventBase tests are the model for the shape).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "fake_kqueue.h"
#include "socket_pair.h"
#include "squall/poller/poller.h"

using namespace squall;
using Pair = squall::testing::SocketPair;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> backends_under_test() {
    std::vector<std::string> names;
    for (auto n : available_pollers()) names.emplace_back(n);
    names.emplace_back("kqueue-fake");
    return names;
}

std::unique_ptr<Poller> make_backend(const std::string& name) {
    if (name == "kqueue-fake") return make_kqueue_poller(squall::testing::fake_kevent_api());
    return make_poller(name);
}


std::vector<ReadyEvent> poll_once(Poller& p, int timeout_ms = 0) {
    std::vector<ReadyEvent> out;
    auto ec = p.poll(timeout_ms, out);
    REQUIRE_FALSE(ec);
    return out;
}

Events events_for(const std::vector<ReadyEvent>& evs, int fd) {
    Events e = Events::none;
    for (auto& r : evs)
        if (r.fd == fd) e |= r.events;
    return e;
}

int count_for(const std::vector<ReadyEvent>& evs, int fd) {
    return static_cast<int>(std::count_if(evs.begin(), evs.end(), [fd](auto& r) { return r.fd == fd; }));
}

/// Poll until `fd` shows up (a few rounds of up to 1 s: readiness may take a moment to land).
Events wait_for(Poller& p, int fd) {
    for (int i = 0; i < 5; ++i) {
        auto evs = poll_once(p, 1000);
        if (Events e = events_for(evs, fd); e != Events::none) return e;
    }
    return Events::none;
}

}  // namespace

TEST_CASE("poller conformance", "[poller]") {
    const std::string name = GENERATE(from_range(backends_under_test()));
    CAPTURE(name);
    auto poller = make_backend(name);
    REQUIRE(poller);
    Poller& p = *poller;

    SECTION("name is the backend's") {
        CHECK(p.name() == (name == "kqueue-fake" ? "kqueue" : name));
    }

    SECTION("nothing ready: a zero timeout returns at once with no events") {
        Pair s;
        REQUIRE_FALSE(p.add(s.a, Events::read));
        CHECK(poll_once(p, 0).empty());
    }

    SECTION("read readiness, reported again while data is left (level triggered)") {
        Pair s;
        REQUIRE_FALSE(p.add(s.a, Events::read));
        REQUIRE(::write(s.b, "xy", 2) == 2);
        CHECK(any(wait_for(p, s.a), Events::read));
        char c;
        REQUIRE(::read(s.a, &c, 1) == 1);
        CHECK(any(events_for(poll_once(p, 1000), s.a), Events::read));
        REQUIRE(::read(s.a, &c, 1) == 1);
        CHECK(events_for(poll_once(p, 0), s.a) == Events::none);
    }

    SECTION("write readiness, and read and write together in one event") {
        Pair s;
        REQUIRE_FALSE(p.add(s.a, Events::read | Events::write));
        REQUIRE(::write(s.b, "x", 1) == 1);
        std::vector<ReadyEvent> evs;
        Events e = Events::none;
        for (int i = 0; i < 5 && !(any(e, Events::read) && any(e, Events::write)); ++i) {
            evs = poll_once(p, 1000);
            e = events_for(evs, s.a);
        }
        CHECK(any(e, Events::read));
        CHECK(any(e, Events::write));
        CHECK(count_for(evs, s.a) == 1);
    }

    SECTION("peer close is reported and the read sees EOF") {
        Pair s;
        REQUIRE_FALSE(p.add(s.a, Events::read));
        s.close_b();
        Events e = wait_for(p, s.a);
        CHECK(any(e, Events::read | Events::error));
        char c;
        CHECK(::read(s.a, &c, 1) == 0);
    }

    SECTION("a refused connect is reported as an error or a failed write") {
        int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
        ::close(listener);  // nothing listens on that port now
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        REQUIRE((rc == 0 || errno == EINPROGRESS || errno == ECONNREFUSED));
        REQUIRE_FALSE(p.add(fd, Events::write));
        Events e = wait_for(p, fd);
        CHECK(e != Events::none);
        int err = 0;
        len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        CHECK(err == ECONNREFUSED);
        if (name == "epoll" || name == "poll" || name == "io_uring" || name == "kqueue-fake")
            CHECK(any(e, Events::error));
        p.remove(fd);
        ::close(fd);
    }

    SECTION("modify drops and adds interest") {
        Pair s;
        REQUIRE_FALSE(p.add(s.a, Events::write));
        CHECK(any(wait_for(p, s.a), Events::write));
        REQUIRE_FALSE(p.modify(s.a, Events::read));
        CHECK(events_for(poll_once(p, 0), s.a) == Events::none);
        REQUIRE(::write(s.b, "x", 1) == 1);
        Events e = wait_for(p, s.a);
        CHECK(any(e, Events::read));
        CHECK_FALSE(any(e, Events::write));
    }

    SECTION("remove stops events; no stale events after close and fd reuse") {
        Pair s;
        REQUIRE_FALSE(p.add(s.a, Events::read));
        REQUIRE(::write(s.b, "x", 1) == 1);
        REQUIRE_FALSE(p.remove(s.a));
        CHECK(events_for(poll_once(p, 0), s.a) == Events::none);

        // Re-add, make ready, remove, close, and reuse the number for a quiet descriptor.
        REQUIRE_FALSE(p.add(s.a, Events::read));
        CHECK(any(wait_for(p, s.a), Events::read));
        int number = s.a;
        REQUIRE_FALSE(p.remove(number));
        ::close(number);
        Pair quiet;
        REQUIRE(::dup2(quiet.a, number) == number);
        s.a = number;  // now a quiet socket under the old number
        REQUIRE_FALSE(p.add(number, Events::read));
        CHECK(events_for(poll_once(p, 50), number) == Events::none);
        REQUIRE_FALSE(p.remove(number));
    }

    SECTION("errors: add twice, modify or remove an unknown fd") {
        Pair s;
        REQUIRE_FALSE(p.add(s.a, Events::read));
        CHECK(p.add(s.a, Events::read));
        Pair other;
        CHECK(p.modify(other.a, Events::read));
        CHECK(p.remove(other.a));
        REQUIRE_FALSE(p.remove(s.a));
        CHECK(p.remove(s.a));
    }

    SECTION("a timeout is waited out") {
        Pair s;
        REQUIRE_FALSE(p.add(s.a, Events::read));
        auto start = Clock::now();
        auto evs = poll_once(p, 50);
        CHECK(evs.empty());
        CHECK(Clock::now() - start >= std::chrono::milliseconds(45));
    }

    SECTION("many fds are all reported") {
        std::vector<std::unique_ptr<Pair>> pairs;
        for (int i = 0; i < 300; ++i) {
            pairs.push_back(std::make_unique<Pair>());
            REQUIRE_FALSE(p.add(pairs.back()->a, Events::read));
            REQUIRE(::write(pairs.back()->b, "x", 1) == 1);
        }
        std::vector<int> seen;
        for (int round = 0; round < 20 && seen.size() < pairs.size(); ++round) {
            for (auto& r : poll_once(p, 1000)) {
                char c;
                if (any(r.events, Events::read) && ::read(r.fd, &c, 1) == 1) seen.push_back(r.fd);
            }
        }
        CHECK(seen.size() == pairs.size());
        for (auto& pr : pairs) p.remove(pr->a);
    }
}

namespace {
void on_signal(int) {}
}  // namespace

TEST_CASE("an interrupted wait returns success and no events", "[poller][threads]") {
    const std::string name = GENERATE(from_range(backends_under_test()));
    CAPTURE(name);
    auto poller = make_backend(name);
    Pair s;
    REQUIRE_FALSE(poller->add(s.a, Events::read));

    struct sigaction sa {}, old{};
    sa.sa_handler = on_signal;  // no SA_RESTART: the wait must come back with EINTR
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGUSR2, &sa, &old);
    pthread_t target = pthread_self();
    std::atomic<bool> returned{false};
    // The poll may not have started when a signal lands, so keep signalling until it returns.
    std::thread sender([&] {
        while (!returned.load()) {
            ::pthread_kill(target, SIGUSR2);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    auto start = Clock::now();
    std::vector<ReadyEvent> out{{99, Events::read}};
    auto ec = poller->poll(5000, out);
    returned = true;
    sender.join();
    ::sigaction(SIGUSR2, &old, nullptr);
    CHECK_FALSE(ec);
    CHECK(out.empty());
    CHECK(Clock::now() - start < std::chrono::milliseconds(4000));
}
