// squall-pollbench: compares squall's poller backends, through the IOLoop, with a plain epoll
// loop on libevent's classic bench workload, times timers and callbacks, and ends with the
// backend to pick on this machine. A tool of squall; the channel workload is libevent's
// test/bench.c (N fds, A active, W writes per round).
#include <sched.h>
#include <sys/select.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "machine.h"
#include "recommend.h"
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

/// The channel workload's figures: the plain epoll loop, then one series per backend.
struct ChannelResults {
    std::vector<double> sizes;
    Series floor;
    std::vector<Series> backends;
};

struct Micro {
    std::string backend;
    double cancel, fire, callback;
};

std::optional<int> parse_options(int argc, char** argv, Options& o) {
    CLI::App app{"squall-pollbench: squall's poller backends against a plain epoll loop"};
    app.add_flag("--quick", o.quick, "small sizes and counts: a few seconds");
    app.add_option("--backends", o.backends, "backends to run (default: all available)")->delimiter(',');
    app.add_option("--sizes", o.sizes, "channel counts N (default 100,1000,10000,100000)")->delimiter(',');
    app.add_option("--active", o.active, "A: active channels per round")->check(CLI::PositiveNumber);
    app.add_option("--writes", o.writes, "W: writes per round")->check(CLI::NonNegativeNumber);
    app.add_option("--runs", o.runs, "measurements per figure (median reported)")->check(CLI::PositiveNumber);
    app.add_option("--rounds", o.rounds, "rounds per measurement")->check(CLI::PositiveNumber);
    app.add_option("--timers", o.timers, "timers per timer measurement")->check(CLI::PositiveNumber);
    app.add_option("--callbacks", o.callbacks, "callbacks per callback measurement")
        ->check(CLI::PositiveNumber);
    app.add_flag("--csv", o.csv, "print CSV instead of a table (notes and the recommendation go to stderr)");
    app.add_option("--svg", o.svg, "write a chart of time per round against N to this file");
    app.add_option("--cpu", o.cpu, "pin to this CPU core")->check(CLI::NonNegativeNumber);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (o.quick) {
        o.sizes = {100, 1000};
        o.runs = 3;
        o.rounds = 10;
        o.timers = o.callbacks = 100000;
    }
    return std::nullopt;
}

/// Fills in every available backend when none was named; false if a named one is missing.
bool resolve_backends(Options& o) {
    auto avail = squall::available_pollers();
    if (o.backends.empty())
        for (auto n : avail) o.backends.emplace_back(n);
    for (auto& b : o.backends) {
        if (std::find(avail.begin(), avail.end(), b) != avail.end()) continue;
        std::cerr << "squall-pollbench: backend '" << b << "' is not available; available:";
        for (auto n : avail) std::cerr << ' ' << n;
        std::cerr << '\n';
        return false;
    }
    return true;
}

bool pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == 0) return true;
    std::perror("squall-pollbench: sched_setaffinity");
    return false;
}

/// The sizes the descriptor limit allows, after raising it as far as it goes; a note for each other.
std::vector<std::size_t> runnable_sizes(const Options& o, std::vector<std::string>& notes) {
    std::vector<std::size_t> sizes;
    std::size_t limit = raise_fd_limit(descriptors_needed(*std::max_element(o.sizes.begin(), o.sizes.end())));
    for (auto n : o.sizes) {
        if (descriptors_needed(n) <= limit) {
            sizes.push_back(n);
            continue;
        }
        notes.push_back("N=" + std::to_string(n) + " skipped: needs " +
                        std::to_string(descriptors_needed(n)) + " descriptors, RLIMIT_NOFILE allows " +
                        std::to_string(limit));
    }
    return sizes;
}

/// What keeps `backend` from watching N channels, or "" when nothing does.
std::string descriptor_limit(const std::string& backend, std::size_t n) {
    // select cannot watch descriptors at or past FD_SETSIZE.
    if (backend == "select" && descriptors_needed(n) > FD_SETSIZE)
        return "FD_SETSIZE = " + std::to_string(FD_SETSIZE);
    return "";
}

template <class F>
double measure(int runs, F&& f) {
    f();  // warm-up, discarded
    std::vector<double> v;
    for (int i = 0; i < runs; ++i) v.push_back(f());
    return median(v);
}

ChannelConfig channel_config(const Options& o, std::size_t n) {
    return ChannelConfig{n, std::min(o.active, n), o.writes, o.rounds};
}

/// Runs the first size's channel workload for half a second, discarded. Started on a core that had
/// been idle, the first figure came out up to 1.8 times the same figure a moment later (the
/// core's clock and caches still cold), which made the floor look slower than squall.
void warm_up(const Options& o, const std::vector<std::size_t>& sizes) {
    if (sizes.empty()) return;
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < until)
        channel_round_us_plain_epoll(channel_config(o, sizes.front()));
}

ChannelResults measure_channels(const Options& o, const std::vector<std::size_t>& sizes) {
    ChannelResults r{{sizes.begin(), sizes.end()}, {"plain-epoll", {}}, {}};
    warm_up(o, sizes);
    for (auto n : sizes)
        r.floor.us.push_back(
            measure(o.runs, [&] { return channel_round_us_plain_epoll(channel_config(o, n)); }));
    for (auto& b : o.backends) {
        Series s{b, {}};
        for (auto n : sizes) {
            if (std::string limit = descriptor_limit(b, n); !limit.empty()) {
                s.limited_by = limit;
                s.us.push_back(-1);
                continue;
            }
            s.us.push_back(measure(o.runs, [&] { return channel_round_us(b, channel_config(o, n)); }));
        }
        r.backends.push_back(s);
    }
    return r;
}

std::vector<Micro> measure_micro(const Options& o) {
    std::vector<Micro> micro;
    for (auto& b : o.backends) {
        Micro m{b, 0, 0, 0};
        m.cancel = measure(o.runs, [&] { return timer_ns(b, o.timers).schedule_cancel_ns; });
        m.fire = measure(o.runs, [&] { return timer_ns(b, o.timers).fire_ns; });
        m.callback = measure(o.runs, [&] { return callback_ns(b, o.callbacks); });
        micro.push_back(m);
    }
    return micro;
}

void print_csv(std::ostream& out, const Options& o, const ChannelResults& r,
               const std::vector<Micro>& micro) {
    out << "workload,backend,n,value,unit,ratio_to_plain_epoll\n";
    auto rows = r.backends;
    rows.insert(rows.begin(), r.floor);
    for (auto& s : rows)
        for (std::size_t i = 0; i < r.sizes.size(); ++i)
            if (s.us[i] >= 0)
                out << "channels," << s.name << ',' << r.sizes[i] << ',' << s.us[i] << ",us/round,"
                    << s.us[i] / r.floor.us[i] << '\n';
    for (auto& m : micro) {
        out << "timer_schedule_cancel," << m.backend << ',' << o.timers << ',' << m.cancel << ",ns,\n";
        out << "timer_fire," << m.backend << ',' << o.timers << ',' << m.fire << ",ns,\n";
        out << "add_callback," << m.backend << ',' << o.callbacks << ',' << m.callback << ",ns,\n";
    }
}

/// "752.6 (1.04x)": a figure and its ratio to the floor, or "-" when not measured.
std::string channel_cell(double us, double floor) {
    if (us < 0 || floor <= 0) return "-";
    char b[64];
    std::snprintf(b, sizeof b, "%.1f (%.2fx)", us, us / floor);
    return b;
}

void print_channel_table(std::ostream& out, const Options& o, const ChannelResults& r) {
    char line[256];
    out << "Channel workload (libevent bench): A=" << o.active << " active, W=" << o.writes
        << " writes per round; microseconds per round, median of " << o.runs
        << " runs (ratio to the plain epoll loop)\n\n";
    std::snprintf(line, sizeof line, "%-12s", "backend");
    out << line;
    for (auto n : r.sizes) {
        std::snprintf(line, sizeof line, " %20s",
                      ("N=" + std::to_string(static_cast<std::size_t>(n))).c_str());
        out << line;
    }
    out << '\n';
    auto rows = r.backends;
    rows.insert(rows.begin(), r.floor);
    for (auto& s : rows) {
        std::snprintf(line, sizeof line, "%-12s", s.name.c_str());
        out << line;
        for (std::size_t i = 0; i < r.sizes.size(); ++i) {
            std::snprintf(line, sizeof line, " %20s", channel_cell(s.us[i], r.floor.us[i]).c_str());
            out << line;
        }
        out << '\n';
    }
}

void print_micro_table(std::ostream& out, const Options& o, const std::vector<Micro>& micro) {
    char line[256];
    out << "\nTimers (" << o.timers << ") and callbacks (" << o.callbacks << "), nanoseconds each, median of "
        << o.runs << " runs\n\n";
    std::snprintf(line, sizeof line, "%-12s %22s %14s %14s\n", "backend", "schedule+cancel", "fire",
                  "add_callback");
    out << line;
    for (auto& m : micro) {
        std::snprintf(line, sizeof line, "%-12s %22.1f %14.1f %14.1f\n", m.backend.c_str(), m.cancel, m.fire,
                      m.callback);
        out << line;
    }
}

std::string run_description(const Options& o) {
    std::string pinned = o.cpu >= 0 ? ", pinned to CPU " + std::to_string(o.cpu) : "";
    return machine_description() + pinned + ", " + utc_date() + " (UTC)";
}

bool write_svg(const Options& o, const ChannelResults& r, const std::vector<std::string>& notes,
               const std::string& verdict) {
    ChartText text;
    text.title = "squall-pollbench: time per round, A = " + std::to_string(o.active) +
                 " active, W = " + std::to_string(o.writes) + " writes, median of " + std::to_string(o.runs) +
                 " runs";
    text.subtitle = run_description(o);
    text.x_label = "N: descriptors watched (log scale)";
    text.y_label = "time per round (log scale)";
    text.notes.push_back(
        "plain-epoll: a hand-written epoll_wait loop doing the same work, the floor; the "
        "others are squall's IOLoop on each backend.");
    text.notes.insert(text.notes.end(), notes.begin(), notes.end());
    text.caption = verdict;
    auto series = r.backends;
    series.insert(series.begin(), r.floor);
    std::ofstream f(o.svg);
    f << svg_line_chart(text, r.sizes, series);
    if (f) return true;
    std::cerr << "squall-pollbench: cannot write " << o.svg << '\n';
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (auto status = parse_options(argc, argv, o)) return *status;
    squall::set_logging_level(squall::LogLevel::warning);
    if (!resolve_backends(o)) return 2;
    if (o.cpu >= 0 && !pin_to_cpu(o.cpu)) return 2;

    std::vector<std::string> notes;
    auto sizes = runnable_sizes(o, notes);
    ChannelResults channels = measure_channels(o, sizes);
    auto micro = measure_micro(o);
    for (auto& b : channels.backends)
        if (auto note = limit_note(channels.sizes, b); !note.empty()) notes.push_back(note);
    std::string verdict =
        "recommendation on this machine: " + recommendation(channels.sizes, channels.backends);

    std::ostringstream out, aside;  // aside: what would break CSV, kept off stdout under --csv
    if (o.csv) {
        print_csv(out, o, channels, micro);
    } else {
        out << "machine: " << run_description(o) << "\n\n";
        print_channel_table(out, o, channels);
        print_micro_table(out, o, micro);
    }
    std::ostream& side = o.csv ? static_cast<std::ostream&>(aside) : out;
    for (auto& n : notes) side << "note: " << n << '\n';
    side << verdict << '\n';
    std::cout << out.str();
    std::cerr << aside.str();
    return o.svg.empty() || write_svg(o, channels, notes, verdict) ? 0 : 1;
}
