// The SVG chart writer of squall-pollbench. Internal to the tool.
#include "svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace squall::bench {
namespace {

constexpr double kWidth = 720, kHeight = 440, kLeft = 80, kRight = 170, kTop = 50, kBottom = 60;
const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0) {
    char buf[160];
    std::snprintf(buf, sizeof buf, f, a, b, c, d);
    return buf;
}

std::string escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '<') out += "&lt;";
        else if (ch == '>') out += "&gt;";
        else if (ch == '&') out += "&amp;";
        else out += ch;
    }
    return out;
}

}  // namespace

std::string svg_line_chart(const std::string& title, const std::string& y_label,
                           const std::vector<double>& xs, const std::vector<Series>& series) {
    double y_max = 0;
    for (auto& s : series)
        for (double v : s.y) y_max = std::max(y_max, v);
    if (y_max <= 0) y_max = 1;
    y_max *= 1.1;
    double lx0 = std::log10(xs.front()), lx1 = std::log10(xs.back());
    if (lx1 <= lx0) lx1 = lx0 + 1;
    double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
    auto px = [&](double x) { return kLeft + (std::log10(x) - lx0) / (lx1 - lx0) * pw; };
    auto py = [&](double y) { return kTop + ph - y / y_max * ph; };

    std::string svg = fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
                          "font-family=\"sans-serif\" font-size=\"12\">\n", kWidth, kHeight);
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg += fmt("<text x=\"%g\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">", kWidth / 2) +
           escape(title) + "</text>\n";
    svg += fmt("<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n", kLeft,
               kTop + ph, kLeft + pw, kTop + ph);
    svg += fmt("<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n", kLeft, kTop,
               kLeft, kTop + ph);
    for (double x : xs) {
        svg += fmt("<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#ddd\"/>\n", px(x), kTop,
                   px(x), kTop + ph);
        svg += fmt("<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%g</text>\n", px(x),
                   kTop + ph + 18, x);
    }
    for (int i = 0; i <= 5; ++i) {
        double v = y_max * i / 5;
        svg += fmt("<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#eee\"/>\n", kLeft,
                   py(v), kLeft + pw, py(v));
        svg += fmt(v >= 10 ? "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%.0f</text>\n"
                           : "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%.2g</text>\n",
                   kLeft - 6, py(v) + 4, v);
    }
    svg += fmt("<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">N (descriptors, log scale)</text>\n",
               kLeft + pw / 2, kHeight - 18);
    svg += fmt("<text transform=\"translate(16,%g) rotate(-90)\" text-anchor=\"middle\">",
               kTop + ph / 2) + escape(y_label) + "</text>\n";
    for (std::size_t s = 0; s < series.size(); ++s) {
        const char* colour = kColours[s % (sizeof kColours / sizeof *kColours)];
        std::string points;
        for (std::size_t i = 0; i < xs.size() && i < series[s].y.size(); ++i) {
            if (series[s].y[i] < 0) continue;
            points += fmt("%.1f,%.1f ", px(xs[i]), py(series[s].y[i]));
            svg += fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"", px(xs[i]),
                       py(series[s].y[i])) + colour + "\"/>\n";
        }
        svg += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + std::string(colour) +
               "\" points=\"" + points + "\"/>\n";
        double ly = kTop + 14 + 20.0 * static_cast<double>(s);
        svg += fmt("<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke-width=\"3\" stroke=\"",
                   kLeft + pw + 14, ly - 4, kLeft + pw + 38, ly - 4) + colour + "\"/>\n";
        svg += fmt("<text x=\"%g\" y=\"%g\">", kLeft + pw + 44, ly) + escape(series[s].name) +
               "</text>\n";
    }
    svg += "</svg>\n";
    return svg;
}

}  // namespace squall::bench
