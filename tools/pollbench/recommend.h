// squall-pollbench's verdict: which backend to pick on this machine, worded from the measured
// figures (fastest at the largest N, the others as ratios to it). Internal to the tool; pure
// functions of the figures, so they are tested on fixed numbers.
#pragma once

#include <string>
#include <vector>

#include "series.h"

namespace squall::bench {

/// Differences below this fraction are reported as noise: medians of a few runs on a shared
/// machine move by about that much from one run to the next.
constexpr double kNoiseFraction = 0.03;

/// How a time `ratio` times the fastest one reads: "within noise (+1.6%)", "18% slower",
/// "5.4x slower".
std::string slower_wording(double ratio, double noise = kNoiseFraction);

/// The backend to pick and why, e.g. "epoll (at N = 10k: io_uring within noise (+1.6%), poll
/// 5.4x slower; select limited to N ≤ 100 by FD_SETSIZE = 1024)": the fastest at the largest N
/// every backend without a limit was measured at. `sizes` are the N of each Series::us entry.
std::string recommendation(const std::vector<double>& sizes, const std::vector<Series>& backends,
                           double noise = kNoiseFraction);

/// For a backend missing from some N because of its limit, a sentence saying so ("select:
/// measured at N ≤ 100 only, as FD_SETSIZE = 1024 limits the descriptors it can watch"); else "".
std::string limit_note(const std::vector<double>& sizes, const Series& backend);

}  // namespace squall::bench
