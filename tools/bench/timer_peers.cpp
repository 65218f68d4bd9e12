// squall-bench-timer-peers: the timer and callback workloads of squall-pollbench, run on
// libevent, libev and libuv so their costs can be compared in the same run. A benchmark tool of
// squall; each peer is used through its cheapest documented API for the job (named below).
#include <ev.h>
#include <event2/event.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using BenchClock = std::chrono::steady_clock;

double ns_per(BenchClock::time_point t0, std::size_t n) {
    return std::chrono::duration<double, std::nano>(BenchClock::now() - t0).count() /
           static_cast<double>(n);
}

struct Result {
    double cancel = 0, fire = 0, callback = -1;
};

// ---- libevent: evtimer_add/evtimer_del on preallocated events; event_active for callbacks ----
std::size_t g_count = 0, g_target = 0;
event_base* g_base = nullptr;
void ev2_cb(evutil_socket_t, short, void*) {
    if (++g_count == g_target) event_base_loopbreak(g_base);
}

Result run_libevent(std::size_t n) {
    Result r;
    g_base = event_base_new();
    std::vector<event*> evs(n);
    for (auto& e : evs) e = evtimer_new(g_base, ev2_cb, nullptr);
    for (int pass = 0; pass < 2; ++pass) {  // the first pass warms memory and is discarded
        auto t0 = BenchClock::now();
        for (std::size_t i = 0; i < n; ++i) {
            timeval tv{60, static_cast<suseconds_t>(i % 1000000)};
            evtimer_add(evs[i], &tv);
        }
        for (auto e : evs) evtimer_del(e);
        event_base_loop(g_base, EVLOOP_NONBLOCK);
        r.cancel = ns_per(t0, n);

        g_count = 0;
        g_target = n;
        t0 = BenchClock::now();
        timeval zero{0, 0};
        for (auto e : evs) evtimer_add(e, &zero);
        event_base_dispatch(g_base);
        r.fire = ns_per(t0, n);

        g_count = 0;
        t0 = BenchClock::now();
        for (auto e : evs) event_active(e, EV_TIMEOUT, 0);
        event_base_dispatch(g_base);
        r.callback = ns_per(t0, n);
    }
    for (auto e : evs) event_free(e);
    event_base_free(g_base);
    return r;
}

// ---- libev: ev_timer_start/ev_timer_stop; ev_feed_event for callbacks ----
struct ev_loop* g_ev = nullptr;
void libev_cb(struct ev_loop* loop, ev_timer* w, int) {
    ev_timer_stop(loop, w);
    if (++g_count == g_target) ev_break(loop, EVBREAK_ALL);
}

Result run_libev(std::size_t n) {
    Result r;
    g_ev = ev_loop_new(EVFLAG_AUTO);
    std::vector<ev_timer> timers(n);
    for (int pass = 0; pass < 2; ++pass) {
        auto t0 = BenchClock::now();
        for (std::size_t i = 0; i < n; ++i) {
            ev_timer_init(&timers[i], libev_cb, 60.0 + static_cast<double>(i) * 1e-6, 0.);
            ev_timer_start(g_ev, &timers[i]);
        }
        for (auto& t : timers) ev_timer_stop(g_ev, &t);
        ev_run(g_ev, EVRUN_NOWAIT);
        r.cancel = ns_per(t0, n);

        g_count = 0;
        g_target = n;
        t0 = BenchClock::now();
        for (auto& t : timers) {
            ev_timer_init(&t, libev_cb, 0., 0.);
            ev_timer_start(g_ev, &t);
        }
        ev_run(g_ev, 0);
        r.fire = ns_per(t0, n);

        g_count = 0;
        t0 = BenchClock::now();
        for (auto& t : timers) ev_feed_event(g_ev, &t, EV_TIMER);
        ev_run(g_ev, EVRUN_NOWAIT);
        r.callback = ns_per(t0, n);
    }
    ev_loop_destroy(g_ev);
    return r;
}

// ---- libuv: uv_timer_start/uv_timer_stop; libuv has no per-callback queue (uv_async_send
// coalesces), so no callback figure ----
uv_loop_t g_uv;
void uv_cb(uv_timer_t*) {
    if (++g_count == g_target) uv_stop(&g_uv);
}

Result run_libuv(std::size_t n) {
    Result r;
    uv_loop_init(&g_uv);
    std::vector<uv_timer_t> timers(n);
    for (auto& t : timers) uv_timer_init(&g_uv, &t);
    for (int pass = 0; pass < 2; ++pass) {
        auto t0 = BenchClock::now();
        for (std::size_t i = 0; i < n; ++i) uv_timer_start(&timers[i], uv_cb, 60000 + i / 1000, 0);
        for (auto& t : timers) uv_timer_stop(&t);
        uv_run(&g_uv, UV_RUN_NOWAIT);
        r.cancel = ns_per(t0, n);

        g_count = 0;
        g_target = n;
        t0 = BenchClock::now();
        for (auto& t : timers) uv_timer_start(&t, uv_cb, 0, 0);
        uv_run(&g_uv, UV_RUN_DEFAULT);
        r.fire = ns_per(t0, n);
    }
    for (auto& t : timers) uv_close(reinterpret_cast<uv_handle_t*>(&t), nullptr);
    uv_run(&g_uv, UV_RUN_DEFAULT);
    uv_loop_close(&g_uv);
    return r;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    if (n == 0 || runs <= 0) {
        std::fprintf(stderr, "usage: squall-bench-timer-peers [timers=1000000] [runs=5]\n");
        return 2;
    }
    std::printf("%-10s %22s %14s %14s   (ns each, median of %d runs, %zu timers)\n", "library",
                "schedule+cancel", "fire", "callback", runs, n);
    struct Peer {
        const char* name;
        Result (*run)(std::size_t);
    } peers[] = {{"libevent", run_libevent}, {"libev", run_libev}, {"libuv", run_libuv}};
    for (auto& p : peers) {
        std::vector<double> c, f, cb;
        for (int i = 0; i < runs; ++i) {
            Result r = p.run(n);
            c.push_back(r.cancel);
            f.push_back(r.fire);
            cb.push_back(r.callback);
        }
        double cbm = median(cb);
        char cbs[32] = "-";
        if (cbm >= 0) std::snprintf(cbs, sizeof cbs, "%.1f", cbm);
        std::printf("%-10s %22.1f %14.1f %14s\n", p.name, median(c), median(f), cbs);
    }
    return 0;
}
