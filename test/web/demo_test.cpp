// The demo application as users run it: squall-demo is started on a kernel-picked port and
// every endpoint of ../shared/demo-app.md is checked with AsyncHTTPClient and a raw TCP client.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include "async_test.h"
#include "bytes_util.h"
#include "catch.h"
#include "squall/httpclient.h"
#include "squall/tcpclient.h"
#include "demo_process.h"
#include "web_support.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::digest_hex;
using squall::testing::gzip;
using squall::testing::raw_request;

#ifdef SQUALL_DEMO_TOOL
using squall::testing::DemoProcess;

namespace {

std::string cookie_pair(const HTTPResponse& r, const std::string& name) {
    for (const auto& v : r.headers.get_list("Set-Cookie"))
        if (v.rfind(name + "=", 0) == 0) return v.substr(0, v.find(';'));
    return {};
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "squall-demo: every endpoint of the demo application", "[web][demo][net]") {
    DemoProcess demo(*this);
    std::string port = std::to_string(demo.port()), base = demo.base_url();
    std::filesystem::path site = demo.site();
    CHECK(std::filesystem::exists(site / "secret.txt"));
    AsyncHTTPClient client({}, io_loop());
    run_sync(
        [&]() -> Future<void> {
            auto fetch = [&](std::string path, std::string method = "GET") {
                return client.fetch(raw_request(base + path, method), false);
            };
            HTTPResponse index = co_await fetch("/");
            CHECK(index.code == 200);
            CHECK(index.body.find("src=\"http") == std::string::npos);  // self-contained: no external scripts
            // The tour: a box per feature, the live panel, the chat room; a shared stylesheet.
            const std::vector<std::string> boxes{"panel",  "hello",    "echo",      "gzip",     "static", "upload",
                                                 "cookie", "xsrf",     "redirect",  "websocket", "chat-room"};
            for (const std::string& id : boxes) {
                INFO(id);
                CHECK(index.body.find("id=\"" + id + "\"") != std::string::npos);
            }
            std::string style, script;
            CHECK(RE2::PartialMatch(index.body, R"re(href="(/static/style\.css\?v=[0-9a-f]+)")re", &style));
            REQUIRE(RE2::PartialMatch(index.body, R"re(src="(/static/tour\.js\?v=[0-9a-f]+)")re", &script));
            HTTPResponse stylesheet = co_await fetch(style);  // (GCC 12: no co_await inside CHECK)
            CHECK(stylesheet.code == 200);
            HTTPResponse tour = co_await fetch(script);
            CHECK(tour.code == 200);
            CHECK(tour.body.find("location.host + \"/chat\"") != std::string::npos);
            CHECK(tour.body.find("textContent") != std::string::npos);  // answers are shown as text, never as HTML
            CHECK(tour.body.find("innerHTML") == std::string::npos);
            // Rendered from the site's templates: the head partial with the page's title.
            CHECK(index.body.find("<title>squall demo</title>\n") != std::string::npos);
            CHECK(index.body.find("<h1>squall demo</h1>") != std::string::npos);
            HTTPResponse hello = co_await fetch("/hello");
            CHECK(hello.code == 200);
            CHECK(hello.body == "Hello, world");
            HTTPResponse head = co_await fetch("/hello", "HEAD");
            CHECK(head.code == 200);
            CHECK(head.headers.get("Content-Length") == "12");
            CHECK((co_await fetch("/hello", "POST")).code == 405);
            CHECK((co_await fetch("/hello", "DELETE")).code == 405);

            for (std::string method : std::vector<std::string>{"POST", "PUT"}) {
                HTTPRequest echo = raw_request(base + "/echo", method);
                echo.body = "echo me";
                HTTPResponse e = co_await client.fetch(echo, false);
                CHECK(e.body == "echo me");
                CHECK(e.headers.get("X-Body-Length") == "7");
            }
            HTTPRequest gz = raw_request(base + "/echo", "POST");
            std::string text(5000, 'q');
            gz.body = gzip(text);
            gz.headers.set("Content-Encoding", "gzip");
            HTTPResponse decoded = co_await client.fetch(gz, false);
            CHECK(decoded.body == text);
            CHECK(decoded.headers.get("X-Body-Length") == "5000");

            std::string upload(1500000, '\0');
            for (std::size_t i = 0; i < upload.size(); ++i) upload[i] = static_cast<char>((i * 13) % 256);
            HTTPRequest up = raw_request(base + "/upload", "POST");
            up.body = upload;
            HTTPResponse u = co_await client.fetch(up, false);
            REQUIRE(u.code == 200);
            auto uj = nlohmann::json::parse(u.body);
            CHECK(uj["count"] == upload.size());
            CHECK(uj["sha256"] == digest_hex(EVP_sha256(), upload));
            // Refused from the headers alone (a client that went on sending would see a reset).
            {
                TCPClient tcp;
                auto connecting = tcp.connect("127.0.0.1", std::stoi(port));
                auto s = co_await std::move(connecting);
                co_await s->write("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2097153\r\n\r\n");
                std::string status = co_await s->read_until("\r\n");
                CHECK(status == "HTTP/1.1 413 Content Too Large\r\n");
            }

            CHECK((co_await fetch("/static/hello.txt")).body == "Hello, static world\n");
            HTTPResponse big = co_await fetch("/static/big.bin");
            REQUIRE(big.body.size() == 1048576);
            bool pattern = true;
            for (std::size_t i = 0; i < big.body.size(); ++i) pattern = pattern && static_cast<unsigned char>(big.body[i]) == i % 251;
            CHECK(pattern);
            CHECK((co_await fetch("/static/sub/nested.txt")).code == 200);
            CHECK((co_await fetch("/static/%2e%2e/secret.txt")).code == 403);
            CHECK((co_await fetch("/secret.txt")).code == 404);

            HTTPResponse set = co_await fetch("/cookie?set=alice");
            CHECK(set.body == "set");
            std::string user = cookie_pair(set, "user");
            // The base64 value's '=' makes Python's cookie quoting (which Tornado uses) quote it.
            CHECK(user.rfind("user=\"2|1:0|", 0) == 0);
            HTTPRequest get = raw_request(base + "/cookie");
            get.headers.set("Cookie", user);
            HTTPResponse got = co_await client.fetch(get, false);
            CHECK(got.code == 200);
            CHECK(got.body == "alice");
            get.headers.set("Cookie", user.substr(0, user.size() - 1) + (user.back() == '0' ? "1" : "0"));
            CHECK((co_await client.fetch(get, false)).code == 401);
            HTTPResponse no_cookie = co_await fetch("/cookie");
            CHECK(no_cookie.code == 401);
            CHECK(no_cookie.body.find("/cookie?set=alice") != std::string::npos);  // says how to get one

            HTTPResponse form = co_await fetch("/xsrf");
            CHECK(form.body.find("<title>XSRF-protected form</title>") != std::string::npos);
            std::string token;
            REQUIRE(RE2::PartialMatch(form.body, R"re(name="_xsrf" value="([^"]+)")re", &token));
            std::string xsrf_cookie = cookie_pair(form, "_xsrf");
            HTTPRequest post = raw_request(base + "/xsrf", "POST");
            post.body = "msg=hi&_xsrf=" + url_escape(token);
            post.headers.set("Cookie", xsrf_cookie);
            HTTPResponse ok = co_await client.fetch(post, false);
            CHECK(ok.code == 200);
            CHECK(ok.body == "ok hi");
            post.body = "msg=hi";
            CHECK((co_await client.fetch(post, false)).code == 403);
            post.headers.set("X-XSRFToken", token);
            CHECK((co_await client.fetch(post, false)).code == 200);
            HTTPRequest echo_unchecked = raw_request(base + "/echo", "POST");
            echo_unchecked.body = "no token needed";
            CHECK((co_await client.fetch(echo_unchecked, false)).code == 200);

            HTTPResponse redirect = co_await fetch("/redirect");
            CHECK(redirect.code == 302);
            CHECK(redirect.headers.get("Location") == "/hello");

            HTTPRequest gzip_page = raw_request(base + "/gzip");
            gzip_page.headers.set("Accept-Encoding", "gzip");
            HTTPResponse zipped = co_await client.fetch(gzip_page, false);
            CHECK(zipped.headers.get("Content-Encoding") == "gzip");
            CHECK(zipped.headers.get("Vary") == "Accept-Encoding");
            HTTPRequest unzipped_request(base + "/gzip");
            unzipped_request.headers.set("Accept-Encoding", "gzip");
            HTTPResponse unzipped = co_await client.fetch(unzipped_request, false);
            CHECK(unzipped.body.size() == 2000 * 56);
            HTTPResponse plain = co_await fetch("/gzip");
            CHECK_FALSE(plain.headers.contains("Content-Encoding"));
            CHECK(plain.body == unzipped.body);

            HTTPRequest huge_header = raw_request(base + "/hello");
            huge_header.headers.set("X-Big", std::string(17000, 'h'));
            CHECK((co_await client.fetch(huge_header, false)).code == 431);
        },
        30s);
    CHECK(demo.stop() == 0);
    CHECK_FALSE(std::filesystem::exists(site));  // the temporary site is removed on exit
}
TEST_CASE_METHOD(AsyncTest, "squall-demo: /form-upload streams multipart parts and refuses malformed ones",
                 "[web][demo][net]") {
    DemoProcess demo(*this);
    std::string base = demo.base_url();
    AsyncHTTPClient client({}, io_loop());
    run_sync(
        [&]() -> Future<void> {
            HTTPResponse page = co_await client.fetch(raw_request(base + "/form-upload"), false);
            CHECK(page.code == 200);
            CHECK(page.body.find("enctype=\"multipart/form-data\"") != std::string::npos);
            CHECK(page.body.find("<progress") != std::string::npos);
            CHECK(page.body.find("href=\"/\"") != std::string::npos);

            // Bytes of every value, so contents hold CR, LF and dashes; larger than one read.
            std::string big(1200000, '\0');
            for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7) % 256);
            const std::string boundary = "----squallTestBoundary7MA4YWxkTrZu0gW";
            auto part = [&](const std::string& disposition, const std::string& contents) {
                return "--" + boundary + "\r\nContent-Disposition: form-data; " + disposition +
                       "\r\nContent-Type: application/octet-stream\r\n\r\n" + contents + "\r\n";
            };
            HTTPRequest up = raw_request(base + "/form-upload", "POST");
            up.headers.set("Content-Type", "multipart/form-data; boundary=" + boundary);
            up.body = part("name=\"file\"; filename=\"big.bin\"", big) + part("name=\"file\"; filename=\"empty\"", "") +
                      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhello\r\n--" +
                      boundary + "--\r\n";
            HTTPResponse r = co_await client.fetch(up, false);
            REQUIRE(r.code == 200);
            auto parts = nlohmann::json::parse(r.body)["parts"];
            REQUIRE(parts.size() == 3);
            CHECK(parts[0]["filename"] == "big.bin");
            CHECK(parts[0]["size"] == big.size());
            CHECK(parts[0]["sha256"] == digest_hex(EVP_sha256(), big));
            CHECK(parts[1]["size"] == 0);
            CHECK(parts[1]["sha256"] == digest_hex(EVP_sha256(), ""));
            CHECK(parts[2]["name"] == "comment");
            CHECK(parts[2]["value"] == "hello");
            CHECK(parts[2]["content_type"] == "text/plain");

            // GCC 12 miscompiles co_await inside CHECK now and then: each answer is awaited first.
            HTTPRequest bad = raw_request(base + "/form-upload", "POST");
            bad.headers.set("Content-Type", "text/plain");
            bad.body = "x";
            HTTPResponse not_a_form = co_await client.fetch(bad, false);
            CHECK(not_a_form.code == 400);
            bad.headers.set("Content-Type", "multipart/form-data; boundary=B");
            bad.body = "--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--Bx" + std::string(200000, 'y');
            HTTPResponse bad_line = co_await client.fetch(bad, false);
            // Refused mid-body: the 400 says Connection: close and survives the unread rest.
            CHECK(bad_line.code == 400);
            CHECK(bad_line.headers.get("Connection") == "close");
            bad.body = "--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1";  // the closing boundary never comes
            HTTPResponse unfinished = co_await client.fetch(bad, false);
            CHECK(unfinished.code == 400);
            HTTPResponse hello = co_await client.fetch(raw_request(base + "/hello"), false);
            CHECK(hello.body == "Hello, world");
        },
        30s);
    CHECK(demo.stop() == 0);
}
#else
TEST_CASE("squall-demo: skipped when the tools are not built", "[web][demo]") {
    WARN("built without tools: the demo test is skipped");
}
#endif
