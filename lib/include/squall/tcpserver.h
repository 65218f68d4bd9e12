// A non-blocking TCP server: listening sockets plus an IOStream per accepted connection. Public
// header. Models tornado/tcpserver.py (4.0) TCPServer (TLS and multi-process start come later).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "squall/iostream.h"
#include "squall/netutil.h"

namespace squall {

/// Subclass and override handle_stream. Not thread-safe: one server per IOLoop.
class TCPServer {
public:
    explicit TCPServer(IOLoop& loop = IOLoop::current(), StreamOptions stream_options = {});
    TCPServer(const TCPServer&) = delete;
    TCPServer& operator=(const TCPServer&) = delete;
    /// Stops listening. Connections already handed to handle_stream are the subclass's.
    virtual ~TCPServer();

    /// bind_sockets(port, {address}) and add_sockets: start accepting at once.
    void listen(int port, const std::string& address = "");
    /// Take ownership of listening sockets and accept on them.
    void add_sockets(const std::vector<int>& sockets);
    void add_socket(int socket) { add_sockets({socket}); }
    /// Stop accepting and close the listening sockets; existing connections carry on.
    void stop();
    /// The port of each listening socket, in order (useful after listen(0)).
    std::vector<int> ports() const;
    IOLoop& io_loop() const noexcept { return loop_; }

protected:
    /// Called for each new connection, with the stream ready to use. Exceptions are logged
    /// ("Error in connection callback") and the connection is closed.
    virtual void handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress& address) = 0;

private:
    void on_accept(int fd, const SocketAddress& address);

    IOLoop& loop_;
    StreamOptions stream_options_;
    std::vector<int> sockets_;
};

}  // namespace squall
