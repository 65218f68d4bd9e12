// log_file_sink: Tornado's log lines to a file that rotates by size or by time, keeping a
// bounded number of old files. Internal. Models the logging.handlers Tornado's
// enable_pretty_logging installs for --log_file_prefix.
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "squall/log.h"

namespace squall {
namespace {

/// Seconds in one `when` unit; 0 for midnight (aligned to local days).
long unit_seconds(const std::string& when) {
    if (when == "S") return 1;
    if (when == "M") return 60;
    if (when == "H") return 3600;
    if (when == "D") return 86400;
    if (when == "midnight") return 0;
    throw std::invalid_argument("log rotation: unknown 'when' " + when + " (expected S, M, H, D or midnight)");
}

std::time_t next_midnight(std::time_t now) {
    std::tm tm{};
    ::localtime_r(&now, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_mday += 1;
    tm.tm_isdst = -1;
    return std::mktime(&tm);
}

class RotatingFile {
public:
    explicit RotatingFile(LogFileOptions options) : options_(std::move(options)) {
        if (options_.rotate == LogFileOptions::Rotate::time) {
            unit_ = unit_seconds(options_.when);
            if (options_.interval < 1) throw std::invalid_argument("log rotation: interval must be at least 1");
        }
        open();
        schedule(std::time(nullptr));
    }
    ~RotatingFile() {
        if (file_) std::fclose(file_);
    }
    RotatingFile(const RotatingFile&) = delete;
    RotatingFile& operator=(const RotatingFile&) = delete;

    void write(const LogRecord& record) {
        std::string line = format_log_record(record);
        line.push_back('\n');
        if (due(line.size())) rotate();
        if (file_) {
            std::fwrite(line.data(), 1, line.size(), file_);
            std::fflush(file_);  // a log that a crash loses is no log
            size_ += line.size();
        }
        if (options_.also_stderr) std::fwrite(line.data(), 1, line.size(), stderr);
    }

private:
    void open() {
        file_ = std::fopen(options_.path.c_str(), "a");
        if (!file_) throw std::system_error(errno, std::generic_category(), "cannot open log file " + options_.path);
        std::fseek(file_, 0, SEEK_END);
        long at = std::ftell(file_);
        size_ = at > 0 ? static_cast<std::uint64_t>(at) : 0;
    }
    bool due(std::size_t adding) const {
        if (options_.rotate == LogFileOptions::Rotate::size)
            return options_.max_bytes > 0 && size_ > 0 && size_ + adding > options_.max_bytes;
        return std::time(nullptr) >= rollover_;
    }
    void schedule(std::time_t now) {
        if (options_.rotate != LogFileOptions::Rotate::time) return;
        rollover_ = unit_ ? now + unit_ * options_.interval : next_midnight(now);
    }
    /// path -> path.1 -> path.2 ..., the oldest beyond `backups` dropped.
    void rotate() {
        std::fclose(file_);
        file_ = nullptr;
        if (options_.backups > 0) {
            std::remove(numbered(options_.backups).c_str());
            for (int n = options_.backups - 1; n >= 1; --n) std::rename(numbered(n).c_str(), numbered(n + 1).c_str());
            std::rename(options_.path.c_str(), numbered(1).c_str());
        } else {
            std::remove(options_.path.c_str());
        }
        try {
            open();
        } catch (const std::system_error&) {
            file_ = nullptr;  // nowhere to write until it can be opened; stderr still gets it
        }
        schedule(std::time(nullptr));
    }
    std::string numbered(int n) const { return options_.path + "." + std::to_string(n); }

    LogFileOptions options_;
    std::FILE* file_ = nullptr;
    std::uint64_t size_ = 0;
    long unit_ = 0;
    std::time_t rollover_ = 0;
};

}  // namespace

LogSink log_file_sink(const LogFileOptions& options) {
    auto file = std::make_shared<RotatingFile>(options);
    return [file](const LogRecord& record) { file->write(record); };
}

}  // namespace squall
