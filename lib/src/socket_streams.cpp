// The socket and pipe transports of BaseIOStream. Internal. Models tornado/iostream.py (4.0)
// IOStream (connect, set_nodelay, SO_ERROR) and PipeIOStream.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>

#include "squall/iostream.h"
#include "sigpipe.h"

namespace squall {
namespace {

void set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

bool would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

}  // namespace

void detail::ignore_sigpipe() noexcept {
    // Decided once per process: it runs for every file a stream sends.
    static std::atomic<bool> decided{false};
    if (decided.exchange(true)) return;
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
        ::signal(SIGPIPE, SIG_IGN);
}

// ---- IOStream -------------------------------------------------------------------------------

IOStream::IOStream(IOLoop& loop, int fd, StreamOptions options)
    : BaseIOStream(loop, options), fd_(fd) {
    if (fd < 0) throw std::invalid_argument("IOStream: invalid descriptor");
    set_nonblocking(fd);
}

void IOStream::close_fd() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

ssize_t IOStream::read_from_fd(std::span<char> buf) {
    while (true) {
        ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (would_block(errno)) return -1;
        throw_errno("recv");
    }
}

ssize_t IOStream::write_to_fd(std::span<const iovec> iov) {
    msghdr msg{};
    msg.msg_iov = const_cast<iovec*>(iov.data());
    msg.msg_iovlen = std::min<std::size_t>(iov.size(), IOV_MAX);
    while (true) {
        // MSG_NOSIGNAL: a peer that went away is an EPIPE error, never a SIGPIPE.
        ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (would_block(errno)) return -1;
        throw_errno("sendmsg");
    }
}

ssize_t IOStream::write_file_to_fd(int fd, std::uint64_t offset, std::uint64_t length) {
    auto off = static_cast<off_t>(offset);
    // Bounded so one call cannot monopolise the loop on a fast peer.
    std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(length, 1 << 20));
    while (true) {
        ssize_t n = ::sendfile(fd_, fd, &off, count);
        if (n > 0) return n;
        if (n == 0) throw std::runtime_error("write_file: the file is shorter than the length queued");
        if (errno == EINTR) continue;
        if (would_block(errno)) return -1;
        // Files sendfile cannot read (some filesystems): the copying path.
        if (errno == EINVAL || errno == ENOSYS) return BaseIOStream::write_file_to_fd(fd, offset, length);
        throw_errno("sendfile");
    }
}

void IOStream::set_corked(bool corked) noexcept {
    int on = corked ? 1 : 0;
    // Not a TCP socket (a Unix socket): nothing to hold back, and the error says so.
    (void)::setsockopt(fd_, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

std::error_code IOStream::get_fd_error() noexcept {
    int err = 0;
    socklen_t len = sizeof err;
    if (fd_ < 0 || ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return {};
    return {err, std::generic_category()};
}

bool IOStream::peer_closed() noexcept {
    char c;
    ssize_t n;
    do {
        n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    return n == 0;
}

void IOStream::set_nodelay(bool value) {
    if (fd_ < 0) return;
    int on = value ? 1 : 0;
    // Only TCP sockets have it; for others (AF_UNIX) the call fails harmlessly, as in Tornado.
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

Future<void> IOStream::connect(const sockaddr* address, socklen_t length) {
    if (closed()) throw StreamClosedError(error());
    if (connect_promise_) throw std::logic_error("IOStream::connect: already connecting");
    connect_promise_.emplace();
    Future<void> f = connect_promise_->get_future();
    setting_up_ = true;
    tcp_connecting_ = true;
    int rc;
    do {
        rc = ::connect(fd_, address, length);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0 && errno != EINPROGRESS) {
        // A refused or unreachable address: the Future fails with the errno as real_error.
        finish_close(std::make_exception_ptr(std::system_error(errno, std::generic_category(), "connect")));
        return f;
    }
    setup_events_ = Events::write;  // writable means connected (or failed: see handle_setup)
    refresh_io_state();
    return f;
}

void IOStream::handle_setup(Events events) {
    if (!tcp_connecting_ || !any(events, Events::write | Events::error)) return;
    if (std::error_code ec = get_fd_error()) {
        finish_close(std::make_exception_ptr(std::system_error(ec, "connect")));
        return;
    }
    tcp_connecting_ = false;
    on_connected();
}

void IOStream::on_connected() {
    setting_up_ = false;
    setup_events_ = Events::none;
    complete_connect();
}

void IOStream::complete_connect() {
    if (!connect_promise_) return;
    take_promise(connect_promise_).set_result();  // may run user code
}

void IOStream::on_close() {
    tcp_connecting_ = false;
    if (!connect_promise_) return;
    take_promise(connect_promise_).set_exception(StreamClosedError(error()));
}

int IOStream::detach_fd() {
    int fd = fd_;
    fd_ = -1;  // close() below then releases nothing
    finish_close({});
    return fd;
}

// ---- PipeIOStream ---------------------------------------------------------------------------

PipeIOStream::PipeIOStream(IOLoop& loop, int fd, StreamOptions options)
    : BaseIOStream(loop, options), fd_(fd) {
    if (fd < 0) throw std::invalid_argument("PipeIOStream: invalid descriptor");
    set_nonblocking(fd);
    detail::ignore_sigpipe();  // write(2) to a pipe whose reader is gone raises SIGPIPE
}

void PipeIOStream::close_fd() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

ssize_t PipeIOStream::read_from_fd(std::span<char> buf) {
    while (true) {
        ssize_t n = ::read(fd_, buf.data(), buf.size());
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (would_block(errno)) return -1;
        if (errno == EBADF) return 0;  // Tornado: a closed pipe reads as end of stream
        throw_errno("read");
    }
}

ssize_t PipeIOStream::write_to_fd(std::span<const iovec> iov) {
    while (true) {
        ssize_t n = ::writev(fd_, iov.data(), static_cast<int>(std::min<std::size_t>(iov.size(), IOV_MAX)));
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (would_block(errno)) return -1;
        throw_errno("writev");
    }
}

}  // namespace squall
