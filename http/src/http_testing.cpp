// AsyncHTTPTestCase: the server started on first use, fetches run to completion, the end.
// Internal.
#include "squall/http_testing.h"

namespace squall::testing {

AsyncHTTPTestCase::~AsyncHTTPTestCase() {
    if (!server_) return;
    server_->stop();
    client_->close();
    try {
        run_sync([this] { return server_->close_all_connections(); });
    } catch (const std::exception&) {
        // A connection that would not close is closed by the server's destructor anyway.
    }
}

void AsyncHTTPTestCase::start() {
    if (server_) return;
    app_ = get_app();
    server_ = std::make_unique<HTTPServer>(*app_, get_httpserver_options(), io_loop());
    server_->listen(0, "127.0.0.1");
    port_ = server_->ports().front();
    client_ = std::make_unique<AsyncHTTPClient>(AsyncHTTPClientOptions{}, io_loop());
}

int AsyncHTTPTestCase::port() {
    start();
    return port_;
}

std::string AsyncHTTPTestCase::get_url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
}

HTTPResponse AsyncHTTPTestCase::fetch(HTTPRequest request) {
    request.url = get_url(request.url);
    return run_sync([&] { return client_->fetch(std::move(request), false); });
}

HTTPServer& AsyncHTTPTestCase::http_server() {
    start();
    return *server_;
}

AsyncHTTPClient& AsyncHTTPTestCase::http_client() {
    start();
    return *client_;
}

}  // namespace squall::testing
