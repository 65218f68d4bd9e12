// RequestHandler: the base class of web handlers, with Tornado's lifecycle (initialize,
// prepare, the HTTP verbs, on_finish, on_connection_close), output (status, headers, write,
// flush, finish, redirect, error pages, ETags, templates), input (arguments, files, cookies,
// signed cookies) and XSRF protection. Public header. Models tornado/web.py (4.0) RequestHandler.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "squall/concurrent.h"
#include "squall/http_headers.h"
#include "squall/httpserverrequest.h"
#include "squall/routing.h"
#include "squall/web_errors.h"

namespace squall {

struct ApplicationSettings;
namespace detail {
class GZipTransform;
class RequestDispatcher;
}  // namespace detail

/// Cookie attributes for set_cookie (Python's Morsel keys that Tornado passes through).
struct CookieOptions {
    std::string domain;
    std::string path = "/";
    /// An absolute expiry; `expires_days` (from now) is used when this is unset.
    std::optional<std::chrono::system_clock::time_point> expires;
    std::optional<double> expires_days;
    std::optional<std::int64_t> max_age;
    bool secure = false;
    bool httponly = false;
    std::string samesite;  // "Strict", "Lax", "None" or empty
};

class RequestHandler : public std::enable_shared_from_this<RequestHandler> {
public:
    RequestHandler();
    virtual ~RequestHandler();
    RequestHandler(const RequestHandler&) = delete;
    RequestHandler& operator=(const RequestHandler&) = delete;

    // ---- Overridables: the lifecycle --------------------------------------------------------
    /// Called with the route's arguments (url<H>(pattern, args...)); a subclass taking
    /// arguments declares its own initialize(...) with those parameters.
    void initialize() {}
    /// Headers every response starts with (also after an error clears the response).
    virtual void set_default_headers() {}
    /// Runs before the verb; may return a Future (a coroutine) and may finish the request.
    virtual Future<void> prepare() { return {}; }
    // The verbs. The defaults answer 405. Path arguments are in path_args() / path_kwargs().
    virtual Future<void> get();
    virtual Future<void> head();
    virtual Future<void> post();
    virtual Future<void> delete_();
    virtual Future<void> patch();
    virtual Future<void> put();
    virtual Future<void> options();
    /// Methods this handler accepts at all (others get 405 before prepare); Tornado's
    /// SUPPORTED_METHODS: GET HEAD POST DELETE PATCH PUT OPTIONS.
    virtual bool supports_method(std::string_view method) const;
    /// After the response has been handed to the connection (clean-up, metrics).
    virtual void on_finish() {}
    /// The client went away before the response was finished.
    virtual void on_connection_close() {}
    /// True: the body is not collected; data_received gets it piece by piece after prepare()
    /// and before the verb (Tornado's @stream_request_body).
    virtual bool stream_request_body() const { return false; }
    /// A piece of a streamed body (at most chunk_size bytes). A returned Future holds back
    /// further reading until it is done.
    virtual Future<void> data_received(std::string_view chunk);
    /// Writes the body of an error page; the default is Tornado's small HTML page (or the
    /// exception's text with serve_traceback).
    virtual void write_error(int status_code, std::exception_ptr error);
    /// The logged-in user, if any (used by current_user() and the XSRF cookie's lifetime).
    virtual std::optional<std::string> get_current_user() { return std::nullopt; }
    /// The ETag for the buffered body: a quoted SHA-1, or nullopt for none.
    virtual std::optional<std::string> compute_etag();
    /// Throws HTTPError(403) unless the request carries the XSRF token of its `_xsrf` cookie.
    virtual void check_xsrf_cookie();
    /// The directory render() reads templates from; the template_path setting by default.
    virtual std::string get_template_path() const;

    // ---- Output ------------------------------------------------------------------------------
    /// A reason is required for a code without a standard one (std::invalid_argument).
    void set_status(int status_code, std::string reason = {});
    int get_status() const noexcept { return status_code_; }
    /// Values with control characters throw std::invalid_argument (header injection).
    void set_header(std::string_view name, std::string_view value);
    void set_header(std::string_view name, std::int64_t value);
    void set_header(std::string_view name, std::chrono::system_clock::time_point value);
    void add_header(std::string_view name, std::string_view value);
    void clear_header(std::string_view name);
    const HTTPHeaders& response_headers() const noexcept { return headers_; }
    /// Buffers output until flush() or finish(). Throws std::logic_error after finish().
    void write(std::string_view chunk);
    /// JSON with Content-Type application/json; "</" is written "<\/" so the text is safe
    /// inside an HTML <script>. Only objects are accepted at the top level (arrays can be
    /// hijacked by old browsers), as in Tornado.
    void write(const nlohmann::json& value);
    void write(const char* chunk) { write(std::string_view(chunk)); }
    void write(const std::string& chunk) { write(std::string_view(chunk)); }
    /// Sends the headers (the first time) and everything buffered; done when written.
    Future<void> flush();
    /// Sends the headers and anything buffered, then `length` bytes of file `fd` from
    /// `offset`: with sendfile(2) when nothing transforms the body (gzip, TLS fall back to
    /// reading pieces), never the whole file in memory. Done when written.
    Future<void> send_file(int fd, std::uint64_t offset, std::uint64_t length);
    /// Completes the response. Throws std::logic_error when called twice.
    Future<void> finish(std::string_view chunk = {});
    bool finished() const noexcept { return finished_; }
    bool headers_written() const noexcept { return headers_written_; }
    /// Renders the mustache template `template_name` (a file under get_template_path()) with
    /// `values`, a JSON object (Tornado's keyword arguments), writes it and finishes. `{{x}}`
    /// is HTML-escaped, `{{{x}}}` raw; besides the values a template sees `request` (method,
    /// uri, path, query, host, protocol, remote_ip), `current_user`, `{{{xsrf_form_html}}}`,
    /// `{{#static_url}}path{{/static_url}}` and `{{#reverse_url}}name args{{/reverse_url}}`.
    /// Throws TemplateError (a 500 in a handler).
    Future<void> render(const std::string& template_name);
    Future<void> render(const std::string& template_name, const nlohmann::json& values);
    /// The rendered page as a string, for a part of a response or an email.
    std::string render_string(const std::string& template_name);
    std::string render_string(const std::string& template_name, const nlohmann::json& values);
    /// 302 (301 when permanent, or `status` 300-399) to `url` joined with the request URI.
    void redirect(std::string_view url, bool permanent = false, std::optional<int> status = std::nullopt);
    /// An error page for `status_code`, made by write_error; logs instead when headers went out.
    void send_error(int status_code = 500, std::exception_ptr error = nullptr);
    /// Back to the default headers, status 200 and an empty buffer.
    void clear();
    void set_etag_header();
    /// True when If-None-Match names the current ETag (weak comparison, "*" matches).
    bool check_etag_header() const;

    // ---- Input -------------------------------------------------------------------------------
    HTTPServerRequest& request() const noexcept { return *request_; }
    std::shared_ptr<HTTPServerRequest> request_ptr() const noexcept { return request_; }
    Application& application() const noexcept { return *application_; }
    const ApplicationSettings& settings() const;
    const std::vector<std::optional<std::string>>& path_args() const noexcept { return path_args_.args; }
    const std::map<std::string, std::optional<std::string>>& path_kwargs() const noexcept { return path_args_.kwargs; }
    /// The last value of an argument from the query or the body (body wins), with control
    /// characters replaced and (with `strip`) surrounding whitespace removed. Missing: the
    /// default, or MissingArgumentError (400) without one. Invalid UTF-8: HTTPError(400).
    std::string get_argument(std::string_view name, bool strip = true) const;
    std::string get_argument(std::string_view name, std::string_view default_value, bool strip = true) const;
    // Without these a string literal default would convert to `bool strip` instead.
    std::string get_argument(std::string_view name, const char* default_value, bool strip = true) const {
        return get_argument(name, std::string_view(default_value), strip);
    }
    std::string get_argument(std::string_view name, const std::string& default_value, bool strip = true) const {
        return get_argument(name, std::string_view(default_value), strip);
    }
    std::optional<std::string> get_optional_argument(std::string_view name, bool strip = true) const;
    std::vector<std::string> get_arguments(std::string_view name, bool strip = true) const;
    std::string get_query_argument(std::string_view name, bool strip = true) const;
    std::optional<std::string> get_optional_query_argument(std::string_view name, bool strip = true) const;
    std::vector<std::string> get_query_arguments(std::string_view name, bool strip = true) const;
    std::string get_body_argument(std::string_view name, bool strip = true) const;
    std::optional<std::string> get_optional_body_argument(std::string_view name, bool strip = true) const;
    std::vector<std::string> get_body_arguments(std::string_view name, bool strip = true) const;
    const FileMap& files() const noexcept { return request_->files; }

    const std::map<std::string, std::string>& cookies() const { return request_->cookies(); }
    std::optional<std::string> get_cookie(std::string_view name) const;
    /// Throws std::invalid_argument for names or values with spaces or control characters.
    void set_cookie(std::string_view name, std::string_view value, CookieOptions options = {});
    void clear_cookie(std::string_view name, std::string_view path = "/", std::string_view domain = {});
    void clear_all_cookies(std::string_view path = "/", std::string_view domain = {});
    /// A cookie signed with the cookie_secret setting (Tornado's v2 format by default).
    void set_secure_cookie(std::string_view name, std::string_view value, double expires_days = 30,
                           CookieOptions options = {}, int version = 2);
    std::string create_signed_value(std::string_view name, std::string_view value, int version = 2) const;
    /// The value of a signed cookie (or of `value` when given), nullopt if missing, tampered
    /// or older than max_age_days.
    std::optional<std::string> get_secure_cookie(std::string_view name,
                                                 std::optional<std::string_view> value = std::nullopt,
                                                 double max_age_days = 31, int min_version = 1) const;
    /// get_current_user(), asked once per request.
    const std::optional<std::string>& current_user();
    /// Tornado's @authenticated, called first in a verb: without a current user, GET and HEAD
    /// are redirected to login_url?next=<uri> and other methods get 403 (both end the request).
    void authenticated();

    /// The XSRF token for forms and headers (masked per request in version 2); sets the
    /// `_xsrf` cookie when the request had none.
    const std::string& xsrf_token();
    /// `<input type="hidden" name="_xsrf" value="..."/>`
    std::string xsrf_form_html();
    /// static_url_prefix + path + "?v=<hash of the file>" (Tornado's static_url).
    std::string static_url(std::string_view path, bool include_host = false, bool include_version = true);
    std::string reverse_url(std::string_view name, const std::vector<std::string>& args = {}) const;

protected:
    /// Don't finish automatically when the verb's Future completes (Tornado's @asynchronous):
    /// the handler calls finish() itself later.
    void set_asynchronous() noexcept { auto_finish_ = false; }
    /// Something else answers on the connection (FallbackHandler, a WebSocket upgrade): the
    /// response state is released, and the output methods (set_status, set_header,
    /// add_header, clear_header, set_cookie, write, flush, send_file, finish, redirect, clear)
    /// throw std::logic_error from now on, as Tornado's raise RuntimeError once a WebSocket
    /// has the stream.
    void mark_finished_elsewhere();
    /// "GET /path (ip)" for log lines.
    std::string request_summary() const;

private:
    friend struct detail::HandlerAccess;
    friend class detail::RequestDispatcher;
    friend class Application;

    struct XSRFState {
        std::string token;  // raw bytes
        std::optional<int> version;
        std::int64_t timestamp = 0;
        std::optional<std::string> output;
    };

    /// The whole request: checks, prepare, body (streaming), the verb, finish; never throws.
    Future<void> execute(std::shared_ptr<RequestHandler> self);
    Future<void> call_verb();
    void handle_request_exception(std::exception_ptr e);
    void log_exception(std::exception_ptr e) const;
    Future<void> flush_output(bool finishing);
    /// The buffered output as one string (the buffer is left empty).
    std::string take_output();
    /// First output only: gzip decision, cookies, HEAD's empty body. False once headers are out.
    bool begin_output(std::string& chunk, bool finishing);
    /// conn.write_headers(...), undoing begin_output when the connection refuses the headers
    /// (a value with a line break, a bad Content-Length): nothing was sent, so the error
    /// page can still be.
    template <class... Args>
    Future<void> write_head(Args&&... args);
    /// The status line the headers go out with.
    ResponseStartLine start_line() const { return ResponseStartLine{"HTTP/1.1", status_code_, reason_}; }
    void clear_headers_for_304();
    std::vector<std::string> arguments_from(const ArgumentMap& source, std::string_view name, bool strip) const;
    void decode_path_arguments();
    void add_cookie_header(std::string_view name, std::string value);
    XSRFState& raw_xsrf_token();
    void prepared();  // streaming: lets the connection read the body
    /// Throws std::logic_error naming `method` once mark_finished_elsewhere() was called.
    void check_not_handed_over(const char* method) const;

    std::shared_ptr<HTTPServerRequest> request_;
    Application* application_ = nullptr;
    PathArguments path_args_;

    int status_code_ = 200;
    std::string reason_;
    HTTPHeaders headers_;
    std::string write_buffer_;  // write()s since the last flush, joined as they come
    std::vector<std::pair<std::string, std::string>> new_cookies_;  // name, Set-Cookie value
    std::unique_ptr<detail::GZipTransform> gzip_;
    bool headers_written_ = false;
    bool finished_ = false;
    bool auto_finish_ = true;
    bool handed_over_ = false;  // mark_finished_elsewhere()

    std::optional<std::optional<std::string>> current_user_;
    std::optional<XSRFState> xsrf_;

    // Streaming bodies: the connection waits for prepare(), the verb waits for the body.
    std::optional<Promise<void>> prepared_promise_;
    std::optional<Promise<void>> body_promise_;
    Future<void> body_future_;
};

}  // namespace squall
