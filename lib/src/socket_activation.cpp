// systemd_listen_fds: the receiving side of socket activation, as sd_listen_fds(3) describes
// it. Internal. See squall/socket_activation.h.
#include "squall/socket_activation.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace squall {
namespace {

constexpr int kFirstPassedFd = 3;  // SD_LISTEN_FDS_START

/// `text` (an environment value, maybe null) as a decimal number: false for none, a sign,
/// anything after the digits, or one past unsigned long.
bool parse_count(const char* text, unsigned long& out) {
    if (!text || !*text) return false;
    std::string_view s(text);
    auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), out);
    return error == std::errc() && end == s.data() + s.size();
}

void unset_variables() {
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
}

/// Throws unless `fd` is an open listening socket; then makes it non-blocking, close-on-exec.
void adopt(int fd) {
    int listening = 0;
    socklen_t size = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening)
        throw std::invalid_argument("LISTEN_FDS: descriptor " + std::to_string(fd) + " is not a listening socket");
    int flags = ::fcntl(fd, F_GETFL);
    int fd_flags = ::fcntl(fd, F_GETFD);
    if (flags < 0 || fd_flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
        ::fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC) != 0)
        throw std::invalid_argument("LISTEN_FDS: descriptor " + std::to_string(fd) + " cannot be set up");
}

}  // namespace

std::vector<int> systemd_listen_fds(bool unset_environment) {
    unsigned long pid = 0, count = 0;
    if (!parse_count(std::getenv("LISTEN_PID"), pid) || pid != static_cast<unsigned long>(::getpid())) return {};
    const bool counted = parse_count(std::getenv("LISTEN_FDS"), count);
    if (unset_environment) unset_variables();
    if (!counted) throw std::invalid_argument("LISTEN_FDS is not a number of descriptors");
    // Bounded by the descriptor table, so the loop below cannot run past int.
    const long table = ::sysconf(_SC_OPEN_MAX);
    if (count > static_cast<unsigned long>(table > kFirstPassedFd ? table - kFirstPassedFd : 0))
        throw std::invalid_argument("LISTEN_FDS is larger than the descriptor table");
    std::vector<int> fds;
    for (int i = 0; i < static_cast<int>(count); ++i) {
        adopt(kFirstPassedFd + i);
        fds.push_back(kFirstPassedFd + i);
    }
    return fds;
}

}  // namespace squall
