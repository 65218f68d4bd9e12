// A non-blocking TCP server: listening sockets plus an IOStream per accepted connection. Public
// header. Models tornado/tcpserver.py (4.0) TCPServer: listen, bind + start(num_processes),
// add_sockets, TLS.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "squall/iostream.h"
#include "squall/netutil.h"
#include "squall/ssl.h"

namespace squall {

/// Subclass and override handle_stream. Not thread-safe: one server per IOLoop.
class TCPServer {
public:
    /// With `ssl_options` (a server SSLContext) each connection is an SSLIOStream, handed over
    /// at once with its handshake under way (reads and writes wait for it).
    explicit TCPServer(IOLoop& loop = IOLoop::current(), StreamOptions stream_options = {},
                       std::optional<SSLContext> ssl_options = std::nullopt);
    TCPServer(const TCPServer&) = delete;
    TCPServer& operator=(const TCPServer&) = delete;
    /// Stops listening. Connections already handed to handle_stream are the subclass's.
    virtual ~TCPServer();

    /// bind_sockets(port, {address}) and add_sockets: start accepting at once.
    void listen(int port, const std::string& address = "");
    /// Take ownership of listening sockets and accept on them.
    void add_sockets(const std::vector<int>& sockets);
    void add_socket(int socket) { add_sockets({socket}); }
    /// Bind now, accept after start(): the multi-process form. Tornado's parameters.
    void bind(int port, const std::string& address = "", int family = AF_UNSPEC, int backlog = 128,
              bool reuse_port = false);
    /// Start accepting on the sockets bind() made. With num_processes != 1 this first forks that
    /// many children (0 or less: one per CPU) with fork_processes, which restarts children that
    /// die and never returns in the parent; each child then accepts on the shared sockets.
    /// The IOLoop must not have been started (nor made any threads) before forking.
    void start(int num_processes = 1);
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
    std::optional<SSLContext> ssl_options_;
    std::vector<int> sockets_;
    std::vector<int> pending_sockets_;  // bound, not yet started
};

}  // namespace squall
