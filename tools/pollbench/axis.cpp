// The round ticks and labels of squall-pollbench's log-scale axes. Internal to the tool.
#include "axis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace squall::bench {
namespace {

// Measured bounds that are round values up to floating-point error count as round.
constexpr double kSlack = 1e-9;

double round_value(int mantissa, int exponent) {
    // Dividing by an exact power of ten gives the double nearest 0.2; 2 * 0.1 need not.
    return exponent >= 0 ? mantissa * std::pow(10.0, exponent) : mantissa / std::pow(10.0, -exponent);
}

std::vector<double> round_values_covering(double lo, double hi, bool powers_of_ten_only) {
    int first_exponent = static_cast<int>(std::floor(std::log10(lo * (1 + kSlack))));
    int last_exponent = static_cast<int>(std::ceil(std::log10(hi * (1 - kSlack))));
    std::vector<double> values;
    for (int k = first_exponent; k <= last_exponent; ++k)
        for (int mantissa : {1, 2, 5})
            if (mantissa == 1 || !powers_of_ten_only) values.push_back(round_value(mantissa, k));
    // values starts at or below lo and holds a power of ten at or above hi: both bounds exist.
    auto first = std::upper_bound(values.begin(), values.end(), lo * (1 + kSlack)) - 1;
    auto last = std::lower_bound(values.begin(), values.end(), hi * (1 - kSlack));
    return {first, last + 1};
}

std::string three_digits(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

// Rounded before the unit is chosen, so that 999.7 µs reads "1 ms" and not "1e+03 µs".
double rounded(double v) { return std::strtod(three_digits(v).c_str(), nullptr); }

}  // namespace

std::vector<double> log_ticks(double lo, double hi, std::size_t max_ticks) {
    auto ticks = round_values_covering(lo, hi, false);
    if (ticks.size() > max_ticks) ticks = round_values_covering(lo, hi, true);
    return ticks;
}

std::string count_label(double n) {
    double r = rounded(n);
    if (r >= 1e6) return three_digits(r / 1e6) + "M";
    if (r >= 1e3) return three_digits(r / 1e3) + "k";
    return three_digits(r);
}

std::string duration_label(double us) {
    double r = rounded(us);
    if (r < 1) return three_digits(r * 1e3) + " ns";
    if (r < 1e3) return three_digits(r) + " µs";
    if (r < 1e6) return three_digits(r / 1e3) + " ms";
    return three_digits(r / 1e6) + " s";
}

}  // namespace squall::bench
