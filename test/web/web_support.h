// Test helpers for the web suite: an Application served on a kernel-picked loopback port, and
// a fetch that returns error responses instead of raising. Internal test header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "squall/application.h"
#include "squall/httpclient.h"

namespace squall::testing {

struct AppServer {
    std::unique_ptr<Application> app;
    HTTPServer* server;  // the application's
    int port = 0;

    AppServer(std::vector<URLSpec> routes, ApplicationSettings settings = {}, HTTPServerOptions options = {})
        : app(std::make_unique<Application>(std::move(routes), std::move(settings))),
          server(&app->listen(0, "127.0.0.1", std::move(options))),
          port(server->ports().front()) {}
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

/// A request that neither follows redirects nor decompresses, so tests see the wire.
inline HTTPRequest raw_request(std::string url, std::string method = "GET") {
    HTTPRequest r(std::move(url));
    r.method = std::move(method);
    r.follow_redirects = false;
    r.decompress_response = false;
    r.allow_nonstandard_methods = true;
    return r;
}

}  // namespace squall::testing
