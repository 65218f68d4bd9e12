// The SVG writer of squall-pollbench's chart. Internal to the tool. The chart is written by hand
// (a few elements) so that the tool needs no plotting library.
#include "svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <string_view>
#include <utility>

#include "axis.h"

namespace squall::bench {
namespace {

constexpr double kWidth = 820, kLeft = 90, kRight = 180, kTop = 72, kPlotHeight = 330;
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotBottom = kTop + kPlotHeight;
constexpr double kLineHeight = 17, kLabelGap = 14, kCharWidth = 7;
// What fits across kWidth at 12 px sans-serif, in regular and in bold type.
constexpr std::size_t kWrapChars = 112, kWrapCharsBold = 100;

struct Style {
    const char* colour;
    const char* dash;  // stroke-dasharray, "" for a solid line
    const char* marker;
};

// Grey for the first line (the floor), then Okabe and Ito's colour-blind-safe colours; each with its
// own dash pattern and marker, so that lines lying on top of each other stay apart even in grey.
constexpr Style kStyles[] = {
    {"#555555", "7 4", "circle"},   {"#0072b2", "", "square"},     {"#d55e00", "10 3 2 3", "triangle"},
    {"#009e73", "2 3", "diamond"},  {"#cc79a7", "12 4", "circle"}, {"#e69f00", "4 2", "square"},
    {"#56b4e9", "1 2", "triangle"},
};

const Style& style_of(std::size_t series_index) {
    return kStyles[series_index % std::size(kStyles)];
}

/// A coordinate to a tenth of a pixel, without a trailing ".0".
std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    std::string s = buf;
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s == "-0" ? "0" : s;
}

std::string escape(std::string_view s) {
    std::string out;
    for (char ch : s) {
        switch (ch) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += ch;
        }
    }
    return out;
}

using Attributes = std::initializer_list<std::pair<std::string_view, std::string>>;

/// One element on its own line; self-closing when it has no text. Built by appending: GCC 12 at
/// -O3 reports a false -Wrestrict on `"literal" + std::string(view)` here.
std::string element(std::string_view name, Attributes attributes, std::string_view text = {}) {
    std::string out = "<";
    out.append(name);
    for (auto& [key, value] : attributes) {
        if (value.empty()) continue;
        out += ' ';
        out.append(key);
        out += "=\"";
        out += escape(value);
        out += '"';
    }
    if (text.empty()) return out + "/>\n";
    out += '>';
    out += escape(text);
    out += "</";
    out.append(name);
    return out + ">\n";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& stroke,
                 const std::string& dash = "", const std::string& width = "1") {
    return element("line", {{"x1", num(x1)}, {"y1", num(y1)}, {"x2", num(x2)}, {"y2", num(y2)},
                            {"stroke", stroke}, {"stroke-width", width}, {"stroke-dasharray", dash}});
}

std::string text_at(double x, double y, std::string_view text, const std::string& anchor = "") {
    return element("text", {{"x", num(x)}, {"y", num(y)}, {"text-anchor", anchor}}, text);
}

/// Maps values to pixels on a log10 scale: lo to `from`, hi to `to`.
struct LogAxis {
    double lo, hi, from, to;
    double operator()(double v) const {
        return from + (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) * (to - from);
    }
};

std::vector<double> ticks_covering(double lo, double hi) {
    if (lo >= hi) {  // one value: give the axis some extent around it
        lo /= 1.5;
        hi *= 1.5;
    }
    return log_ticks(lo, hi);
}

std::vector<double> measured_values(const std::vector<Series>& series) {
    std::vector<double> values;
    for (auto& s : series)
        for (double v : s.us)
            if (v > 0) values.push_back(v);
    return values;
}

/// Appends " M x,y" (a move) or " L x,y" (a line) to an SVG path.
void path_step(std::string& path, char command, double x, double y) {
    path += ' ';
    path += command;
    path += num(x);
    path += ',';
    path += num(y);
}

/// A closed SVG path through `points`.
std::string closed_path(std::initializer_list<std::pair<double, double>> points) {
    std::string path;
    for (auto& [x, y] : points) path_step(path, path.empty() ? 'M' : 'L', x, y);
    return path.substr(1) + " Z";
}

std::string marker(const Style& style, double x, double y) {
    std::string colour = style.colour;
    std::string_view shape = style.marker;
    if (shape == "square")
        return element("rect", {{"x", num(x - 3.5)}, {"y", num(y - 3.5)}, {"width", "7"},
                                {"height", "7"}, {"fill", colour}});
    if (shape == "triangle")
        return element("path", {{"d", closed_path({{x, y - 5}, {x + 4.5, y + 3.5}, {x - 4.5, y + 3.5}})},
                                {"fill", colour}});
    if (shape == "diamond")
        return element("path", {{"d", closed_path({{x, y - 5}, {x + 5, y}, {x, y + 5}, {x - 5, y}})},
                                {"fill", colour}});
    return element("circle", {{"cx", num(x)}, {"cy", num(y)}, {"r", "3.5"}, {"fill", colour}});
}

struct Plot {
    LogAxis x, y;
    std::vector<double> x_ticks, y_ticks;
};

Plot make_plot(const std::vector<double>& xs, const std::vector<Series>& series) {
    Plot p{};
    auto [x_min, x_max] = std::minmax_element(xs.begin(), xs.end());
    p.x_ticks = xs.empty() ? std::vector<double>{1, 10} : ticks_covering(*x_min, *x_max);
    auto values = measured_values(series);
    auto [y_min, y_max] = std::minmax_element(values.begin(), values.end());
    p.y_ticks = values.empty() ? std::vector<double>{1, 10} : ticks_covering(*y_min, *y_max);
    p.x = {p.x_ticks.front(), p.x_ticks.back(), kLeft, kLeft + kPlotWidth};
    p.y = {p.y_ticks.front(), p.y_ticks.back(), kPlotBottom, kTop};
    return p;
}

/// The unlabelled 1..9 × 10^k values inside an axis' range that are not ticks: faint lines there
/// let a reader place a value on a log scale.
std::vector<double> minor_values(const LogAxis& axis, const std::vector<double>& ticks) {
    auto is_tick = [&](double v) {
        return std::any_of(ticks.begin(), ticks.end(), [&](double t) { return std::abs(v / t - 1) < 1e-6; });
    };
    std::vector<double> values;
    for (double decade = std::pow(10.0, std::floor(std::log10(axis.lo))); decade < axis.hi; decade *= 10)
        for (int m = 1; m <= 9; ++m)
            if (double v = m * decade; v > axis.lo && v < axis.hi && !is_tick(v)) values.push_back(v);
    return values;
}

std::string grid_and_ticks(const Plot& p) {
    std::string svg;
    for (double v : minor_values(p.x, p.x_ticks)) svg += line(p.x(v), kTop, p.x(v), kPlotBottom, "#f2f2f2");
    for (double v : minor_values(p.y, p.y_ticks))
        svg += line(kLeft, p.y(v), kLeft + kPlotWidth, p.y(v), "#f2f2f2");
    for (double t : p.x_ticks) {
        svg += line(p.x(t), kTop, p.x(t), kPlotBottom, "#e4e4e4");
        svg += text_at(p.x(t), kPlotBottom + 18, count_label(t), "middle");
    }
    for (double t : p.y_ticks) {
        svg += line(kLeft, p.y(t), kLeft + kPlotWidth, p.y(t), "#e4e4e4");
        svg += text_at(kLeft - 8, p.y(t) + 4, duration_label(t), "end");
    }
    svg += element("rect", {{"x", num(kLeft)}, {"y", num(kTop)}, {"width", num(kPlotWidth)},
                            {"height", num(kPlotHeight)}, {"fill", "none"}, {"stroke", "#888888"}});
    return svg;
}

std::string axis_labels(const ChartText& text) {
    std::string svg = text_at(kLeft + kPlotWidth / 2, kPlotBottom + 40, text.x_label, "middle");
    svg += element("text", {{"transform", "translate(18," + num(kTop + kPlotHeight / 2) + ") rotate(-90)"},
                            {"text-anchor", "middle"}},
                   text.y_label);
    return svg;
}

/// The series as one path, broken where a figure is missing, and a marker at each figure.
std::string series_line(const Plot& p, const std::vector<double>& xs, const Series& s, const Style& style) {
    std::string path, markers;
    bool pen_down = false;
    for (std::size_t i = 0; i < xs.size() && i < s.us.size(); ++i) {
        if (s.us[i] <= 0) {
            pen_down = false;
            continue;
        }
        path_step(path, pen_down ? 'L' : 'M', p.x(xs[i]), p.y(s.us[i]));
        pen_down = true;
        markers += marker(style, p.x(xs[i]), p.y(s.us[i]));
    }
    if (path.empty()) return "";
    return element("path", {{"d", path.substr(1)}, {"fill", "none"}, {"stroke", style.colour},
                            {"stroke-width", "2"}, {"stroke-dasharray", style.dash}}) + markers;
}

struct EndLabel {
    double point_x, point_y, y;
    std::string text;
    const Style* style;
};

std::vector<EndLabel> end_labels(const Plot& p, const std::vector<double>& xs,
                                 const std::vector<Series>& series) {
    std::vector<EndLabel> labels;
    for (std::size_t s = 0; s < series.size(); ++s) {
        const auto& us = series[s].us;
        for (std::size_t i = std::min(xs.size(), us.size()); i-- > 0;) {
            if (us[i] <= 0) continue;
            double px = p.x(xs[i]), py = p.y(us[i]);
            labels.push_back({px, py, py, series[s].name + " " + duration_label(us[i]), &style_of(s)});
            break;
        }
    }
    return labels;
}

/// Moves the labels ending at the same x apart vertically, keeping them inside the plot's height.
void spread(std::vector<EndLabel>& labels) {
    std::sort(labels.begin(), labels.end(), [](const EndLabel& a, const EndLabel& b) {
        return a.point_x != b.point_x ? a.point_x < b.point_x : a.point_y < b.point_y;
    });
    for (std::size_t begin = 0, end; begin < labels.size(); begin = end) {
        for (end = begin + 1; end < labels.size() && labels[end].point_x == labels[begin].point_x;) ++end;
        for (std::size_t i = begin + 1; i < end; ++i)
            labels[i].y = std::max(labels[i].y, labels[i - 1].y + kLabelGap);
        labels[end - 1].y = std::min(labels[end - 1].y, kPlotBottom);
        for (std::size_t i = end - 1; i-- > begin;)
            labels[i].y = std::min(labels[i].y, labels[i + 1].y - kLabelGap);
    }
}

std::string end_label_svg(const EndLabel& label) {
    double x = label.point_x + 14;
    std::string svg;
    if (std::abs(label.y - label.point_y) > 2)  // moved off its line: a leader shows whose it is
        svg += line(label.point_x + 5, label.point_y, x - 3, label.y, label.style->colour);
    // A white copy underneath keeps the name legible where it crosses other lines.
    svg += element("text", {{"x", num(x)}, {"y", num(label.y + 4)}, {"stroke", "white"},
                            {"stroke-width", "4"}, {"stroke-linejoin", "round"}}, label.text);
    svg += element("text", {{"x", num(x)}, {"y", num(label.y + 4)}, {"fill", label.style->colour},
                            {"font-weight", "bold"}}, label.text);
    return svg;
}

/// The legend in rows under the axis label; returns its SVG and advances `y` past it.
std::string legend(const std::vector<Series>& series, double& y) {
    std::string svg;
    double x = kLeft;
    for (std::size_t s = 0; s < series.size(); ++s) {
        double width = 36 + kCharWidth * static_cast<double>(series[s].name.size()) + 24;
        if (x + width > kWidth - 10 && x > kLeft) {
            x = kLeft;
            y += kLineHeight;
        }
        const Style& style = style_of(s);
        svg += line(x, y - 4, x + 30, y - 4, style.colour, style.dash, "2");
        svg += marker(style, x + 15, y - 4);
        svg += text_at(x + 36, y, series[s].name);
        x += width;
    }
    y += kLineHeight;
    return svg;
}

std::vector<std::string> wrapped(const std::string& paragraph, std::size_t max_chars) {
    std::vector<std::string> lines{""};
    std::size_t start = 0;
    while (start < paragraph.size()) {
        std::size_t end = paragraph.find(' ', start);
        if (end == std::string::npos) end = paragraph.size();
        std::string word = paragraph.substr(start, end - start);
        if (!lines.back().empty() && lines.back().size() + 1 + word.size() > max_chars) lines.emplace_back();
        lines.back() += (lines.back().empty() ? "" : " ") + word;
        start = end + 1;
    }
    return lines;
}

/// A paragraph under the chart, wrapped; advances `y` past it.
std::string paragraph(const std::string& text, double& y, bool bold = false) {
    std::string svg;
    for (auto& l : wrapped(text, bold ? kWrapCharsBold : kWrapChars)) {
        std::string weight = bold ? "bold" : "";
        svg += element("text", {{"x", num(kLeft - 60)}, {"y", num(y)}, {"font-weight", weight}}, l);
        y += kLineHeight;
    }
    return svg;
}

std::string header(const ChartText& text, double height) {
    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) + "\" height=\"" +
           num(height) + "\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
           "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg += element("rect", {{"width", "100%"}, {"height", "100%"}, {"fill", "white"}});
    svg += element("text", {{"x", num(kWidth / 2)}, {"y", "26"}, {"font-size", "16"},
                            {"text-anchor", "middle"}, {"font-weight", "bold"}}, text.title);
    svg += element("text", {{"x", num(kWidth / 2)}, {"y", "48"}, {"text-anchor", "middle"},
                            {"fill", "#444444"}}, text.subtitle);
    return svg;
}

}  // namespace

std::string svg_line_chart(const ChartText& text, const std::vector<double>& xs,
                           const std::vector<Series>& series) {
    Plot p = make_plot(xs, series);
    std::string body = grid_and_ticks(p) + axis_labels(text);
    for (std::size_t s = 0; s < series.size(); ++s) body += series_line(p, xs, series[s], style_of(s));
    auto labels = end_labels(p, xs, series);
    spread(labels);
    for (auto& label : labels) body += end_label_svg(label);
    double y = kPlotBottom + 66;
    body += legend(series, y);
    y += 4;
    for (auto& note : text.notes) body += paragraph(note, y);
    if (!text.caption.empty()) body += paragraph(text.caption, y, true);
    return header(text, y + 6) + body + "</svg>\n";
}

}  // namespace squall::bench
