// The three loggers, the global threshold and the sink. Internal. Models tornado/log.py (4.0):
// LogFormatter's `[%(levelname)1.1s %(asctime)s %(module)s] %(message)s` with date `%y%m%d %H:%M:%S`.
#include "squall/log.h"

#include <cstdio>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace squall {
namespace {

std::atomic<int> g_threshold{static_cast<int>(LogLevel::info)};

struct SinkHolder {
    std::mutex mutex;
    LogSink sink;
    bool is_default = true;
};

SinkHolder& sink_holder() {
    static SinkHolder holder;
    return holder;
}

char level_letter(LogLevel level) {
    switch (level) {
    case LogLevel::debug: return 'D';
    case LogLevel::info: return 'I';
    case LogLevel::warning: return 'W';
    case LogLevel::error: return 'E';
    default: return '?';
    }
}

std::string_view short_name(std::string_view logger) {
    auto dot = logger.rfind('.');
    return dot == std::string_view::npos ? logger : logger.substr(dot + 1);
}

/// The default sink.
void write_to_stderr(const LogRecord& record) {
    std::string line = format_log_record(record);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

bool Logger::enabled(LogLevel level) const noexcept {
    int l = static_cast<int>(level);
    return l >= g_threshold.load(std::memory_order_relaxed) &&
           l >= level_.load(std::memory_order_relaxed) && level != LogLevel::none;
}

void Logger::log(LogLevel level, std::string_view message) const {
    if (!enabled(level)) return;
    LogRecord record{name_, level, message};
    auto& holder = sink_holder();
    std::lock_guard lock(holder.mutex);
    if (holder.is_default) {
        write_to_stderr(record);
    } else if (holder.sink) {
        holder.sink(record);
    }
}

void Logger::logf(LogLevel level, const char* fmt, ...) const {
    if (!enabled(level)) return;
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (static_cast<size_t>(n) < sizeof small) {
        log(level, std::string_view(small, static_cast<size_t>(n)));
        return;
    }
    std::vector<char> big(static_cast<size_t>(n) + 1);
    va_start(ap, fmt);
    std::vsnprintf(big.data(), big.size(), fmt, ap);
    va_end(ap);
    log(level, std::string_view(big.data(), static_cast<size_t>(n)));
}

Logger& access_log() noexcept {
    static Logger logger("tornado.access");
    return logger;
}
Logger& app_log() noexcept {
    static Logger logger("tornado.application");
    return logger;
}
Logger& gen_log() noexcept {
    static Logger logger("tornado.general");
    return logger;
}

void set_log_sink(LogSink sink) {
    auto& holder = sink_holder();
    std::lock_guard lock(holder.mutex);
    holder.sink = std::move(sink);
    holder.is_default = false;
}

void reset_log_sink() {
    auto& holder = sink_holder();
    std::lock_guard lock(holder.mutex);
    holder.sink = nullptr;
    holder.is_default = true;
}

LogSink current_log_sink() {
    auto& holder = sink_holder();
    std::lock_guard lock(holder.mutex);
    if (!holder.is_default) return holder.sink;
    return write_to_stderr;
}

void set_logging_level(LogLevel level) noexcept { g_threshold.store(static_cast<int>(level)); }
LogLevel logging_level() noexcept { return static_cast<LogLevel>(g_threshold.load()); }

LogLevel parse_log_level(std::string_view name) {
    if (name == "debug") return LogLevel::debug;
    if (name == "info") return LogLevel::info;
    if (name == "warning") return LogLevel::warning;
    if (name == "error") return LogLevel::error;
    if (name == "none") return LogLevel::none;
    throw std::invalid_argument("unknown log level '" + std::string(name) +
                                "' (expected debug, info, warning, error or none)");
}

std::string format_log_record(const LogRecord& record) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%y%m%d %H:%M:%S", &tm);
    std::string line;
    line.reserve(record.message.size() + 40);
    line += '[';
    line += level_letter(record.level);
    line += ' ';
    line += stamp;
    line += ' ';
    line += short_name(record.logger);
    line += "] ";
    line += record.message;
    return line;
}

}  // namespace squall
