// The machine and date line of squall-pollbench. Internal to the tool.
#include "machine.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>

namespace squall::bench {
namespace {

std::string_view trimmed(std::string_view s) {
    auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string cpu_model(std::string_view cpuinfo) {
    while (!cpuinfo.empty()) {
        auto end = cpuinfo.find('\n');
        std::string_view line = cpuinfo.substr(0, end);
        cpuinfo = end == std::string_view::npos ? std::string_view{} : cpuinfo.substr(end + 1);
        auto colon = line.find(':');
        if (colon != std::string_view::npos && trimmed(line.substr(0, colon)) == "model name")
            return std::string(trimmed(line.substr(colon + 1)));
    }
    return "";
}

std::string machine_description() {
    utsname os{};
    ::uname(&os);
    std::string cpu = cpu_model(read_file("/proc/cpuinfo"));
    if (cpu.empty()) cpu = os.machine;
    long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
    return cpu + ", " + std::to_string(cores) + (cores == 1 ? " core, " : " cores, ") + os.sysname + " " +
           os.release + " " + os.machine;
}

std::string utc_date() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &utc);
    return buf;
}

}  // namespace squall::bench
