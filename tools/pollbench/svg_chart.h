// A small hand-written SVG line chart: time per round against N (log-scale x), one line per
// backend. Internal to squall-pollbench.
#pragma once

#include <string>
#include <vector>

namespace squall::bench {

struct Series {
    std::string name;
    std::vector<double> y;  // one value per x; negative means "not measured"
};

/// An SVG document plotting `series` against `xs` (log10 x axis, linear y from 0).
std::string svg_line_chart(const std::string& title, const std::string& y_label,
                           const std::vector<double>& xs, const std::vector<Series>& series);

}  // namespace squall::bench
