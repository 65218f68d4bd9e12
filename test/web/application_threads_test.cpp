// One Application shared by the loops of ServerThreads: routing, static files with versioned
// URLs (the application's locked cache), signed cookies and a graceful drain, with clients on
// the test's own loop. In the "threads" suite, so ThreadSanitizer checks what the threads share.
#include <unistd.h>

#include <filesystem>
#include <fstream>
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

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
namespace fs = std::filesystem;

namespace {

/// A static directory with one file, removed afterwards.
struct StaticDir {
    fs::path root;
    StaticDir() {
        char tmpl[] = "/tmp/squall-threads-test-XXXXXX";
        root = ::mkdtemp(tmpl);
        std::ofstream(root / "a.txt") << "shared file\n";
    }
    ~StaticDir() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

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

}  // namespace

TEST_CASE_METHOD(AsyncTest, "an Application shared by ServerThreads serves from every thread", "[web][threads][net]") {
    StaticDir dir;
    ApplicationSettings settings;
    settings.static_path = dir.root.string();
    settings.cookie_secret = "threads share this secret";
    Application app({url<SharedStateHandler>("/")}, settings);
    ServerThreadsOptions options;
    options.threads = 2;
    options.bind.address = "127.0.0.1";
    ServerThreads servers(app, 0, options);
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
