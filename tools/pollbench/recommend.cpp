// The wording of squall-pollbench's recommendation. Internal to the tool.
#include "recommend.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "axis.h"

namespace squall::bench {
namespace {

bool measured_at(const Series& s, std::size_t i) { return i < s.us.size() && s.us[i] >= 0; }

template <class Pred>
std::optional<std::size_t> largest_index_where(std::size_t count, Pred pred) {
    for (std::size_t i = count; i-- > 0;)
        if (pred(i)) return i;
    return std::nullopt;
}

std::optional<std::size_t> largest_measured(const std::vector<double>& sizes, const Series& s) {
    return largest_index_where(sizes.size(), [&](std::size_t i) { return measured_at(s, i); });
}

/// The N to compare at: the largest one every backend without a limit was measured at, so that
/// a limited backend (select) cannot pull the comparison down to its small N; failing that, the
/// largest one any backend was measured at.
std::optional<std::size_t> comparison_index(const std::vector<double>& sizes,
                                            const std::vector<Series>& backends) {
    auto every_unlimited = [&](std::size_t i) {
        bool any = false;
        for (auto& b : backends) {
            if (!b.limited_by.empty()) continue;
            if (!measured_at(b, i)) return false;
            any = true;
        }
        return any;
    };
    auto any_backend = [&](std::size_t i) {
        return std::any_of(backends.begin(), backends.end(),
                           [&](const Series& b) { return measured_at(b, i); });
    };
    if (auto i = largest_index_where(sizes.size(), every_unlimited)) return i;
    return largest_index_where(sizes.size(), any_backend);
}

/// Why a backend is missing from the comparison at N = sizes[at].
std::string missing_phrase(const std::vector<double>& sizes, std::size_t at, const Series& b) {
    auto last = largest_measured(sizes, b);
    if (b.limited_by.empty() || !last) {
        std::string why = b.limited_by.empty() ? "" : " (" + b.limited_by + ")";
        return b.name + " not measured at " + count_label(sizes[at]) + why;
    }
    return b.name + " limited to N ≤ " + count_label(sizes[*last]) + " by " + b.limited_by;
}

std::string joined(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (auto& p : parts) out += (out.empty() ? "" : separator) + p;
    return out;
}

}  // namespace

std::string slower_wording(double ratio, double noise) {
    char buf[48];
    double excess = ratio - 1;
    if (excess < noise)
        std::snprintf(buf, sizeof buf, "within noise (%+.1f%%)", excess * 100);
    else if (ratio < 1.5)
        std::snprintf(buf, sizeof buf, "%.0f%% slower", excess * 100);
    else
        std::snprintf(buf, sizeof buf, "%.1fx slower", ratio);
    return buf;
}

std::string recommendation(const std::vector<double>& sizes, const std::vector<Series>& backends,
                           double noise) {
    auto at = comparison_index(sizes, backends);
    if (!at) return "none: no backend was measured";
    std::vector<const Series*> ranked;
    std::vector<std::string> missing;
    for (auto& b : backends) {
        if (measured_at(b, *at))
            ranked.push_back(&b);
        else
            missing.push_back(missing_phrase(sizes, *at, b));
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&](const Series* a, const Series* b) { return a->us[*at] < b->us[*at]; });
    const Series& best = *ranked.front();
    std::vector<std::string> others;
    for (auto it = ranked.begin() + 1; it != ranked.end(); ++it)
        others.push_back((*it)->name + " " + slower_wording((*it)->us[*at] / best.us[*at], noise));
    std::string out = best.name + " (at N = " + count_label(sizes[*at]) + ": ";
    out += others.empty() ? "the only backend measured" : joined(others, ", ");
    if (!missing.empty()) out += "; " + joined(missing, ", ");
    return out + ")";
}

std::string limit_note(const std::vector<double>& sizes, const Series& backend) {
    if (backend.limited_by.empty()) return "";
    const std::string because = ", as " + backend.limited_by + " limits the descriptors it can watch";
    auto last = largest_measured(sizes, backend);
    if (!last) return backend.name + ": not measured" + because;
    if (*last + 1 == sizes.size()) return "";  // the limit did not bite
    std::string where = (*last == 0 ? "N = " : "N ≤ ") + count_label(sizes[*last]);
    return backend.name + ": measured at " + where + " only" + because;
}

}  // namespace squall::bench
