// TCPServer: accept, wrap in an IOStream, hand to the subclass. Internal. Models
// tornado/tcpserver.py (4.0) TCPServer._handle_connection.
#include "squall/tcpserver.h"

#include <netinet/in.h>
#include <unistd.h>

#include "squall/log.h"

namespace squall {

TCPServer::TCPServer(IOLoop& loop, StreamOptions stream_options)
    : loop_(loop), stream_options_(stream_options) {}

TCPServer::~TCPServer() { stop(); }

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
