// One line of squall-pollbench's results: a backend's time per round at each N, and why it has
// no figure at some N. Internal to the tool; shared by the chart and the recommendation.
#pragma once

#include <string>
#include <vector>

namespace squall::bench {

struct Series {
    std::string name;
    std::vector<double> us;     // microseconds per round, one per N; negative: not measured
    std::string limited_by{};   // the descriptor limit keeping it from larger N ("FD_SETSIZE = 1024")
};

}  // namespace squall::bench
