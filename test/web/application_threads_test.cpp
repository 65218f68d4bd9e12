// One Application shared by the loops of ServerThreads: routing, static files with versioned
// URLs (the application's locked cache), signed cookies, templates (the compiled template
// cache) and a graceful drain, with clients on the test's own loop. In the "threads" suite, so ThreadSanitizer checks what the threads share.
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/httpclient.h"
#include "squall/server_threads.h"
#include "squall/web.h"
#include "web_support.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::TempDir;

namespace {

/// The serving thread, a versioned static URL, and a signed cookie read back.
class SharedStateHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::ostringstream thread;
        thread << std::this_thread::get_id();
        auto user = get_secure_cookie("user");
        set_secure_cookie("user", "visited");
        write(thread.str() + " " + static_url("a.txt") + " " + (user ? *user : std::string("-")));
        return {};
    }
};

ServerThreadsOptions two_loopback_threads() {
    ServerThreadsOptions options;
    options.threads = 2;
    options.bind.address = "127.0.0.1";
    return options;
}

/// A page with a partial, rendered with the request's ?n= on whichever thread serves it.
class TemplateHandler : public RequestHandler {
public:
    Future<void> get() override { return render("page.html", nlohmann::json{{"n", get_argument("n")}}); }
};

}  // namespace

TEST_CASE_METHOD(AsyncTest, "ServerThreads render templates from one Application's cache", "[web][threads][net]") {
    TempDir dir("squall-threads-test");
    dir.write("page.html", "{{> header.html}}<p>{{n}}</p>");
    dir.write("header.html", "<h1>shared</h1>");
    ApplicationSettings settings;
    settings.template_path = dir.path();
    Application app({url<TemplateHandler>("/")}, settings);
    ServerThreads servers(app, 0, two_loopback_threads());
    std::string base = "http://127.0.0.1:" + std::to_string(servers.port());
    run_sync([&]() -> Future<void> {
        AsyncHTTPClientOptions client_options;
        client_options.max_clients = 32;
        AsyncHTTPClient client(client_options, io_loop());
        // 64 in parallel, so that both threads render, and both may compile the template first.
        std::vector<Future<HTTPResponse>> fetches;
        std::vector<std::string> expected;
        for (int i = 0; i < 64; ++i) {
            fetches.push_back(client.fetch(base + "/?n=" + std::to_string(i)));
            expected.push_back("<h1>shared</h1><p>" + std::to_string(i) + "</p>");
        }
        auto responses = co_await multi(std::move(fetches));
        for (std::size_t i = 0; i < responses.size(); ++i) CHECK(responses[i].body == expected[i]);
        co_await servers.close_all_connections(5s, io_loop());
    }, 20s);
}

TEST_CASE_METHOD(AsyncTest, "an Application shared by ServerThreads serves from every thread", "[web][threads][net]") {
    TempDir dir("squall-threads-test");
    dir.write("a.txt", "shared file\n");
    ApplicationSettings settings;
    settings.static_path = dir.path();
    settings.cookie_secret = "threads share this secret";
    Application app({url<SharedStateHandler>("/")}, settings);
    ServerThreads servers(app, 0, two_loopback_threads());
    std::string base = "http://127.0.0.1:" + std::to_string(servers.port());

    std::set<std::string> threads, urls;
    run_sync([&]() -> Future<void> {
        // Connections are spread by the kernel; fetches in parallel land on both threads.
        AsyncHTTPClientOptions client_options;
        client_options.max_clients = 32;
        AsyncHTTPClient client(client_options, io_loop());
        std::vector<Future<HTTPResponse>> fetches;
        for (int i = 0; i < 64; ++i) fetches.push_back(client.fetch(base + "/"));
        auto responses = co_await multi(std::move(fetches));
        std::string cookie;
        for (auto& r : responses) {
            std::istringstream words(r.body);
            std::string thread, url, user;
            words >> thread >> url >> user;
            threads.insert(thread);
            urls.insert(url);
            CHECK(user == "-");
            cookie = r.headers.get("Set-Cookie");
        }
        // The cookie one thread signed is valid on any.
        HTTPRequest again(base + "/");
        again.headers.add("Cookie", cookie.substr(0, cookie.find(';')));
        for (int i = 0; i < 8; ++i) {
            HTTPResponse r = co_await client.fetch(again);
            CHECK(r.body.ends_with(" visited"));
        }
        co_await servers.close_all_connections(5s, io_loop());
    }, 20s);
    CHECK(threads.size() == 2);
    REQUIRE(urls.size() == 1);  // one version hash, whichever thread computed it
    CHECK(urls.begin()->starts_with("/static/a.txt?v="));
}
