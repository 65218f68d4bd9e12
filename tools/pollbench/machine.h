// What squall-pollbench ran on and when, for its output and chart: the CPU model, the number of
// cores, the kernel and the date. Internal to the tool.
#pragma once

#include <string>
#include <string_view>

namespace squall::bench {

/// The first "model name" value of a /proc/cpuinfo text, or "" when it has none (some ARM
/// kernels print none).
std::string cpu_model(std::string_view cpuinfo);

/// "AMD EPYC, 2 cores, Linux 6.1.0-18-amd64 x86_64", from /proc/cpuinfo, sysconf and uname.
std::string machine_description();

/// Today's date in UTC, as YYYY-MM-DD.
std::string utc_date();

}  // namespace squall::bench
