// A non-blocking HTTP client (and a blocking wrapper): HTTPRequest with every option of Tornado
// 4.0's clients, HTTPResponse, HTTPClientError, AsyncHTTPClient over squall's own HTTP/1.1
// client or libcurl (CurlAsyncHTTPClient). Public header. Models tornado/httpclient.py,
// simple_httpclient.py and curl_httpclient.py (4.0), with 5.1's HTTPClientError and raise_error.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "squall/http_headers.h"
#include "squall/ioloop.h"
#include "squall/iostream.h"
#include "squall/resolver.h"
#include "squall/ssl.h"

namespace squall {

struct HTTPRequest {
    using BodyWriter = std::function<Future<void>(std::string)>;

    HTTPRequest() = default;
    HTTPRequest(std::string url_) : url(std::move(url_)) {}  // NOLINT: a URL is a request
    HTTPRequest(const char* url_) : url(url_) {}             // NOLINT

    std::string url;
    std::string method = "GET";
    HTTPHeaders headers;
    std::optional<std::string> body;
    /// Streams the body instead: called with a write function, done when the body is. Sent
    /// chunked unless headers carry a Content-Length. Simple client only (as in Tornado): the
    /// curl client refuses it with std::invalid_argument.
    std::function<Future<void>(BodyWriter)> body_producer;
    /// Basic authentication (user:password in the URL works too).
    std::string auth_username, auth_password;
    /// "basic"; the curl client also takes "digest".
    std::string auth_mode = "basic";
    Duration connect_timeout = std::chrono::seconds(20);
    Duration request_timeout = std::chrono::seconds(20);
    std::optional<std::time_t> if_modified_since;
    bool follow_redirects = true;
    int max_redirects = 5;
    std::string user_agent;
    /// Ask for gzip and undo it.
    bool decompress_response = true;
    /// The local address to connect from.
    std::string network_interface;
    /// Body pieces as they arrive (the response body then stays empty).
    std::function<void(std::string_view)> streaming_callback;
    /// The most response body bytes (after gzip is undone) this request accepts; past it the
    /// fetch fails with 599 "body over max_body_size (N bytes): ...". Unset: the client's
    /// max_body_size when set; otherwise its max_buffer_size for a buffered body, and no limit
    /// for a streamed one (streaming_callback), which is never held in memory.
    std::optional<std::uint64_t> max_body_size;
    /// The status line, each header line and the final "\r\n", as received.
    std::function<void(std::string_view)> header_callback;
    /// Its counterpart for the request: the request line, each header line as sent (the ones
    /// the client adds included; only a body_producer's "Transfer-Encoding: chunked", added by
    /// the connection, is not shown) and the final "\r\n", for every request made (redirects,
    /// retries). Not in Tornado; for tracing, as curl -v shows them.
    std::function<void(std::string_view)> request_header_callback;
    bool allow_nonstandard_methods = false;
    bool validate_cert = true;
    std::string ca_certs;
    std::string client_key, client_cert;
    bool allow_ipv6 = true;
    /// Send the headers with Expect: 100-continue and the body only after "100 Continue".
    bool expect_100_continue = false;
    /// Overrides validate_cert / ca_certs / client_* for https. Simple client only: the curl
    /// client refuses it (curl keeps its own TLS state).
    std::optional<SSLContext> ssl_options;
    /// An HTTP proxy (Tornado's names): the request goes to proxy_host:proxy_port with the
    /// absolute URL as its target, with Proxy-Authorization (basic) when proxy_username is set.
    /// An https:// URL through a proxy needs a CONNECT tunnel, which the curl client makes and
    /// the simple client does not: its fetch() throws std::invalid_argument for it.
    std::string proxy_host;
    int proxy_port = 0;
    std::string proxy_username, proxy_password;
    /// Curl only (Tornado's prepare_curl_callback): called with the transfer's `CURL*` easy
    /// handle after squall has set its options, to set more with curl_easy_setopt. The simple
    /// client ignores it.
    std::function<void(void* curl)> prepare_curl_callback;
};

/// The client TLS context `request` asks for: its ssl_options, or one made from validate_cert,
/// ca_certs and client_cert / client_key (the WebSocket client shares it).
SSLContext tls_context_for(const HTTPRequest& request);

struct HTTPResponse {
    HTTPRequest request;  // the request as finally sent (after redirects)
    std::string original_url;
    int code = 0;
    std::string reason;
    HTTPHeaders headers;
    std::string body;
    std::string effective_url;
    double request_time = 0;  // seconds
    /// HTTPClientError for a non-2xx code or no response (599); null on success.
    std::exception_ptr error;
    /// Throws `error` if there is one.
    void rethrow() const {
        if (error) std::rethrow_exception(error);
    }
};

/// Tornado's httpclient.HTTPError: "HTTP 404: Not Found". Code 599 means no HTTP response
/// arrived (a timeout, a refused connection, a closed stream); the message says which.
class HTTPClientError : public std::runtime_error {
public:
    HTTPClientError(int code, std::string message, std::shared_ptr<const HTTPResponse> response = nullptr);
    int code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    /// The response, when there was one.
    const std::shared_ptr<const HTTPResponse>& response() const noexcept { return response_; }

private:
    int code_;
    std::string message_;
    std::shared_ptr<const HTTPResponse> response_;
};

/// AsyncHTTPClient's implementations (Tornado's configure() names): squall's own HTTP/1.1
/// client, or libcurl's multi interface on the IOLoop (HTTP/2 where libcurl has it).
enum class HTTPClientImplementation { simple, curl };

struct AsyncHTTPClientOptions {
    /// Requests in flight at once; more wait in a queue (for at most their timeouts). For curl,
    /// the connections open at once; its transfers past them wait inside libcurl.
    int max_clients = 10;
    /// Hostname -> hostname or address, consulted before resolving.
    std::map<std::string, std::string> hostname_mapping;
    std::size_t max_buffer_size = 100 * 1024 * 1024;
    std::size_t max_header_size = 64 * 1024;
    /// Header fields per response: servers send more than they accept (Set-Cookie lists).
    std::size_t max_header_count = 1000;
    /// Response body bytes accepted. Default: max_buffer_size for buffered bodies, no limit for
    /// streamed ones (HTTPRequest::max_body_size overrides it per request).
    std::optional<std::uint64_t> max_body_size;
    /// Used instead of the default resolver (c-ares when built); must outlive the client. The
    /// curl client ignores it: libcurl resolves names itself.
    Resolver* resolver = nullptr;
    /// Keep connections open between requests to the same origin (HTTP/1.1 keep-alive), up to
    /// max_clients idle ones per origin. Off: a connection per request with Connection: close,
    /// as Tornado's simple client does. A request whose kept connection turns out closed is
    /// retried once on a new one when it can be repeated (not POST, PATCH or a body producer).
    bool keep_alive = true;
    /// Which client does the work; unset: AsyncHTTPClient::configure()'s choice.
    std::optional<HTTPClientImplementation> implementation;
};

namespace detail {
class HTTPClientBackend;
}

/// Tornado's AsyncHTTPClient: fetches on `loop`, done by the implementation the options (or
/// configure()) name; the checks, raise_error and close() behave alike for both.
class AsyncHTTPClient {
public:
    /// Throws std::runtime_error when the implementation asked for is curl and squall was
    /// built without libcurl.
    explicit AsyncHTTPClient(AsyncHTTPClientOptions options = {}, IOLoop& loop = IOLoop::current());
    AsyncHTTPClient(const AsyncHTTPClient&) = delete;
    AsyncHTTPClient& operator=(const AsyncHTTPClient&) = delete;
    /// Virtual: a CurlAsyncHTTPClient may be owned through an AsyncHTTPClient pointer.
    virtual ~AsyncHTTPClient();

    /// The response; with raise_error (Tornado's default) a non-2xx code or a failure fails the
    /// Future with HTTPClientError instead. Bad requests (an unknown scheme, a GET with a body,
    /// an option the implementation lacks) throw std::invalid_argument at once.
    Future<HTTPResponse> fetch(HTTPRequest request, bool raise_error = true);
    /// Callback form: the callback always gets a response, with `error` set on failure.
    void fetch(HTTPRequest request, std::function<void(HTTPResponse)> callback);
    /// Fails every fetch in flight or queued with HTTPClientError 599 "the client was closed"
    /// (their connections are closed; a connect under way fails once it completes) and closes
    /// the kept connections; the destructor does the same. Fetches after close() throw
    /// std::logic_error.
    void close();
    IOLoop& io_loop() const noexcept { return loop_; }
    HTTPClientImplementation implementation() const noexcept { return implementation_; }

    /// Tornado's AsyncHTTPClient.configure: the implementation of the clients made from now on
    /// whose options name none. Process-wide; call it at startup. Throws std::runtime_error for
    /// curl when squall was built without libcurl.
    static void configure(HTTPClientImplementation implementation);
    static HTTPClientImplementation configured() noexcept;
    /// Whether squall was built with libcurl.
    static bool curl_available() noexcept;

private:
    IOLoop& loop_;
    HTTPClientImplementation implementation_;
    std::unique_ptr<detail::HTTPClientBackend> backend_;
};

/// The libcurl client by name, as Tornado exposes curl_httpclient.CurlAsyncHTTPClient: an
/// AsyncHTTPClient whose implementation is curl whatever the options say.
class CurlAsyncHTTPClient final : public AsyncHTTPClient {
public:
    explicit CurlAsyncHTTPClient(AsyncHTTPClientOptions options = {}, IOLoop& loop = IOLoop::current());
};

/// A blocking client with a private IOLoop (Tornado's HTTPClient). Not for use on a thread
/// that runs an IOLoop.
class HTTPClient {
public:
    explicit HTTPClient(AsyncHTTPClientOptions options = {});
    ~HTTPClient();
    /// Throws HTTPClientError like AsyncHTTPClient::fetch with raise_error.
    HTTPResponse fetch(HTTPRequest request, bool raise_error = true);

private:
    std::unique_ptr<IOLoop> loop_;
    std::unique_ptr<AsyncHTTPClient> client_;
};

}  // namespace squall
