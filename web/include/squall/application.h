// Application: the routing table (host patterns, then URL patterns), the settings handlers
// read, and the HTTPServerConnectionDelegate an HTTPServer serves. Public header. Models
// tornado/web.py (4.0) Application.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "squall/http1connection.h"
#include "squall/httpserver.h"
#include "squall/routing.h"

namespace squall {

namespace detail {
class TemplateLoader;
}

/// Tornado's Application settings that mean something in C++, with its defaults.
struct ApplicationSettings {
    /// Gzip responses for clients that accept it (text and the usual JSON/JS/XML types, 1024
    /// bytes or more, streamed output too).
    bool compress_response = false;
    /// Key for signed cookies and nothing else; required by set_secure_cookie.
    std::string cookie_secret;
    /// Check the XSRF token on POST, PUT, PATCH and DELETE (403 without it).
    bool xsrf_cookies = false;
    /// 2: masked tokens that differ on every page; 1: the plain hex token.
    int xsrf_cookie_version = 2;
    /// Serve files under this directory at static_url_prefix (also /favicon.ico, /robots.txt).
    std::string static_path;
    std::string static_url_prefix = "/static/";
    /// Replaces StaticFileHandler for static_path; gets (root, default_filename) like it.
    std::function<HandlerFactory(const std::string& root)> static_handler_class;
    /// Cache static files' content hashes (for ?v= and ETags) until their size or mtime change.
    bool static_hash_cache = true;
    /// For requests no pattern matches (default: 404 through ErrorHandler).
    HandlerFactory default_handler_class;
    /// Where render() finds its mustache templates and their partials (empty: the current
    /// directory). Names never leave it: absolute names and `..` are refused.
    std::string template_path;
    /// Keep each template compiled after its first use (per Application). Off: every render
    /// reads the file again, so edits show at once.
    bool compiled_template_cache = true;
    /// Tornado's development mode: as compiled_template_cache=false, static_hash_cache=false
    /// and serve_traceback=true together (whatever those say), and autoreload unless that says no.
    bool debug = false;
    /// Restart the process when its executable changes (squall/autoreload.h), started when the
    /// Application is made, on the current IOLoop. Unset: on with debug.
    std::optional<bool> autoreload;
    /// For authenticated(): where to send users who are not logged in.
    std::string login_url;
    /// Error pages carry the exception's text (for development only).
    bool serve_traceback = false;
    /// Replaces the access log line written for every request.
    std::function<void(RequestHandler&)> log_function;
    /// The Server header of every response.
    std::string server_header = "squall/0.1";
    /// WebSocketHandler: the largest message, all its fragments together (larger: close 1009).
    std::uint64_t websocket_max_message_size = 10 * 1024 * 1024;
    /// WebSocketHandler: send a ping this often (none: never)...
    std::optional<Duration> websocket_ping_interval;
    /// ...and close the connection when no pong came back this long after one (default: three
    /// intervals, as Tornado 4.5).
    std::optional<Duration> websocket_ping_timeout;
};

class Application : public HTTPServerConnectionDelegate {
public:
    explicit Application(std::vector<URLSpec> handlers = {}, ApplicationSettings settings = {},
                         std::string default_host = {});
    ~Application() override;

    /// Routes for hosts matching `host_pattern` (a regular expression over the lower-case host
    /// without its port, RE2 syntax, matched case-insensitively in linear time; a bad pattern
    /// throws std::invalid_argument). Later groups come before the catch-all ".*$" group.
    void add_handlers(std::string host_pattern, std::vector<URLSpec> handlers);
    /// An HTTPServer for this application listening on `port` (0: the kernel picks). The
    /// application keeps it, as Tornado's does, until the application is destroyed: the
    /// reference is for ports(), stop() and close_all_connections().
    HTTPServer& listen(std::uint16_t port, const std::string& address = {}, HTTPServerOptions options = {});
    /// The servers listen() made, in order (for GracefulShutdown).
    std::vector<HTTPServer*> servers() const;
    /// The path of the route named `name` with `args` in its groups; std::invalid_argument if
    /// there is no such name.
    std::string reverse_url(std::string_view name, const std::vector<std::string>& args = {}) const;
    /// The access log line for a finished request ("200 GET / (ip) 1.23ms"), or log_function.
    void log_request(RequestHandler& handler) const;

    const ApplicationSettings& settings() const noexcept { return settings_; }
    ApplicationSettings& settings() noexcept { return settings_; }

    std::unique_ptr<HTTPMessageDelegate> start_request(std::shared_ptr<HTTP1Connection> connection) override;

    /// The handler for a request (routing only; the dispatcher runs it).
    std::shared_ptr<RequestHandler> find_handler(std::shared_ptr<HTTPServerRequest> request);

    /// The hash of a static file's contents, cached by path, size and mtime; nullopt when it
    /// cannot be read.
    std::optional<std::string> static_content_version(const std::string& absolute_path);

private:
    friend class RequestHandler;  // render() uses the template cache

    struct HostGroup {
        std::string pattern;
        std::shared_ptr<const re2::RE2> regex;  // none for the catch-all
        std::vector<URLSpec> specs;
    };
    struct CachedVersion {
        std::uint64_t size;
        std::int64_t mtime_ns;
        std::string hash;
    };

    ApplicationSettings settings_;
    std::string default_host_;
    std::vector<HostGroup> groups_;
    // The one cache requests change: locked, so that threads may share the application.
    std::mutex static_versions_mutex_;
    std::map<std::string, CachedVersion> static_versions_;
    // Compiled templates (render()); it locks itself, for the same reason.
    std::unique_ptr<detail::TemplateLoader> templates_;
    // Last: the servers go first, while the routes they call into still exist.
    std::vector<std::unique_ptr<HTTPServer>> servers_;
};

}  // namespace squall
