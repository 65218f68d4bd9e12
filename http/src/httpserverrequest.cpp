// HTTPServerRequest: URI split, arguments, cookies, timing. Internal. Models
// tornado/httputil.py (4.0) HTTPServerRequest.__init__ and its properties.
#include "squall/httpserverrequest.h"

#include <stdexcept>

#include "squall/ssliostream.h"
#include "squall/detail/ascii.h"

namespace squall {
namespace {

/// The authority of an absolute-form target ("http://host:port/path"), without userinfo; nullopt
/// for the usual origin form ("/path").
std::optional<std::string_view> absolute_form_authority(std::string_view target) {
    std::size_t colon = target.find("://");
    if (colon == std::string_view::npos || target.front() == '/') return std::nullopt;
    std::string_view scheme = target.substr(0, colon);
    if (!detail::iequals(scheme, "http") && !detail::iequals(scheme, "https")) return std::nullopt;
    std::string_view rest = target.substr(colon + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    return authority;
}

/// RFC 9112 3.2: besides the absolute form, a target is a path ("/..."), "*" for OPTIONS or
/// an authority for CONNECT. Anything else is refused as nginx does (Tornado would route it).
void check_target_form(std::string_view method, std::string_view target) {
    if (target.starts_with('/') || method == "CONNECT" || (method == "OPTIONS" && target == "*")) return;
    throw HTTPInputError("invalid request target");
}

}  // namespace

HTTPServerRequest::HTTPServerRequest(const RequestStartLine& start_line, HTTPHeaders h,
                                     std::shared_ptr<HTTP1Connection> conn)
    : method(start_line.method),
      uri(start_line.path),
      version(start_line.version),
      headers(std::move(h)),
      connection(std::move(conn)),
      loop_(IOLoop::current_or_null()) {
    // The iteration's time: no clock read per request (the access log's finish reads one).
    start_time = loop_ ? loop_->iteration_time() : std::chrono::steady_clock::now();
    if (connection) {
        remote_ip = connection->context().remote_ip;
        protocol = connection->context().protocol;
    } else {
        protocol = "http";
    }
    // Assigned in place, not built as temporaries and moved: a request builds eleven strings.
    if (auto authority = absolute_form_authority(uri)) {
        // RFC 9112 3.2.2: the target's authority is the host, whatever Host says, and the
        // request is routed by the target's path.
        if (authority->empty()) throw HTTPInputError("absolute-form target without a host");
        host.assign(*authority);
        uri.erase(0, static_cast<std::size_t>(authority->data() + authority->size() - uri.data()));
        if (uri.empty() || uri.front() != '/') uri.insert(0, 1, '/');
    } else {
        check_target_form(method, uri);
        host.assign(headers.find("Host").value_or("127.0.0.1"));
    }
    // host_name: without the port; an IPv6 literal keeps its brackets' content.
    std::string_view hv = host;
    if (!hv.empty() && hv.front() == '[') {
        std::size_t close = hv.find(']');
        hv = close == std::string_view::npos ? hv.substr(1) : hv.substr(1, close - 1);
    } else if (std::size_t colon = hv.rfind(':'); colon != std::string_view::npos) {
        hv = hv.substr(0, colon);
    }
    host_name.assign(hv);
    for (char& c : host_name) c = detail::ascii_lower(c);
    std::size_t q = uri.find('?');
    path.assign(uri, 0, q);
    if (q != std::string::npos) query.assign(uri, q + 1);
    if (!query.empty()) {
        query_arguments = parse_qs(query, form_limits().max_fields);
        arguments = query_arguments;
    }
}

const FormLimits& HTTPServerRequest::form_limits() const noexcept {
    static const FormLimits defaults;
    return connection ? connection->params().form_limits : defaults;
}

void HTTPServerRequest::parse_body() {
    // Most requests (every GET) have neither: nothing to parse, and no joined header copy.
    if (!headers.contains("Content-Type") && !headers.contains("Content-Encoding")) return;
    parse_body_arguments(headers.get("Content-Type"), body, body_arguments, files, &headers, form_limits());
    for (const auto& [name, values] : body_arguments) {
        auto& dest = arguments[name];
        dest.insert(dest.end(), values.begin(), values.end());
    }
}

const std::map<std::string, std::string>& HTTPServerRequest::cookies() const {
    if (!cookies_) {
        cookies_.emplace();
        for (const std::string& header : headers.get_list("Cookie")) {
            for (auto& [k, v] : parse_cookie(header)) (*cookies_)[k] = v;
        }
    }
    return *cookies_;
}

std::chrono::steady_clock::time_point HTTPServerRequest::now() const {
    return loop_ ? loop_->time() : std::chrono::steady_clock::now();
}

void HTTPServerRequest::mark_finished() { finish_time_ = now(); }

double HTTPServerRequest::request_time() const {
    auto end = finish_time_ ? *finish_time_ : now();
    return std::chrono::duration<double>(end - start_time).count();
}

std::shared_ptr<IOStream> HTTPServerRequest::detach_connection() {
    if (!connection) throw std::logic_error("detach_connection() without a connection");
    std::shared_ptr<IOStream> stream = connection->detach();
    detached_stream_ = stream;
    connection.reset();
    return stream;
}

std::string HTTPServerRequest::ssl_certificate_der() const {
    auto stream = connection ? connection->stream() : detached_stream_.lock();
    auto* tls = dynamic_cast<SSLIOStream*>(stream.get());
    return tls ? tls->peer_certificate_der() : std::string();
}

}  // namespace squall
