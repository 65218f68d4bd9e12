// AsyncHTTPTestCase with a web Application, as a user's test would use it: get_app, fetch of
// paths and of whole requests, error responses returned rather than raised, ExpectLog on the
// access log, and the server's options. Ports tornado/test/testing_test.py's
// AsyncHTTPTestCase cases.
#include <memory>
#include <string>

#include "catch.h"
#include "squall/http_testing.h"
#include "squall/web.h"

using namespace squall;
using squall::testing::ExpectLog;

namespace {

class GreetHandler : public RequestHandler {
public:
    Future<void> get() override {
        write("Hello, " + get_argument("name", "world") + " via " + request().protocol);
        return {};
    }
    Future<void> post() override {
        write("got " + std::to_string(request().body.size()) + " bytes");
        return {};
    }
};

class GreetTest : public squall::testing::AsyncHTTPTestCase {
public:
    std::unique_ptr<HTTPServerConnectionDelegate> get_app() override {
        return std::make_unique<Application>(std::vector<URLSpec>{url<GreetHandler>("/greet")});
    }
    HTTPServerOptions get_httpserver_options() override {
        HTTPServerOptions o;
        o.protocol = "https";  // as behind a TLS terminator: proves the options reach the server
        return o;
    }
};

}  // namespace

TEST_CASE_METHOD(GreetTest, "AsyncHTTPTestCase: fetch a path from the application it serves", "[web][testing][net]") {
    CHECK(get_url("/greet").starts_with("http://127.0.0.1:"));
    HTTPResponse r = fetch("/greet?name=squall");
    CHECK(r.code == 200);
    CHECK(r.body == "Hello, squall via https");
    HTTPRequest post("/greet");
    post.method = "POST";
    post.body = "12345";
    CHECK(fetch(post).body == "got 5 bytes");
}

TEST_CASE_METHOD(GreetTest, "AsyncHTTPTestCase: error answers come back as responses", "[web][testing][net]") {
    ExpectLog missing("tornado.access", "404 GET /nowhere");
    HTTPResponse r = fetch("/nowhere");
    CHECK(r.code == 404);
    CHECK(http_server().connection_count() >= 1);  // the client keeps its connection alive
}
