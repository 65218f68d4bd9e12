// Log-scale axes for squall-pollbench's chart: round tick values (1, 2 and 5 times a power of
// ten) and their labels ("1k", "20 µs"). Internal to the tool; pure functions, so they are tested.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace squall::bench {

/// Round values (1, 2 and 5 × 10^k) from the largest one at or below `lo` to the smallest one at
/// or above `hi`; only the powers of ten when that would make more than `max_ticks`. 0 < lo ≤ hi.
std::vector<double> log_ticks(double lo, double hi, std::size_t max_ticks = 12);

/// A count to three significant digits: "100", "1k", "2.5k", "10k", "1M".
std::string count_label(double n);

/// A duration given in microseconds, to three significant digits: "300 ns", "1 µs", "802 µs",
/// "4.32 ms", "2 s".
std::string duration_label(double us);

}  // namespace squall::bench
