// squall-httpclient's -o: a temporary file beside the target (same directory, so rename() is
// atomic), given the mode the target has or would get, renamed over it on success. Part of the
// tool.
#include "output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace squall::tools {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

/// The mode a new file gets from open(): 0666 less the umask.
mode_t new_file_mode() {
    mode_t mask = ::umask(0);
    ::umask(mask);
    return 0666 & ~mask;
}

std::FILE* open_directly(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) fail(path);
    return f;
}

}  // namespace

Output::Output() : file_(stdout) {}

Output::Output(const std::string& path) : path_(path) {
    struct stat st {};
    bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        file_ = open_directly(path);  // /dev/null, a FIFO: there is nothing to keep
        return;
    }
    temp_path_ = path + ".squall-XXXXXX";
    int fd = ::mkstemp(temp_path_.data());
    if (fd < 0) fail(path);
    file_ = ::fchmod(fd, exists ? (st.st_mode & 07777) : new_file_mode()) == 0 ? ::fdopen(fd, "wb") : nullptr;
    if (!file_) {
        int saved = errno;
        ::close(fd);
        ::unlink(temp_path_.c_str());
        errno = saved;
        fail(path);
    }
}

Output::~Output() {
    if (file_ == stdout) return;
    if (file_) std::fclose(file_);
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

bool Output::write(std::string_view data) { return std::fwrite(data.data(), 1, data.size(), file_) == data.size(); }

bool Output::flush() { return std::fflush(file_) == 0 && !std::ferror(file_); }

bool Output::commit() {
    if (!flush()) return false;
    if (file_ == stdout) return true;
    int rc = std::fclose(std::exchange(file_, nullptr));
    if (rc != 0) return false;
    if (temp_path_.empty()) return true;
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return false;
    temp_path_.clear();
    return true;
}

}  // namespace squall::tools
