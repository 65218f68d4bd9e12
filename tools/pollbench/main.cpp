// squall-pollbench: compares squall's poller backends, through the IOLoop, with a plain epoll
// loop on libevent's classic bench workload, and times timers and callbacks. A tool of squall;
// the channel workload is libevent's test/bench.c (N fds, A active, W writes per round).
#include <sched.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "squall/log.h"
#include "squall/poller/poller.h"
#include "svg_chart.h"
#include "workloads.h"

using namespace squall::bench;

namespace {

struct Options {
    std::vector<std::size_t> sizes{100, 1000, 10000, 100000};
    std::vector<std::string> backends;
    std::size_t active = 100, writes = 100, timers = 1000000, callbacks = 1000000;
    int runs = 5, rounds = 25, cpu = -1;
    bool quick = false, csv = false;
    std::string svg;
};

struct Row {
    std::string name;
    std::vector<double> us;  // per size; -1 = skipped
};

std::string ratio(double v, double floor) {
    if (v < 0 || floor <= 0) return "-";
    char b[32];
    std::snprintf(b, sizeof b, "%.2fx", v / floor);
    return b;
}

template <class F>
double measure(int runs, F&& f) {
    f();  // warm-up, discarded
    std::vector<double> v;
    for (int i = 0; i < runs; ++i) v.push_back(f());
    return median(v);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"squall-pollbench: squall's poller backends against a plain epoll loop"};
    app.add_flag("--quick", o.quick, "small sizes and counts: a few seconds");
    app.add_option("--backends", o.backends, "backends to run (default: all available)")->delimiter(',');
    app.add_option("--sizes", o.sizes, "channel counts N (default 100,1000,10000,100000)")->delimiter(',');
    app.add_option("--active", o.active, "A: active channels per round")->check(CLI::PositiveNumber);
    app.add_option("--writes", o.writes, "W: writes per round")->check(CLI::NonNegativeNumber);
    app.add_option("--runs", o.runs, "measurements per figure (median reported)")->check(CLI::PositiveNumber);
    app.add_option("--rounds", o.rounds, "rounds per measurement")->check(CLI::PositiveNumber);
    app.add_option("--timers", o.timers, "timers per timer measurement")->check(CLI::PositiveNumber);
    app.add_option("--callbacks", o.callbacks, "callbacks per callback measurement")->check(CLI::PositiveNumber);
    app.add_flag("--csv", o.csv, "print CSV instead of a table");
    app.add_option("--svg", o.svg, "write a chart of time per round against N to this file");
    app.add_option("--cpu", o.cpu, "pin to this CPU core")->check(CLI::NonNegativeNumber);
    CLI11_PARSE(app, argc, argv);

    squall::set_logging_level(squall::LogLevel::warning);
    if (o.quick) {
        o.sizes = {100, 1000};
        o.runs = 3;
        o.rounds = 10;
        o.timers = o.callbacks = 100000;
    }
    auto avail = squall::available_pollers();
    if (o.backends.empty())
        for (auto n : avail) o.backends.emplace_back(n);
    for (auto& b : o.backends) {
        if (std::find(avail.begin(), avail.end(), b) == avail.end()) {
            std::cerr << "squall-pollbench: backend '" << b << "' is not available; available:";
            for (auto n : avail) std::cerr << ' ' << n;
            std::cerr << '\n';
            return 2;
        }
    }
    if (o.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(o.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            std::perror("squall-pollbench: sched_setaffinity");
            return 2;
        }
    }

    std::vector<std::string> notes;
    std::vector<std::size_t> sizes;
    std::size_t limit = raise_fd_limit(descriptors_needed(*std::max_element(o.sizes.begin(), o.sizes.end())));
    for (auto n : o.sizes) {
        if (descriptors_needed(n) > limit) {
            notes.push_back("N=" + std::to_string(n) + " skipped: needs " +
                            std::to_string(descriptors_needed(n)) + " descriptors, RLIMIT_NOFILE allows " +
                            std::to_string(limit));
            continue;
        }
        sizes.push_back(n);
    }

    std::vector<Row> rows;
    Row floor_row{"plain-epoll", {}};
    for (auto n : sizes) {
        ChannelConfig cfg{n, std::min(o.active, n), o.writes, o.rounds};
        floor_row.us.push_back(measure(o.runs, [&] { return channel_round_us_plain_epoll(cfg); }));
    }
    rows.push_back(floor_row);
    for (auto& b : o.backends) {
        Row r{b, {}};
        for (auto n : sizes) {
            ChannelConfig cfg{n, std::min(o.active, n), o.writes, o.rounds};
            // select cannot watch descriptors past FD_SETSIZE.
            if (b == "select" && descriptors_needed(n) > 1000) {
                r.us.push_back(-1);
                continue;
            }
            r.us.push_back(measure(o.runs, [&] { return channel_round_us(b, cfg); }));
        }
        rows.push_back(r);
    }

    struct Micro {
        std::string backend;
        double cancel, fire, callback;
    };
    std::vector<Micro> micro;
    for (auto& b : o.backends) {
        Micro m{b, 0, 0, 0};
        m.cancel = measure(o.runs, [&] { return timer_ns(b, o.timers).schedule_cancel_ns; });
        m.fire = measure(o.runs, [&] { return timer_ns(b, o.timers).fire_ns; });
        m.callback = measure(o.runs, [&] { return callback_ns(b, o.callbacks); });
        micro.push_back(m);
    }

    std::ostringstream out;
    if (o.csv) {
        out << "workload,backend,n,value,unit,ratio_to_plain_epoll\n";
        for (auto& r : rows)
            for (std::size_t i = 0; i < sizes.size(); ++i)
                if (r.us[i] >= 0)
                    out << "channels," << r.name << ',' << sizes[i] << ',' << r.us[i] << ",us/round,"
                        << r.us[i] / rows[0].us[i] << '\n';
        for (auto& m : micro) {
            out << "timer_schedule_cancel," << m.backend << ',' << o.timers << ',' << m.cancel << ",ns,\n";
            out << "timer_fire," << m.backend << ',' << o.timers << ',' << m.fire << ",ns,\n";
            out << "add_callback," << m.backend << ',' << o.callbacks << ',' << m.callback << ",ns,\n";
        }
    } else {
        char line[256];
        out << "Channel workload (libevent bench): A=" << o.active << " active, W=" << o.writes
            << " writes per round; microseconds per round, median of " << o.runs
            << " runs (ratio to the plain epoll loop)\n\n";
        std::snprintf(line, sizeof line, "%-12s", "backend");
        out << line;
        for (auto n : sizes) {
            std::snprintf(line, sizeof line, " %20s", ("N=" + std::to_string(n)).c_str());
            out << line;
        }
        out << '\n';
        for (auto& r : rows) {
            std::snprintf(line, sizeof line, "%-12s", r.name.c_str());
            out << line;
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                std::string cell = r.us[i] < 0 ? "-" : ([&] {
                    char b[64];
                    std::snprintf(b, sizeof b, "%.1f (%s)", r.us[i], ratio(r.us[i], rows[0].us[i]).c_str());
                    return std::string(b);
                })();
                std::snprintf(line, sizeof line, " %20s", cell.c_str());
                out << line;
            }
            out << '\n';
        }
        out << "\nTimers (" << o.timers << ") and callbacks (" << o.callbacks
            << "), nanoseconds each, median of " << o.runs << " runs\n\n";
        std::snprintf(line, sizeof line, "%-12s %22s %14s %14s\n", "backend", "schedule+cancel",
                      "fire", "add_callback");
        out << line;
        for (auto& m : micro) {
            std::snprintf(line, sizeof line, "%-12s %22.1f %14.1f %14.1f\n", m.backend.c_str(),
                          m.cancel, m.fire, m.callback);
            out << line;
        }
    }
    for (auto& n : notes) out << "note: " << n << '\n';
    std::cout << out.str();

    if (!o.svg.empty()) {
        std::vector<double> xs(sizes.begin(), sizes.end());
        std::vector<Series> series;
        for (auto& r : rows) series.push_back({r.name, r.us});
        std::ofstream f(o.svg);
        f << svg_line_chart("squall-pollbench: time per round (A=" + std::to_string(o.active) +
                                ", W=" + std::to_string(o.writes) + ")",
                            "microseconds per round", xs, series);
        if (!f) {
            std::cerr << "squall-pollbench: cannot write " << o.svg << '\n';
            return 1;
        }
    }
    return 0;
}
