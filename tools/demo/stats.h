// The demo's own figures for its front page's live panel: requests served, open connections,
// the poller backend and the resident memory, pushed over the /stats WebSocket once a second.
// Part of squall-demo.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "squall/httpserver.h"
#include "squall/routing.h"

namespace squall::demo {

struct DemoStats {
    std::uint64_t requests = 0;   // every request the access log saw
    HTTPServer* server = nullptr;  // set once the server exists: its connection count
};

/// Appends /stats, which sends {"requests", "connections", "poller", "rss_bytes", "uptime_s"} at
/// once and then every second.
void add_stats_route(std::vector<URLSpec>& routes, std::shared_ptr<DemoStats> stats);

}  // namespace squall::demo
