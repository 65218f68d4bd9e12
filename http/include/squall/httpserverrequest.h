// HTTPServerRequest: one request as a server sees it, with Tornado's fields. Public header.
// Models tornado/httputil.py (4.0) HTTPServerRequest.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "squall/http1connection.h"
#include "squall/httputil.h"

namespace squall {

class HTTPServerRequest {
public:
    /// From a parsed start line and headers on `connection` (whose context gives remote_ip and
    /// protocol). Splits the URI into path and query and parses the query arguments.
    HTTPServerRequest(const RequestStartLine& start_line, HTTPHeaders headers,
                      std::shared_ptr<HTTP1Connection> connection = nullptr);

    std::string method, uri, version;
    HTTPHeaders headers;
    std::string body;
    std::string remote_ip;
    std::string protocol;  // "http" or "https"
    std::string host;      // the Host header, or "127.0.0.1"
    std::string host_name; // host without the port, lower case
    std::string path, query;
    /// query_arguments and body_arguments together (query first).
    ArgumentMap arguments, query_arguments, body_arguments;
    FileMap files;
    std::shared_ptr<HTTP1Connection> connection;
    /// When the request arrived, on the clock of the IOLoop current at construction
    /// (IOLoop::time; steady_clock without one): the time its loop iteration began.
    std::chrono::steady_clock::time_point start_time;

    /// Parse `body` by Content-Type into body_arguments, arguments and files. Throws
    /// HTTPInputError for a malformed body or one past the connection's FormLimits (as the
    /// constructor does for a query string with too many fields).
    void parse_body();
    /// The Cookie header, parsed once (an unparsable header gives no cookies).
    const std::map<std::string, std::string>& cookies() const;
    /// protocol://host + uri.
    std::string full_url() const { return protocol + "://" + host + uri; }
    /// Seconds since the request arrived, or until finish() was recorded.
    double request_time() const;
    void mark_finished();
    /// The client's certificate (DER) on a TLS connection that asked for one; empty otherwise.
    /// Still answered after detach_connection().
    std::string ssl_certificate_der() const;
    /// Takes the stream from the HTTP connection (HTTP1Connection::detach) for another
    /// protocol, and lets go of that connection: `connection` is null afterwards, so a
    /// long-lived upgraded stream (a WebSocket) does not keep the HTTP parser's state.
    std::shared_ptr<IOStream> detach_connection();

private:
    mutable std::optional<std::map<std::string, std::string>> cookies_;
    std::optional<std::chrono::steady_clock::time_point> finish_time_;
    IOLoop* loop_;  // whose clock times the request; null: steady_clock
    std::weak_ptr<IOStream> detached_stream_;  // after detach_connection(), for the certificate
    std::chrono::steady_clock::time_point now() const;
    /// The connection's limits, or the defaults without one.
    const FormLimits& form_limits() const noexcept;
};

}  // namespace squall
