// HTTPServer: connections, the request-callback adapter, xheaders and the access log.
// Internal. Models tornado/httpserver.py (4.0) HTTPServer.handle_stream, _ServerRequestAdapter
// and _HTTPRequestContext._apply_xheaders.
#include "squall/httpserver.h"

#include "squall/log.h"
#include "squall/netutil.h"
#include "squall/detail/ascii.h"
#include "squall/detail/recycler.h"

namespace squall {
namespace {

/// "200 GET /path (ip) 1.23ms" on tornado.access.
void log_answered(HTTPServerRequest& request) {
    request.mark_finished();
    int code = request.connection->response_code();
    LogLevel level = code < 400 ? LogLevel::info : code < 500 ? LogLevel::warning : LogLevel::error;
    access_log().logf(level, "%d %s %s (%s) %.2fms", code, request.method.c_str(), request.uri.c_str(),
                      request.remote_ip.c_str(), request.request_time() * 1000.0);
}

/// Logs once the response is written: at once when it already is (the usual case for a
/// synchronous callback, with no Future to allocate), else when the connection finishes.
void log_when_answered(const std::shared_ptr<HTTPServerRequest>& r) {
    if (r->connection->write_finished()) return log_answered(*r);
    // Weak: the connection holds this callback and the request holds the connection.
    r->connection->finish_future().add_done_callback([weak = std::weak_ptr<HTTPServerRequest>(r)](Future<void>) {
        if (auto request = weak.lock()) log_answered(*request);
    });
}

/// Collects a whole request for the callback form (Tornado's _ServerRequestAdapter without a
/// delegate).
class RequestCollector : public HTTPMessageDelegate, public detail::Recycled {  // one per request
public:
    using Callback = HTTPServer::RequestCallback;
    RequestCollector(std::shared_ptr<Callback> callback, std::shared_ptr<HTTP1Connection> conn)
        : callback_(std::move(callback)), conn_(std::move(conn)) {}

    Future<void> headers_received(const StartLine& start_line, HTTPHeaders& headers) override {
        request_ = std::allocate_shared<HTTPServerRequest>(detail::RecyclingAllocator<HTTPServerRequest>(),
                                                           std::get<RequestStartLine>(start_line), std::move(headers), conn_);
        return {};
    }
    Future<void> data_received(std::string_view chunk) override {
        request_->body.append(chunk);
        return {};
    }
    void finish() override {
        try {
            request_->parse_body();
        } catch (const HTTPInputError& e) {
            gen_log().logf(LogLevel::info, "Malformed HTTP message from %s: %s", request_->remote_ip.c_str(), e.what());
            respond(*request_, 400, {}, "");
            log_when_answered(request_);
            return;
        }
        auto request = request_;  // the callback may close the connection, which resets request_
        (*callback_)(request);
        log_when_answered(request);
    }
    void on_connection_close() override { request_.reset(); }

private:
    std::shared_ptr<Callback> callback_;
    std::shared_ptr<HTTP1Connection> conn_;
    std::shared_ptr<HTTPServerRequest> request_;
};

/// xheaders: the proxy's view of the client, for this request only.
void apply_xheaders(HTTPConnectionContext& context, const HTTPHeaders& headers) {
    std::string ip = std::string(headers.find("X-Forwarded-For").value_or(context.remote_ip));
    // The last address is the one the nearest proxy saw.
    std::size_t comma = ip.rfind(',');
    if (comma != std::string::npos) ip = ip.substr(comma + 1);
    ip = std::string(detail::trim_ows(ip));
    if (auto real = headers.find("X-Real-Ip")) ip = std::string(detail::trim_ows(*real));
    if (is_valid_ip(ip)) context.remote_ip = ip;
    auto scheme = headers.find("X-Scheme");
    if (!scheme) scheme = headers.find("X-Forwarded-Proto");
    if (scheme) {
        std::string proto = detail::ascii_lowercase(detail::trim_ows(*scheme));
        if (proto == "http" || proto == "https") context.protocol = proto;
    }
}

class XHeadersMessage : public HTTPMessageDelegate {
public:
    XHeadersMessage(std::unique_ptr<HTTPMessageDelegate> inner, std::shared_ptr<HTTP1Connection> conn)
        : inner_(std::move(inner)), conn_(std::move(conn)) {}
    Future<void> headers_received(const StartLine& start_line, HTTPHeaders& headers) override {
        apply_xheaders(conn_->context(), headers);
        return inner_->headers_received(start_line, headers);
    }
    Future<void> data_received(std::string_view chunk) override { return inner_->data_received(chunk); }
    void finish() override { inner_->finish(); }
    void on_connection_close() override { inner_->on_connection_close(); }

private:
    std::unique_ptr<HTTPMessageDelegate> inner_;
    std::shared_ptr<HTTP1Connection> conn_;
};

}  // namespace

class HTTPServer::CallbackDelegate : public HTTPServerConnectionDelegate {
public:
    explicit CallbackDelegate(RequestCallback callback)
        : callback_(std::make_shared<RequestCallback>(std::move(callback))) {}
    std::unique_ptr<HTTPMessageDelegate> start_request(std::shared_ptr<HTTP1Connection> connection) override {
        return std::make_unique<RequestCollector>(callback_, std::move(connection));
    }

private:
    // Shared with requests in flight, which may outlive the server.
    std::shared_ptr<RequestCallback> callback_;
};

/// Puts xheaders in front of the delegate when asked for, and forwards on_close.
class HTTPServer::Adapter : public HTTPServerConnectionDelegate {
public:
    Adapter(HTTPServerConnectionDelegate& inner, bool xheaders) : inner_(inner), xheaders_(xheaders) {}
    std::unique_ptr<HTTPMessageDelegate> start_request(std::shared_ptr<HTTP1Connection> connection) override {
        auto message = inner_.start_request(connection);
        if (!xheaders_) return message;
        return std::make_unique<XHeadersMessage>(std::move(message), std::move(connection));
    }
    void on_close() override { inner_.on_close(); }

private:
    HTTPServerConnectionDelegate& inner_;
    bool xheaders_;
};

namespace {

StreamOptions stream_options_for(const HTTPServerOptions& o) {
    StreamOptions s;
    s.max_buffer_size = o.max_buffer_size;
    s.write_timeout = o.write_timeout;
    s.read_chunk_size = o.chunk_size;
    return s;
}

std::shared_ptr<const HTTP1ConnectionParameters> connection_params_for(const HTTPServerOptions& o) {
    auto params = std::make_shared<HTTP1ConnectionParameters>();
    params->no_keep_alive = o.no_keep_alive;
    params->chunk_size = o.chunk_size;
    params->max_header_size = o.max_header_size;
    params->max_header_count = o.max_header_count;
    params->form_limits = o.form_limits;
    params->header_timeout = o.idle_connection_timeout;
    params->max_body_size = o.max_body_size;
    params->body_timeout = o.body_timeout;
    params->decompress = o.decompress_request;
    return params;
}

}  // namespace

HTTPServer::HTTPServer(RequestCallback callback, HTTPServerOptions options, IOLoop& loop)
    : TCPServer(loop, stream_options_for(options), options.ssl_options),
      options_(std::move(options)),
      owned_delegate_(std::make_unique<CallbackDelegate>(std::move(callback))),
      adapter_(std::make_unique<Adapter>(*owned_delegate_, options_.xheaders)),
      connection_params_(connection_params_for(options_)) {}

HTTPServer::HTTPServer(HTTPServerConnectionDelegate& delegate, HTTPServerOptions options, IOLoop& loop)
    : TCPServer(loop, stream_options_for(options), options.ssl_options),
      options_(std::move(options)),
      adapter_(std::make_unique<Adapter>(delegate, options_.xheaders)),
      connection_params_(connection_params_for(options_)) {}

HTTPServer::~HTTPServer() {
    life_.end();  // the connections closed below must not call back into a server going away
    if (grace_timer_) io_loop().remove_timeout(grace_timer_);
    stop();
    connections_.clear();  // closes each stream; their loops end without calling us
}

void HTTPServer::handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress& address) {
    stream->set_nodelay(true);  // responses go out whole; never wait for an ACK (nginx does too)
    HTTPConnectionContext context;
    context.remote_ip = address.family() == AF_INET || address.family() == AF_INET6 ? address.ip() : "0.0.0.0";
    context.protocol = !options_.protocol.empty() ? options_.protocol : options_.ssl_options ? "https" : "http";
    auto conn = std::make_unique<HTTP1ServerConnection>(std::move(stream), connection_params_, std::move(context));
    conn->set_drain_group(upgraded_);
    HTTP1ServerConnection* raw = conn.get();
    connections_.emplace(raw, std::move(conn));
    // Before serving starts: serving may end at once (a reset peer), and `raw` with it.
    if (draining_) raw->close_when_idle();
    raw->start_serving(*adapter_).add_done_callback([this, raw, watch = life_.watch()](Future<void>) {
        if (!watch.alive()) return;
        connections_.erase(raw);
        settle_if_all_closed();
    });
}

Future<void> HTTPServer::close_all_connections(Duration grace) {
    if (!all_closed_) all_closed_.emplace();
    Future<void> closed = all_closed_->get_future();
    bool now = grace <= Duration::zero();
    if (now && grace_timer_) io_loop().remove_timeout(std::exchange(grace_timer_, {}));
    if (!now && !draining_) {
        grace_timer_ = io_loop().call_later(grace, [this, watch = life_.watch()] {
            if (!watch.alive()) return;
            grace_timer_ = {};
            close_connections(true);
        });
    }
    draining_ = true;
    // Upgraded connections may outlive their HTTP ones: the group says when the last one goes.
    if (upgraded_->size())
        upgraded_->emptied().add_done_callback([this, watch = life_.watch()](Future<void>) {
            if (watch.alive()) settle_if_all_closed();
        });
    close_connections(now);
    settle_if_all_closed();
    return closed;
}

void HTTPServer::close_connections(bool now) {
    std::vector<HTTP1ServerConnection*> open;
    for (auto& [raw, conn] : connections_) open.push_back(raw);
    for (HTTP1ServerConnection* c : open) {
        if (!connections_.count(c)) continue;  // an earlier close ended it
        now ? c->close() : c->close_when_idle();
    }
    now ? upgraded_->abort_all() : upgraded_->drain_all();
}

void HTTPServer::settle_if_all_closed() {
    if (all_closed_ && connections_.empty() && upgraded_->size() == 0) {
        if (grace_timer_) io_loop().remove_timeout(std::exchange(grace_timer_, {}));
        take_promise(all_closed_).set_result();
    }
}

Future<void> respond(HTTPServerRequest& request, int code, HTTPHeaders headers, std::string body) {
    if (!headers.contains("Content-Length") && code != 204 && code != 304 && !(code >= 100 && code < 200))
        headers.add("Content-Length", std::to_string(body.size()));  // absent: no set() search
    if (request.method == "HEAD") body.clear();  // the length is announced, the body is not sent
    auto written = request.connection->write_headers(ResponseStartLine{"HTTP/1.1", code, ""}, std::move(headers),
                                                     std::move(body));
    request.connection->finish();
    return written;
}

}  // namespace squall
