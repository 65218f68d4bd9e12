// AsyncHTTPClient as Tornado 4.0 has it: the request checks both implementations share,
// configure() choosing between them, raise_error, and HTTPClient on a private loop. Internal.
// Models tornado/httpclient.py (4.0) AsyncHTTPClient, HTTPClient and HTTPError.
#include "squall/httpclient.h"

#include <algorithm>
#include <atomic>
#include <limits>

#include "httpclient_backend.h"
#include "squall/httputil.h"

namespace squall {
namespace detail {

bool is_redirect(int code) { return code == 301 || code == 302 || code == 303 || code == 307 || code == 308; }

std::exception_ptr client_error(int code, std::string message, const HTTPResponse* response) {
    std::shared_ptr<const HTTPResponse> copy;
    if (response) copy = std::make_shared<HTTPResponse>(*response);
    return std::make_exception_ptr(HTTPClientError(code, std::move(message), std::move(copy)));
}

std::uint64_t body_limit(const HTTPRequest& r, const AsyncHTTPClientOptions& o) {
    if (r.max_body_size) return *r.max_body_size;
    if (o.max_body_size) return *o.max_body_size;
    return r.streaming_callback ? std::numeric_limits<std::uint64_t>::max() : o.max_buffer_size;
}

std::string body_limit_message(std::uint64_t limit, const std::string& detail) {
    return "body over max_body_size (" + std::to_string(limit) + " bytes): " + detail;
}

}  // namespace detail

namespace {

std::atomic<HTTPClientImplementation> default_implementation{HTTPClientImplementation::simple};

/// Tornado's request checks: known methods, bodies where they belong, a proxy port.
void check_request(const HTTPRequest& r) {
    static const char* const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    bool standard = std::find(std::begin(known), std::end(known), r.method) != std::end(known);
    if (!standard && !r.allow_nonstandard_methods) throw std::invalid_argument("unknown method " + r.method);
    if (!is_token(r.method)) throw std::invalid_argument("invalid method " + r.method);
    if (!r.proxy_host.empty() && (r.proxy_port < 1 || r.proxy_port > 65535))
        throw std::invalid_argument("proxy_port " + std::to_string(r.proxy_port) + " is not a port");
    if (r.allow_nonstandard_methods) return;
    bool has_body = r.body.has_value() || r.body_producer;
    bool needs_body = r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    if (needs_body && !has_body) throw std::invalid_argument("Body must not be None for method " + r.method);
    if (!needs_body && has_body) throw std::invalid_argument("Body must be None for method " + r.method);
}

Future<HTTPResponse> raise_for_error(Future<HTTPResponse> f) {
    HTTPResponse response = co_await std::move(f);
    response.rethrow();
    co_return response;
}

std::unique_ptr<detail::HTTPClientBackend> make_backend(HTTPClientImplementation which,
                                                        AsyncHTTPClientOptions options, IOLoop& loop) {
    if (which == HTTPClientImplementation::curl) return detail::make_curl_client(std::move(options), loop);
    return detail::make_simple_client(std::move(options), loop);
}

}  // namespace

SSLContext tls_context_for(const HTTPRequest& r) {
    if (r.ssl_options) return *r.ssl_options;
    SSLOptions o;
    if (!r.validate_cert) o.cert_reqs = CertRequirements::none;
    o.ca_certs = r.ca_certs;
    o.certfile = r.client_cert;
    o.keyfile = r.client_key;
    return SSLContext::client(o);
}

HTTPClientError::HTTPClientError(int code, std::string message, std::shared_ptr<const HTTPResponse> response)
    : std::runtime_error("HTTP " + std::to_string(code) + ": " + message),
      code_(code),
      message_(std::move(message)),
      response_(std::move(response)) {}

AsyncHTTPClient::AsyncHTTPClient(AsyncHTTPClientOptions options, IOLoop& loop)
    : loop_(loop), implementation_(options.implementation.value_or(configured())) {
    if (options.max_clients < 1) throw std::invalid_argument("max_clients must be at least 1");
    backend_ = make_backend(implementation_, std::move(options), loop);
}

AsyncHTTPClient::~AsyncHTTPClient() = default;  // the backend's destructor closes it

void AsyncHTTPClient::close() { backend_->close(); }

Future<HTTPResponse> AsyncHTTPClient::fetch(HTTPRequest request, bool raise_error) {
    if (backend_->closed()) throw std::logic_error("fetch() called on a closed AsyncHTTPClient");
    auto url = detail::split_url(request.url);
    if (!url) throw std::invalid_argument("unsupported or malformed URL: " + request.url);
    check_request(request);
    backend_->check(request, *url);
    auto f = backend_->fetch(std::move(request));
    return raise_error ? raise_for_error(std::move(f)) : f;
}

void AsyncHTTPClient::fetch(HTTPRequest request, std::function<void(HTTPResponse)> callback) {
    fetch(std::move(request), false).add_done_callback([callback = std::move(callback)](Future<HTTPResponse> f) {
        callback(std::move(f.result()));
    });
}

void AsyncHTTPClient::configure(HTTPClientImplementation implementation) {
    if (implementation == HTTPClientImplementation::curl && !curl_available())
        throw std::runtime_error("squall was built without libcurl: no curl HTTP client");
    default_implementation.store(implementation);
}

HTTPClientImplementation AsyncHTTPClient::configured() noexcept { return default_implementation.load(); }

bool AsyncHTTPClient::curl_available() noexcept { return detail::curl_built(); }

namespace {

AsyncHTTPClientOptions with_curl(AsyncHTTPClientOptions options) {
    options.implementation = HTTPClientImplementation::curl;
    return options;
}

}  // namespace

CurlAsyncHTTPClient::CurlAsyncHTTPClient(AsyncHTTPClientOptions options, IOLoop& loop)
    : AsyncHTTPClient(with_curl(std::move(options)), loop) {}

// ---- HTTPClient ----------------------------------------------------------------------------

HTTPClient::HTTPClient(AsyncHTTPClientOptions options)
    : loop_(std::make_unique<IOLoop>()), client_(std::make_unique<AsyncHTTPClient>(std::move(options), *loop_)) {}

HTTPClient::~HTTPClient() {
    client_.reset();
    loop_->close(true);
}

HTTPResponse HTTPClient::fetch(HTTPRequest request, bool raise_error) {
    return loop_->run_sync([&] { return client_->fetch(std::move(request), raise_error); });
}

}  // namespace squall
