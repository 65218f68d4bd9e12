// The test support's out-of-line parts: the descriptor count and the log capture. Internal test
// support.
#include "async_test.h"

#include <dirent.h>
#include <re2/re2.h>

#include <mutex>

namespace squall::testing {

int open_fd_count() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (::readdir(d)) ++n;
        ::closedir(d);
        n -= 3;  // ".", ".." and the directory's own descriptor
    }
    return n;
}

struct LogCapture::Shared {
    mutable std::mutex mutex;
    std::vector<Entry> entries;
};

LogCapture::LogCapture(LogLevel threshold)
    : shared_(std::make_shared<Shared>()), old_threshold_(logging_level()) {
    set_logging_level(threshold);
    set_log_sink([shared = shared_](const LogRecord& r) {
        std::lock_guard lock(shared->mutex);
        shared->entries.push_back({std::string(r.logger), r.level, std::string(r.message)});
    });
}

LogCapture::~LogCapture() {
    reset_log_sink();
    set_logging_level(old_threshold_);
}

std::vector<LogCapture::Entry> LogCapture::entries() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->entries;
}

std::size_t LogCapture::count(const std::string& pattern, std::string_view logger) const {
    RE2 re(pattern);
    std::size_t n = 0;
    for (const auto& e : entries()) {
        if (!logger.empty() && e.logger != logger) continue;
        if (RE2::PartialMatch(e.message, re)) ++n;
    }
    return n;
}

}  // namespace squall::testing
