// A TCP client with non-blocking name resolution and Tornado's happy-eyeballs connector.
// Public header. Models tornado/tcpclient.py (4.0) TCPClient and _Connector, with 4.5's
// source address and 5.0's overall timeout; with ssl_options the stream is an SSLIOStream.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "squall/iostream.h"
#include "squall/resolver.h"
#include "squall/ssl.h"

namespace squall {

struct ConnectOptions {
    /// AF_UNSPEC (both, primary family first), AF_INET or AF_INET6.
    int family = AF_UNSPEC;
    /// Give up (TimeoutError) after this long, resolution included; none by default.
    std::optional<Duration> timeout;
    /// Bind the local end to this numeric address before connecting.
    std::string source_ip;
    int source_port = 0;
    StreamOptions stream_options;
    /// A client SSLContext: the connection is upgraded with start_tls (the result is an
    /// SSLIOStream whose handshake is done), checking the certificate against the host name
    /// (or `server_hostname` when given).
    std::optional<SSLContext> ssl_options;
    std::string server_hostname;
};

/// Happy eyeballs (RFC 6555) as Tornado does it: try the first address's family; after 0.3 s,
/// or at once when an attempt fails, start on the other family; the first connection wins and
/// later ones are closed; it fails only when every address has failed.
class Connector {
public:
    static constexpr Duration initial_connect_timeout = std::chrono::milliseconds(300);
    using ConnectFunction = MoveOnlyFunction<Future<std::unique_ptr<IOStream>>(const SocketAddress&)>;

    /// primary: the first address's family, in order; secondary: the rest, in order.
    static std::pair<std::vector<SocketAddress>, std::vector<SocketAddress>> split(
        const std::vector<SocketAddress>& addresses);

    /// Connect to one of `addresses` with `connect`; the result names the winner.
    static Future<std::pair<SocketAddress, std::unique_ptr<IOStream>>> start(
        IOLoop& loop, const std::vector<SocketAddress>& addresses, ConnectFunction connect,
        Duration timeout = initial_connect_timeout);
};

class TCPClient {
public:
    /// Uses `resolver`, or a default one it owns (c-ares when built in) when null.
    explicit TCPClient(Resolver* resolver = nullptr, IOLoop& loop = IOLoop::current());
    TCPClient(const TCPClient&) = delete;
    TCPClient& operator=(const TCPClient&) = delete;
    ~TCPClient();

    /// A connected stream to host:port. Fails with ResolveError, StreamClosedError (whose
    /// real_error is the last connect error, or the SSLError of the handshake) or TimeoutError
    /// (the timeout covers resolution, connecting and the handshake).
    Future<std::unique_ptr<IOStream>> connect(std::string host, int port, ConnectOptions options = {});
    void close();

private:
    IOLoop& loop_;
    std::unique_ptr<Resolver> owned_resolver_;
    Resolver* resolver_;
};

}  // namespace squall
