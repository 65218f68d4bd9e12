// websocket_connect: the client's opening handshake (RFC 6455 section 4.1) over TCPClient (TLS
// for wss://) and HTTP1Connection, the checks on the server's 101 answer, and the timeouts.
// Internal. Models tornado/websocket.py (4.0) websocket_connect and
// WebSocketClientConnection's handshake (its _HTTPConnection base in simple_httpclient.py).
#include <openssl/rand.h>

#include <algorithm>

#include "squall/detail/ascii.h"
#include "squall/detail/base64.h"
#include "squall/detail/url_parts.h"
#include "squall/http1connection.h"
#include "squall/tcpclient.h"
#include "squall/websocket_client.h"
#include "squall/websocket_handshake.h"
#include "websocket_client_start.h"

namespace squall {
namespace {

/// The URL with ws/wss read as http/https, which have the same form and default ports.
detail::URLParts websocket_url(const std::string& url) {
    std::size_t colon = url.find(':');
    std::string scheme = detail::ascii_lowercase(std::string_view(url).substr(0, colon));
    std::string http_scheme = scheme == "ws" ? "http" : scheme == "wss" ? "https" : "";
    if (colon == std::string::npos || http_scheme.empty())
        throw std::invalid_argument("not a ws:// or wss:// URL: " + url);
    auto parts = detail::split_url(http_scheme + url.substr(colon));
    if (!parts) throw std::invalid_argument("invalid WebSocket URL: " + url);
    return *parts;
}

std::string new_websocket_key() {
    unsigned char nonce[16];
    if (RAND_bytes(nonce, sizeof nonce) != 1) throw std::runtime_error("RAND_bytes failed: no Sec-WebSocket-Key");
    return detail::base64_encode(std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce));
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

/// Extensions we ask for: permessage-deflate when compression_options are set.
std::vector<std::string> offered_extensions(const WebSocketConnectOptions& options) {
    if (!options.compression_options) return {};
    return {deflate_offer(*options.compression_options)};
}

HTTPHeaders upgrade_request_headers(const HTTPRequest& request, const detail::URLParts& url, const std::string& key,
                                    const WebSocketConnectOptions& options) {
    HTTPHeaders headers = request.headers;
    if (!headers.contains("Host")) headers.set("Host", url.netloc);
    headers.set("Upgrade", "websocket");
    headers.set("Connection", "Upgrade");
    headers.set("Sec-WebSocket-Key", key);
    headers.set("Sec-WebSocket-Version", "13");
    if (!options.subprotocols.empty()) headers.set("Sec-WebSocket-Protocol", join(options.subprotocols));
    if (auto extensions = offered_extensions(options); !extensions.empty())
        headers.set("Sec-WebSocket-Extensions", join(extensions));
    return headers;
}

/// Takes the response head, and the stream with it: the body of a refusal is not wanted, and the
/// bytes after a 101 head are frames.
class HandshakeResponse final : public HTTPMessageDelegate {
public:
    explicit HandshakeResponse(HTTP1Connection& connection) : connection_(connection) {}
    Future<void> headers_received(const StartLine& start_line, HTTPHeaders& headers) override {
        const auto& line = std::get<ResponseStartLine>(start_line);
        if (line.code >= 100 && line.code < 200 && line.code != 101) return {};  // interim
        code = line.code;
        reason = line.reason.empty() ? std::string(reason_phrase(line.code)) : line.reason;
        this->headers = headers;
        stream = connection_.detach();
        return {};
    }
    Future<void> data_received(std::string_view) override { return {}; }
    void finish() override {}
    void on_connection_close() override {}

    int code = 0;
    std::string reason;
    HTTPHeaders headers;
    std::shared_ptr<IOStream> stream;

private:
    HTTP1Connection& connection_;
};

/// Closes the stream if the handshake is not done by the deadline (request_timeout).
class HandshakeDeadline {
public:
    HandshakeDeadline(IOLoop& loop, TimePoint deadline) : loop_(loop), deadline_(deadline) {}
    ~HandshakeDeadline() { cancel(); }
    HandshakeDeadline(const HandshakeDeadline&) = delete;
    HandshakeDeadline& operator=(const HandshakeDeadline&) = delete;

    void watch(const std::shared_ptr<IOStream>& stream) {
        timer_ = loop_.call_at(deadline_, [this, weak = std::weak_ptr<IOStream>(stream)] {
            timer_ = {};
            expired_ = true;
            if (auto s = weak.lock()) s->close();
        });
    }
    void cancel() noexcept {
        if (timer_) loop_.remove_timeout(std::exchange(timer_, {}));
    }
    bool expired() const noexcept { return expired_; }
    TimePoint deadline() const noexcept { return deadline_; }

private:
    IOLoop& loop_;
    TimePoint deadline_;
    TimeoutHandle timer_;
    bool expired_ = false;
};

std::exception_ptr no_answer(std::string message) {
    return std::make_exception_ptr(HTTPClientError(599, std::move(message)));
}

/// A connect failure as Tornado reports it: HTTPError 599 with what went wrong.
std::exception_ptr connect_failure(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const TimeoutError&) {
        return no_answer("Timeout while connecting");
    } catch (const StreamClosedError& e) {
        return no_answer(e.real_error() ? detail::describe_exception(e.real_error()) : e.what());
    } catch (const std::exception& e) {
        return no_answer(e.what());
    }
}

std::exception_ptr refusal(const HandshakeResponse& answer, const std::string& url) {
    auto response = std::make_shared<HTTPResponse>();
    response->code = answer.code;
    response->reason = answer.reason;
    response->headers = answer.headers;
    response->effective_url = url;
    return std::make_exception_ptr(HTTPClientError(answer.code, answer.reason, std::move(response)));
}

bool has_upgrade_token(const HTTPHeaders& headers) {
    std::string connection = headers.get("Connection");  // the tokens point into it
    for (std::string_view token : websocket_header_list(connection))
        if (detail::iequals(token, "upgrade")) return true;
    return false;
}

/// What is wrong with the server's Sec-WebSocket-Extensions, or ""; sets `compression` when it
/// accepted our permessage-deflate offer.
std::string check_extensions(const HTTPHeaders& headers, const WebSocketConnectOptions& options,
                             std::optional<DeflateParameters>& compression) {
    std::string value = headers.get("Sec-WebSocket-Extensions");
    if (websocket_header_list(value).empty()) return {};
    if (!options.compression_options) return "extension \"" + value + "\" was not offered";
    auto extensions = parse_websocket_extensions(value);
    if (extensions) compression = accept_deflate_response(*extensions, *options.compression_options);
    if (!compression) return "extensions \"" + value + "\" do not answer the permessage-deflate offer";
    return {};
}

/// What makes a 101 answer unacceptable (RFC 6455 section 4.1, the client's checks), or "".
std::string check_upgrade(const HTTPHeaders& headers, const std::string& key, const WebSocketConnectOptions& options,
                          std::optional<DeflateParameters>& compression) {
    if (!detail::iequals(headers.get("Upgrade"), "websocket")) return "Upgrade is not \"websocket\"";
    if (!has_upgrade_token(headers)) return "Connection has no \"upgrade\" token";
    if (headers.get("Sec-WebSocket-Accept") != websocket_accept_value(key)) return "wrong Sec-WebSocket-Accept";
    if (auto chosen = headers.find("Sec-WebSocket-Protocol")) {
        const auto& offered = options.subprotocols;
        if (std::find(offered.begin(), offered.end(), *chosen) == offered.end())
            return "subprotocol \"" + std::string(*chosen) + "\" was not offered";
    }
    return check_extensions(headers, options, compression);
}

ConnectOptions connect_options(const HTTPRequest& request, const detail::URLParts& url, Duration timeout) {
    ConnectOptions connect;
    connect.family = request.allow_ipv6 ? AF_UNSPEC : AF_INET;
    connect.timeout = timeout;
    connect.source_ip = request.network_interface;
    if (url.scheme == "https") {
        connect.ssl_options = tls_context_for(request);
        connect.server_hostname = url.host;
    }
    return connect;
}

Future<std::shared_ptr<WebSocketClientConnection>> handshake(HTTPRequest request, detail::URLParts url,
                                                             WebSocketConnectOptions options) {
    IOLoop& loop = IOLoop::current();
    Duration request_timeout = options.request_timeout.value_or(request.request_timeout);
    Duration connect_timeout = std::min(options.connect_timeout.value_or(request.connect_timeout), request_timeout);
    HandshakeDeadline deadline(loop, loop.time() + request_timeout);

    TCPClient tcp(nullptr, loop);
    std::shared_ptr<IOStream> stream;
    try {
        auto connecting = tcp.connect(url.host, url.port, connect_options(request, url, connect_timeout));
        stream = co_await std::move(connecting);
    } catch (...) {
        std::rethrow_exception(connect_failure(std::current_exception()));
    }
    deadline.watch(stream);

    const std::string key = new_websocket_key();
    HTTP1ConnectionParameters params;
    params.max_header_size = options.max_header_size;
    auto http = std::make_shared<HTTP1Connection>(stream, true, params);
    HandshakeResponse answer(*http);
    try {
        // A failed write closes the stream, which the read reports.
        detail::quiet(http->write_headers(RequestStartLine{"GET", url.target, "HTTP/1.1"},
                                          upgrade_request_headers(request, url, key, options)));
        http->finish();
        auto reading = http->read_response(answer);
        co_await std::move(reading);
    } catch (const HTTPInputError& e) {
        throw HTTPClientError(599, std::string("malformed response: ") + e.what());
    } catch (const StreamClosedError&) {
        throw HTTPClientError(599, deadline.expired() ? "Timeout" : "Connection closed");
    }
    if (!answer.stream) throw HTTPClientError(599, deadline.expired() ? "Timeout" : "Connection closed");
    deadline.cancel();
    if (answer.code != 101) {
        answer.stream->close();
        std::rethrow_exception(refusal(answer, request.url));
    }
    std::optional<DeflateParameters> compression;
    if (std::string problem = check_upgrade(answer.headers, key, options, compression); !problem.empty()) {
        answer.stream->close();
        throw WebSocketHandshakeError("WebSocket handshake with " + request.url + " failed: " + problem);
    }
    co_return detail::start_client_connection(std::move(answer.stream), std::move(answer.headers), options,
                                              compression, request.url);
}

}  // namespace

Future<std::shared_ptr<WebSocketClientConnection>> websocket_connect(HTTPRequest request,
                                                                     WebSocketConnectOptions options) {
    detail::URLParts url = websocket_url(request.url);
    if (options.ssl_options) request.ssl_options = options.ssl_options;
    return handshake(std::move(request), std::move(url), std::move(options));
}

}  // namespace squall
