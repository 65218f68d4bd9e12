// AsyncHTTPTestCase: a test fixture that serves an application on an unused loopback port and
// fetches from it. Public header (installed, for users' tests). Models tornado/testing.py
// (4.0) AsyncHTTPTestCase: get_app, get_httpserver_options, get_url, fetch.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <memory>
#include <string>

#include "squall/httpclient.h"
#include "squall/httpserver.h"
#include "squall/testing.h"

namespace squall::testing {

/// Override get_app() (an Application is an HTTPServerConnectionDelegate). The server starts
/// on first use of port(), get_url() or fetch(); the fixture owns the application and the
/// server, and at the end stops the server and closes its connections.
class AsyncHTTPTestCase : public AsyncTestCase {
public:
    AsyncHTTPTestCase() = default;
    ~AsyncHTTPTestCase() override;

    /// The application under test, made once per test.
    virtual std::unique_ptr<HTTPServerConnectionDelegate> get_app() = 0;
    virtual HTTPServerOptions get_httpserver_options() { return {}; }

    int port();
    /// "http://127.0.0.1:PORT" + path.
    std::string get_url(const std::string& path);
    /// Fetches a path ("/x?y=1", or a whole request whose url is one) from this server and
    /// waits for the response (at most get_async_test_timeout()). Errors come back as
    /// responses rather than exceptions (raise_error off, as Tornado's fetch): code 599 when
    /// no HTTP answer came.
    HTTPResponse fetch(HTTPRequest request);
    HTTPServer& http_server();
    AsyncHTTPClient& http_client();

private:
    void start();

    std::unique_ptr<HTTPServerConnectionDelegate> app_;  // before the server, which calls it
    std::unique_ptr<HTTPServer> server_;
    std::unique_ptr<AsyncHTTPClient> client_;
    int port_ = 0;
};

}  // namespace squall::testing
