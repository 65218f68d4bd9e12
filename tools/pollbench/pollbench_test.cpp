// Tests of squall-pollbench's pure parts: the round ticks and labels of its log-scale axes, the
// chart's SVG (well formed, labelled, overlapping lines kept apart) and the recommendation's
// choice and wording on fixed figures. Nothing here measures time.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "axis.h"
#include "catch.h"
#include "machine.h"
#include "recommend.h"
#include "svg_chart.h"

using namespace squall::bench;

namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
}

/// "" when `text` (character data or an attribute value) has no '<' and only XML's entities.
std::string text_problem(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '<') return "raw '<' in text";
        if (text[i] != '&') continue;
        bool known = false;
        for (const char* entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
            known = known || text.compare(i, std::strlen(entity), entity) == 0;
        if (!known) return "unknown entity at " + text.substr(i, 8);
    }
    return "";
}

/// A small XML well-formedness check, enough for the chart (no comments, CDATA or DOCTYPE):
/// one root element, tags closed in order, quoted attribute values, escaped text. "" when fine.
std::string xml_problem(const std::string& doc) {
    std::size_t pos = 0;
    if (doc.rfind("<?xml", 0) == 0) pos = doc.find("?>") + 2;
    std::vector<std::string> open;
    int roots = 0;
    while (true) {
        std::size_t lt = doc.find('<', pos);
        std::string between = doc.substr(pos, lt == std::string::npos ? std::string::npos : lt - pos);
        if (open.empty() && between.find_first_not_of(" \n") != std::string::npos)
            return "text outside the root";
        if (auto p = text_problem(between); !p.empty()) return p;
        if (lt == std::string::npos) break;
        pos = lt + 1;
        bool closing = doc[pos] == '/';
        if (closing) ++pos;
        std::size_t name_end = pos;
        while (name_end < doc.size() && is_name_char(doc[name_end])) ++name_end;
        std::string name = doc.substr(pos, name_end - pos);
        if (name.empty()) return "a tag without a name";
        pos = name_end;
        if (closing) {
            if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
            open.pop_back();
            if (doc[pos] != '>') return "junk in </" + name + ">";
            ++pos;
            continue;
        }
        if (open.empty()) ++roots;
        while (true) {  // attributes
            while (doc[pos] == ' ' || doc[pos] == '\n') ++pos;
            if (doc.compare(pos, 2, "/>") == 0 || doc[pos] == '>') break;
            std::size_t eq = pos;
            while (eq < doc.size() && is_name_char(doc[eq])) ++eq;
            if (eq == pos || doc.compare(eq, 2, "=\"") != 0) return "a bad attribute in <" + name + ">";
            std::size_t close = doc.find('"', eq + 2);
            if (close == std::string::npos) return "an unclosed attribute in <" + name + ">";
            if (auto p = text_problem(doc.substr(eq + 2, close - eq - 2)); !p.empty()) return p;
            pos = close + 1;
        }
        if (doc[pos] == '>') open.push_back(name);
        pos += doc[pos] == '>' ? 1 : 2;
    }
    if (!open.empty()) return "<" + open.back() + "> is never closed";
    return roots == 1 ? "" : std::to_string(roots) + " root elements";
}

// The figures of tools/bench/README.md's 2026-11-24 run: four lines within 30% of each other
// up to N = 1000, and select measured at N = 100 only.
const std::vector<double> kSizes{100, 1000, 10000};
const std::vector<Series> kMeasured{
    {"plain-epoll", {720.9, 769.5, 796.4}},
    {"epoll", {752.6, 811.8, 801.5}},
    {"io_uring", {736.6, 904.5, 941.8}},
    {"poll", {740.7, 885.5, 4323.8}},
    {"select", {717.7, -1, -1}, "FD_SETSIZE = 1024"},
};

std::string chart(const std::vector<Series>& series = kMeasured) {
    ChartText text{
        "squall-pollbench: time per round",
        "AMD EPYC, 2 cores, Linux 6.1 x86_64, 2026-11-24 (UTC)",
        "N: descriptors watched (log scale)",
        "time per round (log scale)",
        {"select: measured at N = 100 only, as FD_SETSIZE = 1024 limits the descriptors it can watch"},
        "recommendation on this machine: epoll"};
    return svg_line_chart(text, kSizes, series);
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("log_ticks: 1, 2 and 5 times powers of ten, from at or below lo to at or above hi", "[pollbench]") {
    CHECK(log_ticks(100, 10000) == std::vector<double>{100, 200, 500, 1000, 2000, 5000, 10000});
    CHECK(log_ticks(0.3, 400) == std::vector<double>{0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500});
    CHECK(log_ticks(717.7, 4323.8) == std::vector<double>{500, 1000, 2000, 5000});
    CHECK(log_ticks(1000, 1000) == std::vector<double>{1000});
    // Bounds that are round up to rounding error are not widened to the next round value.
    CHECK(log_ticks(0.1 * 3 * 1000 / 3, 1e4 * (1 + 1e-12)) ==
          std::vector<double>{100, 200, 500, 1000, 2000, 5000, 10000});
}

TEST_CASE("log_ticks: only powers of ten when 1-2-5 steps would crowd the axis", "[pollbench]") {
    CHECK(log_ticks(1, 1e6) == std::vector<double>{1, 10, 100, 1000, 1e4, 1e5, 1e6});
    CHECK(log_ticks(3, 40000, 14) ==
          std::vector<double>{2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 1e4, 2e4, 5e4});
    CHECK(log_ticks(3, 40000, 13) == std::vector<double>{1, 10, 100, 1000, 1e4, 1e5});
}

TEST_CASE("count_label and duration_label: three significant digits and a unit", "[pollbench]") {
    CHECK(count_label(100) == "100");
    CHECK(count_label(500) == "500");
    CHECK(count_label(1000) == "1k");
    CHECK(count_label(2000) == "2k");
    CHECK(count_label(1500) == "1.5k");
    CHECK(count_label(10000) == "10k");
    CHECK(count_label(100000) == "100k");
    CHECK(count_label(1e6) == "1M");
    CHECK(duration_label(0.2) == "200 ns");
    CHECK(duration_label(0.3) == "300 ns");
    CHECK(duration_label(1) == "1 µs");
    CHECK(duration_label(10) == "10 µs");
    CHECK(duration_label(801.5) == "802 µs");
    CHECK(duration_label(999.7) == "1 ms");
    CHECK(duration_label(4323.8) == "4.32 ms");
    CHECK(duration_label(2e6) == "2 s");
}

TEST_CASE("the chart is well-formed SVG with round ticks, a title, notes and a caption", "[pollbench]") {
    std::string svg = chart();
    CHECK(xml_problem(svg) == "");
    for (const char* tick : {">100<", ">200<", ">500<", ">1k<", ">2k<", ">5k<", ">10k<", ">500 µs<", ">1 ms<",
                             ">2 ms<", ">5 ms<"})
        CHECK(contains(svg, tick));
    CHECK_FALSE(contains(svg, ">1458<"));
    CHECK(contains(svg, ">squall-pollbench: time per round<"));
    CHECK(contains(svg, "2026-11-24 (UTC)"));
    CHECK(contains(svg, "FD_SETSIZE = 1024 limits"));
    CHECK(contains(svg, ">recommendation on this machine: epoll<"));
    // The checker itself refuses what it should.
    CHECK_FALSE(xml_problem("<svg><g></svg>").empty());
    CHECK_FALSE(xml_problem("<svg>a & b</svg>").empty());
    CHECK_FALSE(xml_problem("<svg x=1/>").empty());
}

TEST_CASE("the chart names each line at its end, select's one point included, and escapes names",
          "[pollbench]") {
    std::string svg = chart();
    for (const char* label :
         {">plain-epoll 796 µs<", ">epoll 802 µs<", ">io_uring 942 µs<", ">poll 4.32 ms<", ">select 718 µs<"})
        CHECK(contains(svg, label));
    std::vector<Series> odd{{"a<b&c", {1, 2, 3}}};
    std::string escaped = chart(odd);
    CHECK(xml_problem(escaped) == "");
    CHECK(contains(escaped, ">a&lt;b&amp;c 3 µs<"));
}

TEST_CASE("the chart gives every line its own colour and dash, and keeps their end labels apart",
          "[pollbench]") {
    std::string svg = chart();
    std::regex line_re(
        R"re(<path d="[^"]*" fill="none" stroke="([^"]*)" stroke-width="2"(?: stroke-dasharray="([^"]*)")?/>)re");
    std::set<std::string> colours, dashes;
    int lines = 0;
    for (std::sregex_iterator it(svg.begin(), svg.end(), line_re), end; it != end; ++it, ++lines) {
        colours.insert((*it)[1]);
        dashes.insert((*it)[2]);
    }
    CHECK(lines == 5);
    CHECK(colours.size() == 5);
    CHECK(dashes.size() == 5);
    // plain-epoll, epoll and io_uring end within a few pixels of each other at N = 10k.
    std::regex label_re(R"re(<text x="([0-9.]+)" y="([0-9.]+)" fill="[^"]*" font-weight="bold">)re");
    std::map<std::string, std::vector<double>> ys_by_x;
    for (std::sregex_iterator it(svg.begin(), svg.end(), label_re), end; it != end; ++it)
        ys_by_x[(*it)[1]].push_back(std::stod((*it)[2]));
    REQUIRE(ys_by_x.size() == 2);  // the lines ending at N = 10k, and select at N = 100
    for (auto& [x, ys] : ys_by_x) {
        std::sort(ys.begin(), ys.end());
        for (std::size_t i = 1; i < ys.size(); ++i) CHECK(ys[i] - ys[i - 1] >= 13.9);
    }
}

TEST_CASE("slower_wording: noise, percentages, then factors", "[pollbench]") {
    CHECK(slower_wording(1.0) == "within noise (+0.0%)");
    CHECK(slower_wording(1.016) == "within noise (+1.6%)");
    CHECK(slower_wording(1.029) == "within noise (+2.9%)");
    CHECK(slower_wording(1.031) == "3% slower");
    CHECK(slower_wording(1.175) == "18% slower");
    CHECK(slower_wording(1.6) == "1.6x slower");
    CHECK(slower_wording(5.39) == "5.4x slower");
    CHECK(slower_wording(1.05, 0.10) == "within noise (+5.0%)");
}

TEST_CASE("recommendation: the fastest at the largest N, select's limit stated", "[pollbench]") {
    std::vector<Series> backends(kMeasured.begin() + 1, kMeasured.end());
    // select is the fastest at N = 100 but cannot go further; io_uring is 17.5% slower at 10k.
    CHECK(recommendation(kSizes, backends) ==
          "epoll (at N = 10k: io_uring 18% slower, poll 5.4x slower; "
          "select limited to N ≤ 100 by FD_SETSIZE = 1024)");
}

TEST_CASE("recommendation: whichever is fastest, in any order, close ones within noise", "[pollbench]") {
    std::vector<Series> backends{{"poll", {900, 2000}}, {"epoll", {800, 810}}, {"io_uring", {700, 800}}};
    CHECK(recommendation({100, 1000}, backends) ==
          "io_uring (at N = 1k: epoll within noise (+1.2%), poll 2.5x slower)");
}

TEST_CASE("recommendation: one backend, a gap without a limit, nothing measured", "[pollbench]") {
    CHECK(recommendation({100}, {{"epoll", {800}}}) == "epoll (at N = 100: the only backend measured)");
    // A backend without a limit is compared where every such backend was measured.
    CHECK(recommendation({100, 1000}, {{"epoll", {800, 900}}, {"poll", {850, -1}}}) ==
          "epoll (at N = 100: poll 6% slower)");
    CHECK(recommendation({100, 1000}, {{"epoll", {-1, 900}}, {"poll", {850, -1}}}) ==
          "epoll (at N = 1k: the only backend measured; poll not measured at 1k)");
    CHECK(recommendation({100}, {{"select", {-1}, "FD_SETSIZE = 1024"}}) == "none: no backend was measured");
    // Only limited backends: compared where any of them was measured.
    CHECK(recommendation({100, 1000}, {{"select", {700, -1}, "FD_SETSIZE = 1024"}}) ==
          "select (at N = 100: the only backend measured)");
}

TEST_CASE("limit_note explains a backend its limit kept from the larger N", "[pollbench]") {
    CHECK(limit_note(kSizes, kMeasured[4]) ==
          "select: measured at N = 100 only, as FD_SETSIZE = 1024 limits the descriptors it can watch");
    CHECK(limit_note(kSizes, {"select", {700, 800, -1}, "FD_SETSIZE = 1024"}) ==
          "select: measured at N ≤ 1k only, as FD_SETSIZE = 1024 limits the descriptors it can watch");
    CHECK(limit_note(kSizes, kMeasured[1]).empty());
    CHECK(limit_note({100}, {"select", {700}, "FD_SETSIZE = 1024"}).empty());  // the limit did not bite
}

TEST_CASE("cpu_model reads the first model name of /proc/cpuinfo", "[pollbench]") {
    CHECK(
        cpu_model("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13 64-Core Processor\n"
                  "processor\t: 1\nmodel name\t: other\n") == "AMD EPYC 7B13 64-Core Processor");
    CHECK(cpu_model("processor\t: 0\nBogoMIPS\t: 50.00\n").empty());
    CHECK(utc_date().size() == 10);
}
