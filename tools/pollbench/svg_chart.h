// squall-pollbench's chart: time per round against N, both axes log scale with round ticks, one
// line per backend with its own colour, dash pattern and marker and its name at its end, then a
// legend, notes and a caption. Internal to the tool; a pure function of its input, so tested.
#pragma once

#include <string>
#include <vector>

#include "series.h"

namespace squall::bench {

struct ChartText {
    std::string title;
    std::string subtitle;            // the machine and the date
    std::string x_label, y_label;
    std::vector<std::string> notes;  // under the legend, one paragraph each
    std::string caption;             // the last paragraph, in bold: the recommendation
};

/// A standalone SVG document plotting each series' microseconds per round against `xs`.
std::string svg_line_chart(const ChartText& text, const std::vector<double>& xs,
                           const std::vector<Series>& series);

}  // namespace squall::bench
