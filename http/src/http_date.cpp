// HTTP dates: formatting IMF-fixdate and reading the three formats RFC 9110 5.6.7 requires
// recipients to accept. Internal. Models tornado/httputil.py format_timestamp and the
// email.utils.parsedate use in tornado/web.py (If-Modified-Since).
#include <cstdio>
#include <cstring>

#include "squall/httputil.h"

namespace squall {
namespace {

const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int month_index(std::string_view m) {
    for (int i = 0; i < 12; ++i)
        if (m == months[i]) return i;
    return -1;
}

/// Reads exactly `width` digits at `pos` (a space is allowed for a leading digit when `space`).
bool read_number(std::string_view s, std::size_t& pos, int width, int& out, bool space = false) {
    if (pos + static_cast<std::size_t>(width) > s.size()) return false;
    out = 0;
    for (int i = 0; i < width; ++i) {
        char c = s[pos + static_cast<std::size_t>(i)];
        if (space && i == 0 && c == ' ') continue;
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    pos += static_cast<std::size_t>(width);
    return true;
}

bool expect(std::string_view s, std::size_t& pos, std::string_view what) {
    if (s.substr(pos, what.size()) != what) return false;
    pos += what.size();
    return true;
}

bool read_time(std::string_view s, std::size_t& pos, std::tm& tm) {
    return read_number(s, pos, 2, tm.tm_hour) && expect(s, pos, ":") && read_number(s, pos, 2, tm.tm_min) &&
           expect(s, pos, ":") && read_number(s, pos, 2, tm.tm_sec);
}

bool read_month(std::string_view s, std::size_t& pos, std::tm& tm) {
    if (pos + 3 > s.size()) return false;
    tm.tm_mon = month_index(s.substr(pos, 3));
    pos += 3;
    return tm.tm_mon >= 0;
}

}  // namespace

std::string format_timestamp(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string format_timestamp(std::chrono::system_clock::time_point t) {
    return format_timestamp(std::chrono::system_clock::to_time_t(t));
}

std::optional<std::time_t> parse_http_date(std::string_view s) {
    std::tm tm{};
    std::size_t pos = 0;
    std::size_t comma = s.find(',');
    bool ok = false;
    if (comma == 3) {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        pos = 5;
        ok = s.size() == 29 && s[4] == ' ' && read_number(s, pos, 2, tm.tm_mday) && expect(s, pos, " ") &&
             read_month(s, pos, tm) && expect(s, pos, " ") && read_number(s, pos, 4, tm.tm_year) &&
             expect(s, pos, " ") && read_time(s, pos, tm) && expect(s, pos, " GMT");
        tm.tm_year -= 1900;
    } else if (comma != std::string_view::npos) {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        pos = comma + 1;
        ok = expect(s, pos, " ") && read_number(s, pos, 2, tm.tm_mday) && expect(s, pos, "-") &&
             read_month(s, pos, tm) && expect(s, pos, "-") && read_number(s, pos, 2, tm.tm_year) &&
             expect(s, pos, " ") && read_time(s, pos, tm) && expect(s, pos, " GMT") && pos == s.size();
        // Two-digit years more than 50 years ahead are in the past (RFC 9110 5.6.7).
        if (tm.tm_year < 70) tm.tm_year += 100;
    } else {  // asctime: Sun Nov  6 08:49:37 1994
        pos = 4;
        ok = s.size() == 24 && s[3] == ' ' && read_month(s, pos, tm) && expect(s, pos, " ") &&
             read_number(s, pos, 2, tm.tm_mday, true) && expect(s, pos, " ") && read_time(s, pos, tm) &&
             expect(s, pos, " ") && read_number(s, pos, 4, tm.tm_year);
        tm.tm_year -= 1900;
    }
    if (!ok || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return std::nullopt;
    return ::timegm(&tm);
}

}  // namespace squall
