// The demo's handlers: hello, echo, a streamed upload, signed cookies, XSRF, a redirect and a
// compressible page, with static files and the pages' templates from the site directory; the
// WebSocket endpoints are in sockets.cpp, the live figures in stats.cpp. Part of squall-demo.
#include "app.h"

#include <nlohmann/json.hpp>

#include "form_upload.h"
#include "sha256.h"
#include "sockets.h"
#include "squall/log.h"
#include "squall/web.h"

namespace squall::demo {
namespace {

class IndexHandler : public RequestHandler {
public:
    Future<void> get() override { return render("index.html", nlohmann::json{{"title", "squall demo"}}); }
};

class HelloHandler : public RequestHandler {
public:
    Future<void> get() override {
        write("Hello, world");
        return {};
    }
    Future<void> head() override { return get(); }
};

class EchoHandler : public RequestHandler {
public:
    Future<void> post() override {
        set_header("Content-Type", "application/octet-stream");
        set_header("X-Body-Length", static_cast<std::int64_t>(request().body.size()));
        write(request().body);
        return {};
    }
    Future<void> put() override { return post(); }
};

/// Counts and hashes the body as it arrives; memory stays at one chunk whatever the size.
class UploadHandler : public RequestHandler {
public:
    bool stream_request_body() const override { return true; }
    Future<void> data_received(std::string_view chunk) override {
        count_ += chunk.size();
        sha256_.update(chunk);
        return {};
    }
    Future<void> post() override {
        write(nlohmann::json{{"count", count_}, {"sha256", sha256_.hex()}});
        return {};
    }
    Future<void> put() override { return post(); }

private:
    Sha256 sha256_;
    std::uint64_t count_ = 0;
};

class CookieHandler : public RequestHandler {
public:
    Future<void> get() override {
        if (auto value = get_optional_query_argument("set")) {
            set_secure_cookie("user", *value);
            set_header("Content-Type", "text/plain; charset=UTF-8");
            write("set");
            return {};
        }
        auto user = get_secure_cookie("user");
        if (!user) throw HTTPError(401);
        set_header("Content-Type", "text/plain; charset=UTF-8");
        write(*user);
        return {};
    }
    /// A browser that has no valid cookie learns how to get one.
    void write_error(int status_code, std::exception_ptr error) override {
        if (status_code != 401) return RequestHandler::write_error(status_code, error);
        (void)render("cookie_missing.html", nlohmann::json{{"title", "No signed cookie yet"}});
    }
};

class XSRFHandler : public RequestHandler {
public:
    Future<void> get() override { return render("xsrf.html", nlohmann::json{{"title", "XSRF-protected form"}}); }
    Future<void> post() override {
        check_xsrf_cookie();  // only this endpoint checks, so the setting stays off
        set_header("Content-Type", "text/plain; charset=UTF-8");
        write("ok " + get_argument("msg", ""));
        return {};
    }
};

class GzipHandler : public RequestHandler {
public:
    Future<void> get() override {
        set_header("Content-Type", "text/plain; charset=UTF-8");
        std::string body;
        for (int i = 0; i < 2000; ++i) body += "The quick brown fox jumps over the lazy dog. 0123456789\n";
        write(body);
        return {};
    }
};

}  // namespace

std::unique_ptr<Application> make_application(const DemoOptions& o, std::shared_ptr<DemoStats> stats) {
    ApplicationSettings settings;
    // The access log line, as the default writes it, and a count for the live panel.
    settings.log_function = [stats](RequestHandler& handler) {
        ++stats->requests;
        int status = handler.get_status();
        LogLevel level = status < 400 ? LogLevel::info : status < 500 ? LogLevel::warning : LogLevel::error;
        const HTTPServerRequest& r = handler.request();
        access_log().logf(level, "%d %s %s (%s) %.2fms", status, r.method.c_str(), r.uri.c_str(), r.remote_ip.c_str(),
                          r.request_time() * 1000.0);
    };
    settings.compress_response = o.compress_response;
    settings.debug = o.debug;
    settings.cookie_secret = o.cookie_secret;
    settings.static_path = o.site + "/static";
    settings.template_path = o.site + "/templates";
    settings.websocket_max_message_size = o.websocket_max_message_size;
    std::vector<URLSpec> routes;
    routes.push_back(url<IndexHandler>("/"));
    routes.push_back(url<HelloHandler>("/hello"));
    routes.push_back(url<EchoHandler>("/echo"));
    routes.push_back(url<UploadHandler>("/upload"));
    add_form_upload_routes(routes);
    add_stats_route(routes, stats);
    routes.push_back(url<CookieHandler>("/cookie"));
    routes.push_back(url<XSRFHandler>("/xsrf"));
    routes.push_back(url<RedirectHandler>("/redirect", std::string("/hello"), false));
    routes.push_back(url<GzipHandler>("/gzip"));
    add_websocket_routes(routes, o.chat_max_backlog);
    return std::make_unique<Application>(std::move(routes), std::move(settings));
}

HTTPServerOptions server_options(const DemoOptions& o) {
    HTTPServerOptions s;
    s.max_header_size = o.max_header_size;
    s.max_body_size = o.max_body_size;
    s.idle_connection_timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.idle_connection_timeout));
    s.body_timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.body_timeout));
    if (o.write_timeout > 0)
        s.write_timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.write_timeout));
    s.decompress_request = o.decompress_request;
    return s;
}

}  // namespace squall::demo
