// /stats: a WebSocket per watcher, each with its own one-second timer, so a page that goes away
// costs nothing more. Part of squall-demo.
#include "stats.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "squall/ioloop.h"
#include "squall/websocket.h"

namespace squall::demo {
namespace {

std::uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

const auto started = std::chrono::steady_clock::now();

class StatsSocket : public WebSocketHandler {
public:
    void initialize(std::shared_ptr<DemoStats> stats) { stats_ = std::move(stats); }
    Future<void> open() override {
        send();
        timer_.emplace([this] { send(); }, std::chrono::seconds(1));
        timer_->start();
        return {};
    }
    Future<void> on_message(std::string, bool) override { return {}; }
    void on_close() override { timer_.reset(); }

private:
    void send() {
        std::chrono::duration<double> up = std::chrono::steady_clock::now() - started;
        nlohmann::json figures{{"requests", stats_->requests},
                               {"connections", stats_->server ? stats_->server->connection_count() : 0},
                               {"poller", std::string(IOLoop::current().poller_name())},
                               {"rss_bytes", resident_bytes()},
                               {"uptime_s", up.count()}};
        // Between our close frame and the stream's end a write fails: nothing to report then.
        detail::quiet(write_message(figures.dump(), false));
    }

    std::shared_ptr<DemoStats> stats_;
    std::optional<PeriodicCallback> timer_;
};

}  // namespace

void add_stats_route(std::vector<URLSpec>& routes, std::shared_ptr<DemoStats> stats) {
    routes.push_back(url<StatsSocket>("/stats", std::move(stats)));
}

}  // namespace squall::demo
