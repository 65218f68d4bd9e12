// The example of docs/testing.md: a test of a small Application with AsyncHTTPTestCase and
// ExpectLog, written without any test framework (a plain main that returns non-zero on a
// failure), to show the fixture needs none. Built and run by the tests.
#include <cstdio>
#include <memory>

#include <squall/http_testing.h>
#include <squall/web.h>

class HelloHandler : public squall::RequestHandler {
public:
    squall::Future<void> get() override {
        write("Hello, " + get_argument("name", "world"));
        return {};
    }
};

class HelloAppTest : public squall::testing::AsyncHTTPTestCase {
public:
    std::unique_ptr<squall::HTTPServerConnectionDelegate> get_app() override {
        return std::make_unique<squall::Application>(std::vector<squall::URLSpec>{squall::url<HelloHandler>("/")});
    }
};

int main() {
    int failures = 0;
    auto check = [&](bool ok, const char* what) {
        std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
        failures += !ok;
    };
    {
        HelloAppTest test;  // a fresh IOLoop and server for this test
        squall::HTTPResponse r = test.fetch("/?name=tester");
        check(r.code == 200 && r.body == "Hello, tester", "GET /?name=tester answers Hello, tester");
    }
    {
        HelloAppTest test;
        squall::testing::ExpectLog not_found("tornado.access", "404 GET /missing");  // and no noise
        check(test.fetch("/missing").code == 404, "an unknown path answers 404");
    }
    return failures;
}
