// TCPServer: accept, wrap in an IOStream (SSLIOStream with TLS), hand to the subclass.
// Internal. Models tornado/tcpserver.py (4.0) TCPServer (bind/start, _handle_connection).
#include "squall/tcpserver.h"

#include <netinet/in.h>
#include <unistd.h>

#include "squall/log.h"
#include "squall/process.h"
#include "squall/ssliostream.h"

namespace squall {

TCPServer::TCPServer(IOLoop& loop, StreamOptions stream_options, std::optional<SSLContext> ssl_options)
    : loop_(loop), stream_options_(stream_options), ssl_options_(std::move(ssl_options)) {
    if (ssl_options_ && !ssl_options_->server_side())
        throw std::invalid_argument("TCPServer: ssl_options must be a server SSLContext");
}

TCPServer::~TCPServer() {
    stop();
    for (int fd : pending_sockets_) ::close(fd);
}

void TCPServer::bind(int port, const std::string& address, int family, int backlog, bool reuse_port) {
    BindOptions options;
    options.address = address;
    options.family = family;
    options.backlog = backlog;
    options.reuse_port = reuse_port;
    std::vector<int> fds = bind_sockets(port, options);
    pending_sockets_.insert(pending_sockets_.end(), fds.begin(), fds.end());
}

void TCPServer::start(int num_processes) {
    if (num_processes != 1) fork_processes(num_processes);
    std::vector<int> fds = std::move(pending_sockets_);
    pending_sockets_.clear();
    add_sockets(fds);
}

void TCPServer::listen(int port, const std::string& address) {
    BindOptions options;
    options.address = address;
    add_sockets(bind_sockets(port, options));
}

void TCPServer::add_sockets(const std::vector<int>& sockets) {
    for (int fd : sockets) {
        sockets_.push_back(fd);
        add_accept_handler(loop_, fd, [this](int conn, const SocketAddress& addr) { on_accept(conn, addr); });
    }
}

void TCPServer::stop() {
    for (int fd : sockets_) {
        loop_.remove_handler(fd);
        ::close(fd);
    }
    sockets_.clear();
}

std::vector<int> TCPServer::ports() const {
    std::vector<int> out;
    for (int fd : sockets_) out.push_back(local_address(fd).port());
    return out;
}

void TCPServer::on_accept(int fd, const SocketAddress& address) {
    std::unique_ptr<IOStream> stream;
    try {
        if (ssl_options_)
            stream = std::make_unique<SSLIOStream>(loop_, fd, *ssl_options_, "", stream_options_);
        else
            stream = std::make_unique<IOStream>(loop_, fd, stream_options_);
    } catch (...) {
        ::close(fd);
        throw;
    }
    try {
        handle_stream(std::move(stream), address);
    } catch (const std::exception& e) {
        app_log().logf(LogLevel::error, "Error in connection callback: %s", e.what());
    }
}

}  // namespace squall
