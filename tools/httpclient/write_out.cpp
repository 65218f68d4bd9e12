// -w FORMAT: %{http_code} (three digits, 000 without a response), %{response_code},
// %{size_download}, %{time_total} (seconds, six decimals), %{url_effective}, %{content_type},
// %{num_redirects}; \n \r \t \\ and %%, as curl writes them. Part of squall-httpclient.
#include "write_out.h"

#include <cstdio>

namespace squall::tools {
namespace {

std::string variable(const std::string& name, const TransferInfo& t, bool& known) {
    char buf[32];
    known = true;
    if (name == "http_code" || name == "response_code") {
        std::snprintf(buf, sizeof buf, "%03d", t.http_code);
        return buf;
    }
    if (name == "size_download") return std::to_string(t.size_download);
    if (name == "time_total") {
        std::snprintf(buf, sizeof buf, "%.6f", t.time_total);
        return buf;
    }
    if (name == "url_effective") return t.url_effective;
    if (name == "content_type") return t.content_type;
    if (name == "num_redirects") return std::to_string(t.num_redirects);
    known = false;
    return {};
}

char escaped(char c) {
    switch (c) {
        case 'n': return '\n';
        case 'r': return '\r';
        case 't': return '\t';
        default: return c;  // \\ and anything else: the character itself
    }
}

}  // namespace

std::string format_write_out(const std::string& f, const TransferInfo& info, std::string& unknown) {
    std::string out;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] == '\\' && i + 1 < f.size()) {
            out += escaped(f[++i]);
        } else if (f.compare(i, 2, "%%") == 0) {
            out += '%';
            ++i;
        } else if (f.compare(i, 2, "%{") == 0 && f.find('}', i) != std::string::npos) {
            std::size_t end = f.find('}', i);
            std::string name = f.substr(i + 2, end - i - 2);
            bool known = false;
            out += variable(name, info, known);
            if (!known) unknown = name;
            i = end;
        } else {
            out += f[i];
        }
    }
    return out;
}

}  // namespace squall::tools
