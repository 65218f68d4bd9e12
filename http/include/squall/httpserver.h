// A non-blocking HTTP/1.1 server: TCPServer plus HTTP1ServerConnection per connection, calling
// either a request callback (with the whole request) or an HTTPServerConnectionDelegate (such
// as a web Application, which streams). Public header. Models tornado/httpserver.py (4.0)
// HTTPServer, _ServerRequestAdapter and _HTTPRequestContext (xheaders).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "squall/function.h"
#include "squall/detail/lifetime.h"
#include "squall/drain_group.h"
#include "squall/http1connection.h"
#include "squall/httpserverrequest.h"
#include "squall/ssl.h"
#include "squall/tcpserver.h"

namespace squall {

/// Tornado's HTTPServer keyword arguments, with its defaults.
struct HTTPServerOptions {
    bool no_keep_alive = false;
    /// Trust X-Real-Ip / X-Forwarded-For and X-Scheme / X-Forwarded-Proto (behind a proxy).
    bool xheaders = false;
    std::optional<SSLContext> ssl_options;
    /// Overrides request.protocol ("https" behind a TLS terminator).
    std::string protocol;
    /// Gunzip request bodies sent with Content-Encoding: gzip.
    bool decompress_request = false;
    std::size_t chunk_size = 64 * 1024;
    std::size_t max_header_size = 64 * 1024;
    /// Header fields per request (431 past it) and trailer fields per chunked body.
    std::size_t max_header_count = 100;
    /// Query and form fields, files and multipart part headers per request (400 past them).
    FormLimits form_limits;
    /// How long a connection may wait for a (next) request's headers.
    Duration idle_connection_timeout = std::chrono::seconds(3600);
    std::optional<Duration> body_timeout;
    /// Close a connection whose peer takes none of a response for this long (nginx's
    /// send_timeout). None, as in Tornado: a peer that stops reading holds its connection.
    std::optional<Duration> write_timeout;
    /// Default: max_buffer_size. Applies to streamed bodies too.
    std::optional<std::uint64_t> max_body_size;
    std::size_t max_buffer_size = 100 * 1024 * 1024;
};

/// Writes a whole response to a request received by a callback: status line, headers (with
/// Content-Length) and body, then finishes. A convenience for the callback form.
Future<void> respond(HTTPServerRequest& request, int code, HTTPHeaders headers, std::string body);

class HTTPServer : public TCPServer {
public:
    using RequestCallback = MoveOnlyFunction<void(std::shared_ptr<HTTPServerRequest>)>;

    /// The callback gets each request once its body has arrived (and its form arguments are
    /// parsed; a malformed form is answered with 400 before the callback). It answers through
    /// request->connection (or respond()), now or later. Each request is logged on
    /// tornado.access once answered.
    explicit HTTPServer(RequestCallback callback, HTTPServerOptions options = {}, IOLoop& loop = IOLoop::current());
    /// `delegate` makes a message delegate per request and must outlive the server.
    explicit HTTPServer(HTTPServerConnectionDelegate& delegate, HTTPServerOptions options = {},
                        IOLoop& loop = IOLoop::current());
    ~HTTPServer() override;

    /// Closes the open connections, for a clean shutdown after stop(); done when all are
    /// closed. With no grace (Tornado 5's close_all_connections) every connection closes now.
    /// With a grace period, idle keep-alive connections close now, requests in flight finish
    /// (their responses say Connection: close) and upgraded connections close gracefully (a
    /// WebSocket with 1001); whatever is still open when it ends is closed. Connections accepted
    /// meanwhile (without stop()) serve one request. A second call with no grace cuts it short.
    Future<void> close_all_connections(Duration grace = Duration::zero());
    /// HTTP connections, and connections a request took over (WebSockets) until they close.
    std::size_t connection_count() const noexcept { return connections_.size() + upgraded_->size(); }
    const HTTPServerOptions& options() const noexcept { return options_; }

protected:
    void handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress& address) override;

private:
    class CallbackDelegate;
    class Adapter;
    HTTPServerOptions options_;
    std::unique_ptr<HTTPServerConnectionDelegate> owned_delegate_;
    std::unique_ptr<HTTPServerConnectionDelegate> adapter_;
    std::shared_ptr<const HTTP1ConnectionParameters> connection_params_;  // from options_, shared
    /// Every connection now, the graceful ones (close_when_idle, drain) after the first.
    void close_connections(bool now);
    void settle_if_all_closed();

    std::map<HTTP1ServerConnection*, std::unique_ptr<HTTP1ServerConnection>> connections_;
    std::shared_ptr<DrainGroup> upgraded_ = DrainGroup::create();
    bool draining_ = false;
    TimeoutHandle grace_timer_;
    std::optional<Promise<void>> all_closed_;
    detail::Lifetime life_;  // connection callbacks check it: the server may be gone
};

}  // namespace squall
