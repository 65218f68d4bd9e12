// Tornado's three loggers (access, application, general), levels and a pluggable sink. Public
// header. Models tornado/log.py (4.0): access_log, app_log, gen_log, LogFormatter's line format
// and `--logging=none` to switch the default configuration off.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace squall {

enum class LogLevel : int { debug = 10, info = 20, warning = 30, error = 40, none = 100 };

/// One message on its way to the sink.
struct LogRecord {
    std::string_view logger;  // "tornado.access", "tornado.application", "tornado.general"
    LogLevel level;
    std::string_view message;
};

/// A named logger with its own threshold. Thread-safe: loggers may be used from any thread.
class Logger {
public:
    explicit Logger(std::string_view name) noexcept : name_(name) {}
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    std::string_view name() const noexcept { return name_; }
    void set_level(LogLevel level) noexcept { level_.store(static_cast<int>(level)); }
    LogLevel level() const noexcept { return static_cast<LogLevel>(level_.load()); }
    bool enabled(LogLevel level) const noexcept;

    void log(LogLevel level, std::string_view message) const;
    /// printf-style formatting, done only when the level is enabled.
    void logf(LogLevel level, const char* fmt, ...) const __attribute__((format(printf, 3, 4)));

    void debug(std::string_view m) const { log(LogLevel::debug, m); }
    void info(std::string_view m) const { log(LogLevel::info, m); }
    void warning(std::string_view m) const { log(LogLevel::warning, m); }
    void error(std::string_view m) const { log(LogLevel::error, m); }

private:
    std::string_view name_;
    std::atomic<int> level_{static_cast<int>(LogLevel::debug)};
};

/// Per-request lines from HTTP servers (`tornado.access`).
Logger& access_log() noexcept;
/// Errors in user code: callbacks that throw, failed Futures (`tornado.application`).
Logger& app_log() noexcept;
/// Framework and protocol noise (`tornado.general`).
Logger& gen_log() noexcept;

using LogSink = std::function<void(const LogRecord&)>;

/// Replace where records go. The default sink writes Tornado's format to stderr:
/// `[I 261124 22:10:03 general] message`. A null sink drops every record.
/// Thread-safe; the sink itself may be called from several threads, one call at a time.
void set_log_sink(LogSink sink);
/// Restore the default stderr sink.
void reset_log_sink();
/// Where records go now, as a sink (the default one as a sink writing to stderr), for a sink
/// that passes on what it does not keep and for putting it back afterwards.
LogSink current_log_sink();
/// A log file that rotates (Python's RotatingFileHandler and TimedRotatingFileHandler, as
/// Tornado's --log_file_prefix uses them): past max_bytes, or when the period ends, the file
/// becomes path.1 (path.1 becomes path.2...) and at most `backups` old files are kept.
struct LogFileOptions {
    std::string path;
    enum class Rotate { size, time } rotate = Rotate::size;
    std::uint64_t max_bytes = 100 * 1000 * 1000;  // size: 0 never rotates
    int backups = 10;
    std::string when = "midnight";  // time: S, M, H, D (in `interval` units) or midnight
    int interval = 1;
    bool also_stderr = false;
};
/// A sink writing Tornado's line format to that file (created, or appended to). Throws
/// std::system_error when it cannot be opened, std::invalid_argument for a bad `when`.
LogSink log_file_sink(const LogFileOptions& options);

/// The global threshold, applied before each logger's own (default: info, like `--logging=info`).
/// `LogLevel::none` turns logging off, like Tornado's `--logging=none`.
void set_logging_level(LogLevel level) noexcept;
LogLevel logging_level() noexcept;
/// Parse "debug", "info", "warning", "error" or "none"; throws std::invalid_argument otherwise.
LogLevel parse_log_level(std::string_view name);
/// Format a record the way the default sink does (without the trailing newline).
std::string format_log_record(const LogRecord& record);

}  // namespace squall
