// CurlTransfer: HTTPRequest as easy-handle options, the response from curl's callbacks, and
// curl's result as an HTTPResponse. Internal. Models tornado/curl_httpclient.py (4.0)
// _curl_setup_request, _curl_header_callback and CurlAsyncHTTPClient._finish.
#include "curl_transfer.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "squall/httputil.h"

namespace squall::detail {
namespace {

/// curl_easy_setopt that throws: an option this libcurl lacks fails the fetch, not silently.
template <class T>
void setopt(CURL* easy, CURLoption option, T value) {
    if (CURLcode rc = curl_easy_setopt(easy, option, value); rc != CURLE_OK)
        throw std::runtime_error(std::string("curl_easy_setopt: ") + curl_easy_strerror(rc));
}

long milliseconds(Duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

curl_slist* append(curl_slist* list, const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (!grown) throw std::bad_alloc();
    return grown;
}

std::string_view without_eol(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    return line;
}

}  // namespace

CurlTransfer::CurlTransfer(HTTPRequest request, const AsyncHTTPClientOptions& options)
    : easy_(curl_easy_init()),
      request_(std::move(request)),
      limit_(body_limit(request_, options)),
      max_header_size_(options.max_header_size),
      max_header_count_(options.max_header_count) {
    if (!easy_) throw std::runtime_error("curl_easy_init failed");
    try {
        configure(options);
    } catch (...) {
        free_handles();  // the destructor does not run for a constructor that throws
        throw;
    }
}

void CurlTransfer::configure(const AsyncHTTPClientOptions& options) {
    response_.original_url = request_.url;
    setopt(easy_, CURLOPT_PRIVATE, static_cast<void*>(this));
    setopt(easy_, CURLOPT_ERRORBUFFER, error_);
    setopt(easy_, CURLOPT_NOSIGNAL, 1L);  // signals are the IOLoop's business
    setopt(easy_, CURLOPT_URL, request_.url.c_str());
    setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlTransfer::on_header);
    setopt(easy_, CURLOPT_HEADERDATA, static_cast<void*>(this));
    setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body);
    setopt(easy_, CURLOPT_WRITEDATA, static_cast<void*>(this));
    if (request_.request_header_callback) {
        // The request head reaches us only through the debug callback, which needs VERBOSE.
        setopt(easy_, CURLOPT_DEBUGFUNCTION, &CurlTransfer::on_debug);
        setopt(easy_, CURLOPT_DEBUGDATA, static_cast<void*>(this));
        setopt(easy_, CURLOPT_VERBOSE, 1L);
    }
    set_method_and_body();
    set_headers(options);
    set_connection(options);
    set_tls_and_proxy();
    if (request_.prepare_curl_callback) request_.prepare_curl_callback(easy_);
}

CurlTransfer::~CurlTransfer() { free_handles(); }

void CurlTransfer::free_handles() noexcept {
    curl_easy_cleanup(easy_);  // after the multi handle let go of it
    curl_slist_free_all(headers_);
    curl_slist_free_all(connect_to_);
}

void CurlTransfer::set_method_and_body() {
    const std::string& m = request_.method;
    if (m == "HEAD") setopt(easy_, CURLOPT_NOBODY, 1L);
    else if (m == "POST") setopt(easy_, CURLOPT_POST, 1L);
    else if (m != "GET") setopt(easy_, CURLOPT_CUSTOMREQUEST, m.c_str());
    if (request_.body) {
        // Read in place: request_ outlives the transfer, and curl may send it again (307).
        setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body->size()));
        setopt(easy_, CURLOPT_POSTFIELDS, request_.body->data());
    } else if (m == "POST") {
        // A POST without a body (allow_nonstandard_methods): curl would read one from stdin.
        setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
        setopt(easy_, CURLOPT_POSTFIELDS, "");
    }
}

void CurlTransfer::set_headers(const AsyncHTTPClientOptions& options) {
    HTTPHeaders h = request_.headers;
    // curl asks for 100-continue on its own for large bodies; only the request decides here.
    if (!h.contains("Expect")) h.set("Expect", request_.expect_100_continue ? "100-continue" : "");
    if (request_.body && request_.method != "POST" && !h.contains("Content-Type"))
        h.set("Content-Type", "");  // curl would call any body a form; the simple client does not
    if (!options.keep_alive) h.set("Connection", "close");
    if (request_.if_modified_since) h.set("If-Modified-Since", format_timestamp(*request_.if_modified_since));
    for (const auto& [name, value] : h) {
        // "Name:" removes a header curl would add; "Name;" sends one with an empty value.
        bool remove = value.empty() && (name == "Expect" || name == "Content-Type");
        headers_ = append(headers_, std::string(name) + (value.empty() ? (remove ? ":" : ";") : ": " + std::string(value)));
    }
    setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    if (!request_.user_agent.empty()) setopt(easy_, CURLOPT_USERAGENT, request_.user_agent.c_str());
    if (request_.decompress_response) setopt(easy_, CURLOPT_ACCEPT_ENCODING, "gzip");
    if (!request_.auth_username.empty()) {
        setopt(easy_, CURLOPT_USERNAME, request_.auth_username.c_str());
        setopt(easy_, CURLOPT_PASSWORD, request_.auth_password.c_str());
        setopt(easy_, CURLOPT_HTTPAUTH, request_.auth_mode == "digest" ? CURLAUTH_DIGEST : CURLAUTH_BASIC);
    }
}

void CurlTransfer::set_connection(const AsyncHTTPClientOptions& options) {
    // Neither the URL nor a redirect may lead anywhere but HTTP(S) (curl would follow one to
    // FTP), as in Tornado.
    setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(std::min(request_.connect_timeout, request_.request_timeout)));
    setopt(easy_, CURLOPT_TIMEOUT_MS, milliseconds(request_.request_timeout));
    setopt(easy_, CURLOPT_FOLLOWLOCATION, request_.follow_redirects ? 1L : 0L);
    setopt(easy_, CURLOPT_MAXREDIRS, static_cast<long>(request_.max_redirects));
    if (!request_.allow_ipv6) setopt(easy_, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V4);
    if (!request_.network_interface.empty()) setopt(easy_, CURLOPT_INTERFACE, request_.network_interface.c_str());
    if (!options.keep_alive) setopt(easy_, CURLOPT_FORBID_REUSE, 1L);
    // hostname_mapping: connect to the mapped host, any port, while the URL keeps its name.
    for (const auto& [from, to] : options.hostname_mapping) connect_to_ = append(connect_to_, from + "::" + to + ":");
    if (connect_to_) setopt(easy_, CURLOPT_CONNECT_TO, connect_to_);
}

void CurlTransfer::set_tls_and_proxy() {
    if (!request_.validate_cert) {
        setopt(easy_, CURLOPT_SSL_VERIFYPEER, 0L);
        setopt(easy_, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!request_.ca_certs.empty()) setopt(easy_, CURLOPT_CAINFO, request_.ca_certs.c_str());
    if (!request_.client_cert.empty()) setopt(easy_, CURLOPT_SSLCERT, request_.client_cert.c_str());
    if (!request_.client_key.empty()) setopt(easy_, CURLOPT_SSLKEY, request_.client_key.c_str());
    // An empty proxy keeps curl from taking one from http_proxy and friends, as Tornado does.
    setopt(easy_, CURLOPT_PROXY, request_.proxy_host.c_str());
    if (request_.proxy_host.empty()) return;
    setopt(easy_, CURLOPT_PROXYPORT, static_cast<long>(request_.proxy_port));
    if (request_.proxy_username.empty()) return;
    setopt(easy_, CURLOPT_PROXYUSERNAME, request_.proxy_username.c_str());
    setopt(easy_, CURLOPT_PROXYPASSWORD, request_.proxy_password.c_str());
    setopt(easy_, CURLOPT_PROXYAUTH, CURLAUTH_BASIC);
}

// ---- callbacks: no exception may cross libcurl's C frames ------------------------------------

std::size_t CurlTransfer::on_header(char* data, std::size_t size, std::size_t n, void* self) {
    auto* t = static_cast<CurlTransfer*>(self);
    return t->header_line(std::string_view(data, size * n)) ? size * n : 0;
}

std::size_t CurlTransfer::on_body(char* data, std::size_t size, std::size_t n, void* self) {
    auto* t = static_cast<CurlTransfer*>(self);
    return t->body_piece(std::string_view(data, size * n)) ? size * n : 0;
}

int CurlTransfer::on_debug(CURL*, curl_infotype type, char* data, std::size_t n, void* self) {
    auto* t = static_cast<CurlTransfer*>(self);
    if (type != CURLINFO_HEADER_OUT || !t->failure_.empty()) return 0;
    try {
        // The whole head in one piece: hand it over a line at a time, as the simple client does.
        std::string_view head(data, n);
        while (!head.empty()) {
            std::size_t end = head.find('\n');
            end = end == std::string_view::npos ? head.size() : end + 1;
            t->request_.request_header_callback(head.substr(0, end));
            head.remove_prefix(end);
        }
    } catch (const std::exception& e) {
        t->failure_ = std::string("request_header_callback: ") + e.what();
    }
    return 0;
}

bool CurlTransfer::header_line(std::string_view line) {
    try {
        if (request_.header_callback) request_.header_callback(line);
        header_bytes_ += line.size();
        std::string_view text = without_eol(line);
        if (text.starts_with("HTTP/")) {
            // A new response (after a 100 Continue or a redirect) replaces the last one.
            ResponseStartLine status = parse_status_line(text);
            response_.code = status.code;
            response_.reason = status.reason.empty() ? std::string(reason_phrase(status.code)) : std::move(status.reason);
            response_.headers.clear();
            header_bytes_ = line.size();
        } else if (!text.empty()) {
            response_.headers.parse_line(text);
        }
        if (header_bytes_ > max_header_size_ || response_.headers.size() > max_header_count_)
            failure_ = "response headers over the client's max_header_size or max_header_count";
    } catch (const std::exception& e) {
        failure_ = std::string("malformed response: ") + e.what();
    }
    return failure_.empty();
}

bool CurlTransfer::body_piece(std::string_view piece) {
    received_ += piece.size();
    if (received_ > limit_) {
        failure_ = body_limit_message(limit_, "body too large");
        return false;
    }
    try {
        if (request_.streaming_callback) request_.streaming_callback(piece);
        else response_.body.append(piece);
    } catch (const std::exception& e) {
        failure_ = std::string("streaming_callback: ") + e.what();
    }
    return failure_.empty();
}

// ---- the outcome ----------------------------------------------------------------------------

void CurlTransfer::stamp(HTTPResponse& response) const {
    response.request_time = std::chrono::duration<double>(Clock::now() - start_).count();
    response.request = request_;
    char* url = nullptr;
    curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &url);
    response.effective_url = url ? url : request_.url;
    response.request.url = response.effective_url;
}

HTTPResponse CurlTransfer::finish(CURLcode result) {
    HTTPResponse r = std::move(response_);
    stamp(r);
    if (result != CURLE_OK || !failure_.empty()) {
        r.code = 599;
        std::string why = !failure_.empty() ? failure_ : error_[0] ? error_ : curl_easy_strerror(result);
        r.error = client_error(599, std::move(why));
        return r;
    }
    long code = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
    r.code = static_cast<int>(code);
    if (request_.decompress_response) {
        // What the simple client's gzip delegate reports: the body is no longer encoded.
        if (auto encoding = r.headers.find("Content-Encoding"); encoding && *encoding == "gzip") {
            r.headers.erase("Content-Encoding");
            r.headers.erase("Content-Length");
            r.headers.add("X-Consumed-Content-Encoding", "gzip");
        }
    }
    if (r.code < 200 || r.code >= 300) r.error = client_error(r.code, r.reason, &r);
    return r;
}

HTTPResponse CurlTransfer::abandon(std::string why) {
    HTTPResponse r = std::move(response_);
    stamp(r);
    r.code = 599;
    r.error = client_error(599, std::move(why));
    return r;
}

}  // namespace squall::detail
