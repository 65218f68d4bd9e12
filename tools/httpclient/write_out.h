// curl's -w/--write-out for squall-httpclient: the figures of a finished transfer, and FORMAT
// with its %{variables} and backslash escapes filled in. Part of the tool (Tornado's main() has
// no such flag).
#pragma once

#include <cstdint>
#include <string>

namespace squall::tools {

struct TransferInfo {
    int http_code = 0;                // 0: no response
    std::uint64_t size_download = 0;  // body bytes received (after gzip is undone)
    double time_total = 0;            // seconds
    std::string url_effective, content_type;
    int num_redirects = 0;
};

/// FORMAT filled in; an unknown %{name} becomes nothing and is named in `unknown`.
std::string format_write_out(const std::string& format, const TransferInfo& info, std::string& unknown);

}  // namespace squall::tools
