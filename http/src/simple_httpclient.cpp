// The simple client, AsyncHTTPClient's own implementation: the request queue, connections over
// TCPClient (TLS for https) kept alive per origin, request headers, the response delegate,
// timeouts and redirects. Internal. Models tornado/simple_httpclient.py (4.0)
// SimpleAsyncHTTPClient and _HTTPConnection.
#include "httpclient_backend.h"

#include <algorithm>
#include <deque>

#include "squall/gen.h"
#include "squall/http1connection.h"
#include "squall/httputil.h"
#include "squall/log.h"
#include "squall/ssliostream.h"
#include "squall/tcpclient.h"
#include "squall/detail/ascii.h"
#include "squall/detail/base64.h"
#include "squall/detail/lifetime.h"
#include "squall/detail/url_parts.h"

namespace squall::detail {
namespace {

/// Collects the response (Tornado's _HTTPConnection as HTTPMessageDelegate).
class ResponseCollector : public HTTPMessageDelegate {
public:
    ResponseCollector(const HTTPRequest& request, HTTPResponse& response, std::function<void()> on_continue)
        : request_(request), response_(response), on_continue_(std::move(on_continue)) {}

    Future<void> headers_received(const StartLine& start_line, HTTPHeaders& headers) override {
        const auto& line = std::get<ResponseStartLine>(start_line);
        if (line.code == 100) {
            if (on_continue_) std::exchange(on_continue_, nullptr)();
            return {};
        }
        response_.code = line.code;
        response_.reason = line.reason.empty() ? std::string(reason_phrase(line.code)) : line.reason;
        response_.headers = headers;
        if (request_.header_callback) {
            request_.header_callback(line.version + " " + std::to_string(line.code) + " " + line.reason + "\r\n");
            for (const auto& [name, value] : headers)
                request_.header_callback(std::string(name).append(": ").append(value).append("\r\n"));
            request_.header_callback("\r\n");
        }
        return {};
    }
    Future<void> data_received(std::string_view chunk) override {
        // A redirect that will be followed keeps its body to itself.
        if (request_.follow_redirects && request_.max_redirects > 0 && is_redirect(response_.code) &&
            response_.headers.contains("Location"))
            return {};
        if (request_.streaming_callback) request_.streaming_callback(chunk);
        else response_.body.append(chunk);
        return {};
    }
    void finish() override { finished_ = true; }
    void on_connection_close() override {}
    bool finished() const noexcept { return finished_; }

private:
    const HTTPRequest& request_;
    HTTPResponse& response_;
    std::function<void()> on_continue_;
    bool finished_ = false;
};

/// Writes the request body and finishes the request. A producer that fails closes the
/// connection, which the response read then reports.
Future<void> send_body(std::shared_ptr<HTTP1Connection> conn, std::optional<std::string> body,
                       std::function<Future<void>(HTTPRequest::BodyWriter)> producer) {
    try {
        if (producer) {
            auto produced = producer([conn](std::string piece) { return conn->write(std::move(piece)); });
            co_await std::move(produced);
        } else if (body) {
            auto written = conn->write(std::move(*body));
            co_await std::move(written);
        }
        conn->finish();
    } catch (const StreamClosedError&) {
        // the response read reports the closed connection
    } catch (const std::exception& e) {
        app_log().logf(LogLevel::error, "Exception writing an HTTP request body: %s", e.what());
        conn->stream()->close();
    }
}

/// What the request line and headers look like on the wire, for request_header_callback.
void trace_request_head(const HTTPRequest& r, const std::string& target, const HTTPHeaders& headers) {
    r.request_header_callback(r.method + " " + target + " HTTP/1.1\r\n");
    for (const auto& [name, value] : headers)
        r.request_header_callback(std::string(name).append(": ").append(value).append("\r\n"));
    r.request_header_callback("\r\n");
}

}  // namespace

class SimpleHTTPClient final : public HTTPClientBackend {
public:
    SimpleHTTPClient(AsyncHTTPClientOptions options, IOLoop& loop);
    ~SimpleHTTPClient() override { close(); }
    void check(const HTTPRequest& request, const URLParts& url) const override;
    Future<HTTPResponse> fetch(HTTPRequest request) override { return fetch_with_redirects(std::move(request)); }
    void close() override;
    bool closed() const noexcept override { return life_.ended(); }

private:
    struct Shared;
    Future<HTTPResponse> fetch_with_redirects(HTTPRequest request);
    Future<HTTPResponse> fetch_once(HTTPRequest request);
    Future<void> acquire_slot(Duration timeout);
    void release_slot();
    std::shared_ptr<IOStream> take_idle(const std::string& key);
    void put_idle(const std::string& key, const std::shared_ptr<IOStream>& stream);

    IOLoop& loop_;
    AsyncHTTPClientOptions options_;
    std::shared_ptr<TCPClient> tcp_client_;  // shared with connects in flight, which may outlive the client
    Lifetime life_;  // ended by close(): fetches in flight watch it through shared_
    std::shared_ptr<Shared> shared_;
};

// The client's coroutines hold this state, not the client, and reach the client through
// `this` only while closed() is false: they check it after every co_await, since the client
// may have been closed and destroyed while they waited.
struct SimpleHTTPClient::Shared {
    explicit Shared(Lifetime::Watch c) : client(std::move(c)) {}
    Lifetime::Watch client;
    bool closed() const noexcept { return !client.alive(); }
    // The streams of fetches under way, so that close() can end them.
    std::map<IOStream*, std::weak_ptr<IOStream>> in_flight;
    int active = 0;
    std::map<std::string, std::vector<std::shared_ptr<IOStream>>> idle;  // kept connections
    struct Waiter {
        Promise<void> promise;
        TimeoutHandle timer;
    };
    std::deque<std::shared_ptr<Waiter>> queue;
};

SimpleHTTPClient::SimpleHTTPClient(AsyncHTTPClientOptions options, IOLoop& loop)
    : loop_(loop),
      options_(std::move(options)),
      tcp_client_(std::make_shared<TCPClient>(options_.resolver, loop)),
      shared_(std::make_shared<Shared>(life_.watch())) {
    if (options_.max_clients < 1) throw std::invalid_argument("max_clients must be at least 1");
}

void SimpleHTTPClient::check(const HTTPRequest& r, const URLParts& url) const {
    if (r.auth_mode != "basic" && !r.auth_username.empty()) throw std::invalid_argument("unsupported auth_mode " + r.auth_mode);
    if (!r.proxy_host.empty() && url.scheme == "https")
        throw std::invalid_argument("https through a proxy is not supported (it needs a CONNECT tunnel): " + r.url);
}

void SimpleHTTPClient::close() {
    if (life_.ended()) return;
    life_.end();
    for (auto& w : shared_->queue) {
        loop_.remove_timeout(w->timer);
        w->promise.set_exception(client_error(599, "the client was closed"));
    }
    shared_->queue.clear();
    shared_->idle.clear();
    // Their reads fail on the loop's next turns; the fetches then see closed().
    for (auto& [raw, weak] : std::exchange(shared_->in_flight, {}))
        if (auto s = weak.lock()) s->close();
    tcp_client_->close();
}

namespace {

HTTPResponse closed_client_response(HTTPResponse response) {
    response.code = 599;
    response.error = client_error(599, "the client was closed");
    return response;
}

}  // namespace

Future<void> SimpleHTTPClient::acquire_slot(Duration timeout) {
    if (shared_->active < options_.max_clients) {
        ++shared_->active;
        return make_ready_future();
    }
    gen_log().logf(LogLevel::debug, "max_clients limit reached, request queued. %d active, %zu queued",
                   shared_->active, shared_->queue.size());
    auto waiter = std::make_shared<Shared::Waiter>();
    waiter->timer = loop_.call_later(timeout, [weak = std::weak_ptr<Shared::Waiter>(waiter), shared = shared_] {
        auto w = weak.lock();
        if (!w) return;
        auto& q = shared->queue;
        q.erase(std::remove(q.begin(), q.end(), w), q.end());
        w->promise.set_exception(client_error(599, "Timeout in request queue"));
    });
    shared_->queue.push_back(waiter);
    return waiter->promise.get_future();
}

void SimpleHTTPClient::release_slot() {
    if (!shared_->queue.empty()) {
        auto w = shared_->queue.front();
        shared_->queue.pop_front();
        loop_.remove_timeout(w->timer);
        w->promise.set_result();  // the slot passes straight to the next request
        return;
    }
    --shared_->active;
}

Future<HTTPResponse> SimpleHTTPClient::fetch_with_redirects(HTTPRequest request) {
    std::string original_url = request.url;
    auto start = std::chrono::steady_clock::now();
    auto shared = shared_;
    while (true) {
        auto once = fetch_once(request);
        HTTPResponse response = co_await std::move(once);
        auto location = response.headers.find("Location");
        // A closed client follows no more redirects.
        if (shared->closed() || !response.error || !request.follow_redirects || request.max_redirects <= 0 ||
            !is_redirect(response.code) || !location) {
            response.original_url = original_url;
            response.request_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            co_return response;
        }
        HTTPRequest next = request;
        next.url = urljoin(request.url, *location);
        next.max_redirects = request.max_redirects - 1;
        next.headers.erase("Host");
        // 302 and 303 (and 301 after a POST) become a GET without a body, as browsers do.
        if (response.code == 303 || response.code == 302 || (response.code == 301 && request.method == "POST")) {
            if (next.method != "HEAD") next.method = "GET";
            next.body.reset();
            next.body_producer = nullptr;
            for (const char* h : {"Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding"})
                next.headers.erase(h);
        }
        auto next_url = split_url(next.url);
        if (!next_url) {
            response.error = client_error(599, "bad redirect location: " + std::string(*location), &response);
            co_return response;
        }
        if (!next.proxy_host.empty() && next_url->scheme == "https") {
            response.error =
                client_error(599, "a redirect to https through a proxy is not supported: " + next.url, &response);
            co_return response;
        }
        request = std::move(next);
    }
}

Future<HTTPResponse> SimpleHTTPClient::fetch_once(HTTPRequest request) {
    HTTPResponse response;
    response.request = request;
    response.effective_url = request.url;
    auto shared = shared_;
    Duration connect_timeout = std::min(request.connect_timeout, request.request_timeout);
    try {
        auto slot = acquire_slot(connect_timeout);
        co_await std::move(slot);
    } catch (const HTTPClientError& e) {
        response.code = e.code();
        response.error = std::current_exception();
        co_return response;
    }
    if (shared->closed()) co_return closed_client_response(std::move(response));
    struct Release {
        SimpleHTTPClient* client;
        std::shared_ptr<Shared> shared;
        ~Release() {
            if (!shared->closed()) client->release_slot();
        }
    } release{this, shared};

    URLParts url = *split_url(request.url);
    // Through a proxy: its address, and the absolute URL as the request's target.
    const bool proxied = !request.proxy_host.empty();
    const std::string& peer_host = proxied ? request.proxy_host : url.host;
    const int connect_port = proxied ? request.proxy_port : url.port;
    const std::string target = proxied ? url.scheme + "://" + url.netloc + url.target : url.target;
    auto host = options_.hostname_mapping.find(peer_host);
    std::string connect_host = host == options_.hostname_mapping.end() ? peer_host : host->second;
    ConnectOptions connect;
    connect.family = request.allow_ipv6 ? AF_UNSPEC : AF_INET;
    connect.timeout = connect_timeout;
    connect.source_ip = request.network_interface;
    connect.stream_options.max_buffer_size = options_.max_buffer_size;
    if (url.scheme == "https") {
        // A CA or key file that cannot be loaded fails this fetch like any other 599, so the
        // callback form still gets a response.
        try {
            connect.ssl_options = tls_context_for(request);
        } catch (const std::exception& e) {
            response.code = 599;
            response.error = client_error(599, e.what());
            co_return response;
        }
        connect.server_hostname = url.host;
    }
    // Connections are reused only for requests that would make an identical one.
    std::string pool_key = url.scheme + "://" + connect_host + ":" + std::to_string(connect_port) + "|" + url.host + "|" +
                           request.network_interface + "|" + (request.allow_ipv6 ? "6" : "4") + "|" +
                           (request.validate_cert ? "v" : "n") + "|" + request.ca_certs + "|" + request.client_cert +
                           "|" + request.client_key + "|" + (request.ssl_options ? "custom" : "") +
                           (proxied ? "|proxy" : "");
    const bool poolable = options_.keep_alive && !request.ssl_options;
    auto deadline = loop_.time() + request.request_timeout;
    bool may_reuse = poolable;
    while (true) {
        std::shared_ptr<IOStream> stream = may_reuse ? take_idle(pool_key) : nullptr;
        const bool reused = stream != nullptr;
        if (!stream) {
            try {
                auto tcp = tcp_client_;
                auto connecting = tcp->connect(connect_host, connect_port, connect);
                std::unique_ptr<IOStream> s = co_await std::move(connecting);
                if (shared->closed()) co_return closed_client_response(std::move(response));
                // Headers and body go out as separate writes: Nagle would hold the body back
                // until the server's delayed ACK (40 ms).
                s->set_nodelay(true);
                stream = std::move(s);
            } catch (const TimeoutError&) {
                response.code = 599;
                response.error = client_error(599, "Timeout while connecting");
                co_return response;
            } catch (const StreamClosedError& e) {
                response.code = 599;
                response.error = client_error(599, e.real_error() ? describe_exception(e.real_error()) : e.what());
                co_return response;
            } catch (const std::exception& e) {
                response.code = 599;
                response.error = client_error(599, e.what());
                co_return response;
            }
        }

        struct InFlight {
            std::shared_ptr<Shared> shared;
            IOStream* stream;
            ~InFlight() { shared->in_flight.erase(stream); }
        } in_flight{shared, stream.get()};
        shared->in_flight[stream.get()] = stream;

        // The whole request must be done by the deadline: a timer closes the stream otherwise.
        bool timed_out = false;
        TimeoutHandle timer = loop_.call_at(deadline, [&timed_out, weak = std::weak_ptr<IOStream>(stream)] {
            timed_out = true;
            if (auto s = weak.lock()) s->close();
        });
        struct CancelTimer {
            IOLoop& loop;
            TimeoutHandle& t;
            ~CancelTimer() { loop.remove_timeout(t); }
        } cancel_timer{loop_, timer};

        HTTPHeaders headers = request.headers;
        if (!poolable) headers.set("Connection", "close");
        if (!headers.contains("Host")) headers.set("Host", url.netloc);
        std::string username = request.auth_username, password = request.auth_password;
        if (username.empty() && !url.userinfo.empty()) {
            std::size_t colon = url.userinfo.find(':');
            username = url_unescape(url.userinfo.substr(0, colon), false);
            if (colon != std::string::npos) password = url_unescape(url.userinfo.substr(colon + 1), false);
        }
        if (!username.empty()) headers.set("Authorization", "Basic " + base64_encode(username + ":" + password));
        if (proxied && !request.proxy_username.empty())
            headers.set("Proxy-Authorization",
                        "Basic " + base64_encode(request.proxy_username + ":" + request.proxy_password));
        if (!request.user_agent.empty()) headers.set("User-Agent", request.user_agent);
        if (request.if_modified_since) headers.set("If-Modified-Since", format_timestamp(*request.if_modified_since));
        if (request.decompress_response) headers.set("Accept-Encoding", "gzip");
        if (request.body) {
            headers.set("Content-Length", std::to_string(request.body->size()));
            if (request.method == "POST" && !headers.contains("Content-Type"))
                headers.set("Content-Type", "application/x-www-form-urlencoded");
        }
        bool has_body = request.body.has_value() || static_cast<bool>(request.body_producer);
        if (request.expect_100_continue && has_body) headers.set("Expect", "100-continue");

        HTTP1ConnectionParameters params;
        params.no_keep_alive = !poolable;
        params.max_header_size = options_.max_header_size;
        params.max_header_count = options_.max_header_count;
        params.max_body_size = body_limit(request, options_);
        params.decompress = request.decompress_response;
        auto conn = std::make_shared<HTTP1Connection>(stream, true, params);

        // The body goes at once, or after "100 Continue".
        bool wait_for_continue = request.expect_100_continue && has_body;
        std::function<void()> on_continue;
        if (wait_for_continue)
            on_continue = [conn, body = request.body, producer = request.body_producer] { send_body(conn, body, producer); };
        ResponseCollector collector(request, response, on_continue);
        bool again = false;
        std::exception_ptr failure;
        try {
            if (request.request_header_callback) trace_request_head(request, target, headers);
            conn->write_headers(RequestStartLine{request.method, target, "HTTP/1.1"}, std::move(headers));
            if (!wait_for_continue) send_body(conn, request.body, request.body_producer);
            auto reading = conn->read_response(collector);
            again = co_await std::move(reading);
        } catch (const HTTPInputError& e) {
            // 413 is the body limit (the parser's, the connection's or the gzip delegate's).
            if (e.status() == 413)
                failure = client_error(599, body_limit_message(*params.max_body_size, e.what()));
            else
                failure = client_error(599, std::string("malformed response: ") + e.what());
        } catch (const StreamClosedError&) {
            failure = client_error(599, timed_out ? "Timeout" : "Connection closed");
        } catch (const std::exception& e) {
            failure = client_error(599, e.what());
        }
        if (shared->closed()) co_return closed_client_response(std::move(response));
        if (!failure && !collector.finished()) failure = client_error(599, timed_out ? "Timeout" : "Connection closed");
        if (failure) {
            // A kept connection the server closed just before we used it: try a new one, once,
            // when nothing came back and the request may be repeated.
            const bool idempotent = request.method != "POST" && request.method != "PATCH";
            if (reused && !timed_out && response.code == 0 && idempotent && !request.body_producer) {
                may_reuse = false;
                continue;
            }
            response.code = 599;
            response.error = failure;
            co_return response;
        }
        if (again && conn->write_finished() && !stream->closed()) put_idle(pool_key, stream);
        if (response.code < 200 || response.code >= 300) response.error = client_error(response.code, response.reason, &response);
        co_return response;
    }
}

std::shared_ptr<IOStream> SimpleHTTPClient::take_idle(const std::string& key) {
    auto it = shared_->idle.find(key);
    while (it != shared_->idle.end() && !it->second.empty()) {
        std::shared_ptr<IOStream> s = std::move(it->second.back());
        it->second.pop_back();
        if (s->closed()) continue;
        s->set_close_callback(nullptr);
        return s;
    }
    return nullptr;
}

void SimpleHTTPClient::put_idle(const std::string& key, const std::shared_ptr<IOStream>& stream) {
    if (shared_->closed()) return;
    auto& idle = shared_->idle[key];
    if (static_cast<int>(idle.size()) >= options_.max_clients) return;  // enough spares already
    idle.push_back(stream);
    // An idle connection the server closes leaves the pool at once.
    stream->set_close_callback([weak = std::weak_ptr<Shared>(shared_), key, raw = stream.get()] {
        auto shared = weak.lock();
        if (!shared) return;
        auto it = shared->idle.find(key);
        if (it == shared->idle.end()) return;
        auto& v = it->second;
        v.erase(std::remove_if(v.begin(), v.end(), [raw](const auto& s) { return s.get() == raw; }), v.end());
    });
}

std::unique_ptr<HTTPClientBackend> make_simple_client(AsyncHTTPClientOptions options, IOLoop& loop) {
    return std::make_unique<SimpleHTTPClient>(std::move(options), loop);
}

}  // namespace squall::detail
