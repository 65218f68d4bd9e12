// The timed workloads of squall-pollbench. Internal to the tool. Channels are socketpair ends:
// each socketpair carries two channels (one per direction), so N channels use N descriptors and
// N = 10,000 fits the 20,000-descriptor limit common in containers; every descriptor is
// registered, as in libevent's bench.
#include "workloads.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "squall/ioloop.h"

namespace squall::bench {
namespace {

using BenchClock = std::chrono::steady_clock;

double us_since(BenchClock::time_point t0) {
    return std::chrono::duration<double, std::micro>(BenchClock::now() - t0).count();
}

/// N channels: channel c reads on rd[c] and is written through wr[c].
struct Channels {
    std::vector<int> rd, wr;
    explicit Channels(std::size_t n) {
        rd.resize(n);
        wr.resize(n);
        for (std::size_t c = 0; c < n; c += 2) {
            int fds[2];
            if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
                throw std::system_error(errno, std::generic_category(), "socketpair");
            rd[c] = fds[0];
            wr[c] = fds[1];
            if (c + 1 < n) {
                rd[c + 1] = fds[1];
                wr[c + 1] = fds[0];
            }
        }
    }
    ~Channels() {
        for (std::size_t c = 0; c < rd.size(); c += 2) {
            ::close(rd[c]);
            ::close(wr[c]);
        }
    }
    Channels(const Channels&) = delete;
    Channels& operator=(const Channels&) = delete;
};

/// The per-round state shared by both implementations.
struct Round {
    std::size_t count = 0;   // bytes read
    std::size_t fired = 0;   // bytes written
    std::size_t writes = 0;  // writes still to make from handlers
    void start(const Channels& ch, const ChannelConfig& cfg) {
        count = 0;
        fired = 0;
        writes = cfg.writes;
        std::size_t space = std::max<std::size_t>(1, ch.rd.size() / cfg.active);
        for (std::size_t i = 0; i < cfg.active; ++i) {
            std::size_t c = (i * space) % ch.rd.size();
            if (::send(ch.wr[c], "e", 1, 0) == 1) ++fired;
        }
    }
    /// What a read handler does; returns true when the round is over.
    bool on_readable(const Channels& ch, std::size_t c) {
        char b;
        if (::recv(ch.rd[c], &b, 1, 0) != 1) return false;
        ++count;
        if (writes > 0) {
            std::size_t next = c + 1 == ch.rd.size() ? 0 : c + 1;
            if (::send(ch.wr[next], "e", 1, 0) == 1) ++fired;
            --writes;
        }
        return count == fired;
    }
};

}  // namespace

std::size_t descriptors_needed(std::size_t channels) { return channels + (channels & 1) + 64; }

std::size_t raise_fd_limit(std::size_t wanted) {
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_cur < wanted) {
        lim.rlim_cur = std::min<rlim_t>(wanted, lim.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &lim);
        ::getrlimit(RLIMIT_NOFILE, &lim);
    }
    return lim.rlim_cur;
}

double channel_round_us(const std::string& backend, const ChannelConfig& cfg) {
    IOLoop loop(make_poller(backend));
    Channels ch(cfg.channels);
    Round round;
    for (std::size_t c = 0; c < ch.rd.size(); ++c) {
        loop.add_handler(ch.rd[c], [&, c](int, Events) {
            if (round.on_readable(ch, c)) loop.stop();
        }, IOLoop::READ);
    }
    double total = 0;
    for (int r = 0; r < cfg.rounds; ++r) {
        auto t0 = BenchClock::now();
        round.start(ch, cfg);
        if (round.fired > 0) loop.start();
        total += us_since(t0);
    }
    for (int fd : ch.rd) loop.remove_handler(fd);
    return total / cfg.rounds;
}

double channel_round_us_plain_epoll(const ChannelConfig& cfg) {
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    Channels ch(cfg.channels);
    for (std::size_t c = 0; c < ch.rd.size(); ++c) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = c;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, ch.rd[c], &ev);
    }
    std::vector<epoll_event> events(1024);
    Round round;
    double total = 0;
    for (int r = 0; r < cfg.rounds; ++r) {
        auto t0 = BenchClock::now();
        round.start(ch, cfg);
        bool done = round.fired == 0;
        while (!done) {
            int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
            for (int i = 0; i < n && !done; ++i)
                done = round.on_readable(ch, static_cast<std::size_t>(events[static_cast<std::size_t>(i)].data.u64));
        }
        total += us_since(t0);
    }
    ::close(ep);
    return total / cfg.rounds;
}

TimerResult timer_ns(const std::string& backend, std::size_t count) {
    IOLoop loop(make_poller(backend));
    TimerResult result{};
    std::vector<TimeoutHandle> handles(count);
    std::size_t ran = 0;
    for (int pass = 0; pass < 2; ++pass) {  // the first pass warms memory and is discarded
        auto t0 = BenchClock::now();
        for (std::size_t i = 0; i < count; ++i)
            handles[i] = loop.call_later(std::chrono::seconds(60) + std::chrono::microseconds(i),
                                         [&] { ++ran; });
        for (auto h : handles) loop.remove_timeout(h);
        loop.add_callback([&] { loop.stop(); });
        loop.start();  // one iteration: the lazy clean-up of the cancelled timers counts too
        result.schedule_cancel_ns = us_since(t0) * 1000.0 / static_cast<double>(count);

        ran = 0;
        t0 = BenchClock::now();
        for (std::size_t i = 0; i < count; ++i)
            loop.call_later(Duration::zero(), [&] {
                if (++ran == count) loop.stop();
            });
        loop.start();
        result.fire_ns = us_since(t0) * 1000.0 / static_cast<double>(count);
        if (ran != count) throw std::logic_error("timer workload: not every timer ran");
    }
    return result;
}

double callback_ns(const std::string& backend, std::size_t count) {
    IOLoop loop(make_poller(backend));
    std::size_t ran = 0;
    double ns = 0;
    for (int pass = 0; pass < 2; ++pass) {  // the first pass warms memory and is discarded
        ran = 0;
        auto t0 = BenchClock::now();
        for (std::size_t i = 0; i < count; ++i)
            loop.add_callback([&] {
                if (++ran == count) loop.stop();
            });
        loop.start();
        ns = us_since(t0) * 1000.0 / static_cast<double>(count);
    }
    return ns;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace squall::bench
