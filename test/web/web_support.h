// Test helpers for the web suite: an Application served on a kernel-picked loopback port, a
// request that shows the wire, and a temporary directory of files. Internal test header.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
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

/// A fresh directory under /tmp for a test's files, removed with everything in it afterwards.
struct TempDir {
    std::filesystem::path root;
    explicit TempDir(const std::string& prefix = "squall-web-test") {
        std::string pattern = "/tmp/" + prefix + "-XXXXXX";
        root = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    /// Writes `content` to `relative` (directories made as needed), replacing what was there.
    void write(const std::string& relative, const std::string& content) const {
        std::filesystem::create_directories((root / relative).parent_path());
        std::ofstream(root / relative, std::ios::binary | std::ios::trunc) << content;
    }
    std::string path(const std::string& relative = {}) const {
        return relative.empty() ? root.string() : (root / relative).string();
    }
};

}  // namespace squall::testing
