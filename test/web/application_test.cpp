// Application features over loopback: XSRF, gzip output, host routing, default handlers, the
// stock handlers and the access log. Ports tornado/test/web_test.py (4.0) XSRFTest,
// GzipTestCase, HostMatchingTest, DefaultHostMatchingTest, Default404Test, Custom404Test,
// RedirectHandler and FallbackHandler cases, and log_function.
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "async_test.h"
#include "bytes_util.h"
#include "catch.h"
#include "squall/tcpclient.h"
#include "squall/web.h"
#include "web_support.h"

using namespace squall;
using squall::testing::AppServer;
using squall::testing::AsyncTest;
using squall::testing::gunzip;
using squall::testing::LogCapture;
using squall::testing::raw_request;

namespace {

class XSRFHandler : public RequestHandler {
public:
    Future<void> get() override {
        write(xsrf_token());
        return {};
    }
    Future<void> post() override {
        write("ok");
        return {};
    }
};

class TextHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::string kind = get_argument("kind", "text");
        std::string body(std::stoul(get_argument("size", "2000")), 'x');
        if (kind == "png") set_header("Content-Type", "image/png");
        if (kind == "text") set_header("Content-Type", "text/plain");
        if (kind == "vary") {
            set_header("Content-Type", "text/plain");
            set_header("Vary", "Cookie");
        }
        if (kind == "stream") {
            set_header("Content-Type", "text/plain");
            for (int i = 0; i < 3; ++i) {
                write(std::string(100, static_cast<char>('a' + i)));
                co_await flush();
            }
            co_return;
        }
        write(body);
    }
    Future<void> head() override { return get(); }
};

class NameHandler : public RequestHandler {
public:
    void initialize(std::string name) { name_ = std::move(name); }
    Future<void> get() override {
        write(name_);
        return {};
    }

private:
    std::string name_;
};

std::string cookie_value(const HTTPResponse& r, const std::string& name) {
    for (const auto& v : r.headers.get_list("Set-Cookie"))
        if (v.rfind(name + "=", 0) == 0) return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    return {};
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "XSRF: tokens, cookies and every way to send them", "[web][xsrf][net]") {
    ApplicationSettings settings;
    settings.xsrf_cookies = true;
    AppServer s({url<XSRFHandler>("/")}, settings);
    AsyncHTTPClient client({}, io_loop());
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        HTTPResponse page = co_await client.fetch(raw_request(s.url("/")), false);
        std::string cookie = cookie_value(page, "_xsrf");
        REQUIRE_FALSE(cookie.empty());
        std::string token = page.body;
        CHECK(token.rfind("2|", 0) == 0);
        // With the cookie sent back, the cookie is not set again and each page masks anew.
        HTTPRequest again = raw_request(s.url("/"));
        again.headers.set("Cookie", "_xsrf=" + cookie);
        HTTPResponse page2 = co_await client.fetch(again, false);
        CHECK(cookie_value(page2, "_xsrf").empty());
        CHECK(page2.body != token);

        // The cookie sent (none when empty) and one optional header.
        auto post = [&](std::string body, std::string cookie, std::string header = {}, std::string value = {}) {
            HTTPRequest r = raw_request(s.url("/"), "POST");
            r.body = std::move(body);
            if (!cookie.empty()) r.headers.set("Cookie", "_xsrf=" + cookie);
            if (!header.empty()) r.headers.set(header, value);
            return client.fetch(r, false);
        };
        HTTPResponse missing = co_await post("", cookie);
        CHECK(missing.code == 403);
        HTTPResponse no_cookie = co_await post("_xsrf=" + url_escape(token), "");
        CHECK(no_cookie.code == 403);
        HTTPResponse field = co_await post("_xsrf=" + url_escape(token), cookie);
        CHECK(field.code == 200);
        HTTPResponse field2 = co_await post("_xsrf=" + url_escape(page2.body), cookie);
        CHECK(field2.code == 200);  // any masking of the same token
        HTTPResponse header = co_await post("", cookie, "X-XSRFToken", token);
        CHECK(header.code == 200);
        HTTPResponse csrf = co_await post("", cookie, "X-CSRFToken", token);
        CHECK(csrf.code == 200);
        HTTPResponse wrong = co_await post("_xsrf=2%7C00000000%7C00%7C0", cookie);
        CHECK(wrong.code == 403);
        HTTPResponse garbage = co_await post("_xsrf=3%7Cx", cookie);
        CHECK(garbage.code == 403);
        // Unversioned tokens: arbitrary strings work when cookie and field agree (Tornado 4.0).
        HTTPResponse plain = co_await post("_xsrf=xoxo", "xoxo");
        CHECK(plain.code == 200);
        HTTPResponse plain_wrong = co_await post("_xsrf=xoxo", "oxox");
        CHECK(plain_wrong.code == 403);
        // GET is not checked; an unknown path stays 404 rather than 403.
        HTTPRequest nowhere = raw_request(s.url("/nowhere"), "POST");
        nowhere.body = "";
        HTTPResponse missing_page = co_await client.fetch(nowhere, false);
        CHECK(missing_page.code == 404);
    });
    CHECK(logs.count("'_xsrf' argument missing from POST") == 1);
    CHECK(logs.count("XSRF cookie does not match POST argument") >= 2);
}

TEST_CASE_METHOD(AsyncTest, "XSRF: version 1 tokens are the plain hex token", "[web][xsrf][net]") {
    ApplicationSettings settings;
    settings.xsrf_cookies = true;
    settings.xsrf_cookie_version = 1;
    AppServer s({url<XSRFHandler>("/")}, settings);
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse page = co_await client.fetch(raw_request(s.url("/")), false);
        CHECK(page.body.size() == 32);
        CHECK(page.body.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(cookie_value(page, "_xsrf") == page.body);
        HTTPRequest r = raw_request(s.url("/"), "POST");
        r.body = "_xsrf=" + page.body;
        r.headers.set("Cookie", "_xsrf=" + page.body);
        HTTPResponse ok = co_await client.fetch(r, false);
        CHECK(ok.code == 200);
    });
}

TEST_CASE_METHOD(AsyncTest, "compress_response: gzip for text that is large enough", "[web][gzip][net]") {
    ApplicationSettings settings;
    settings.compress_response = true;
    AppServer s({url<TextHandler>("/t")}, settings);
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        auto fetch = [&](std::string path, bool accept, std::string method = "GET") {
            HTTPRequest r = raw_request(s.url(path), method);
            if (accept) r.headers.set("Accept-Encoding", "gzip, deflate");
            return client.fetch(r, false);
        };
        HTTPResponse big = co_await fetch("/t", true);
        CHECK(big.headers.get("Content-Encoding") == "gzip");
        CHECK(big.headers.get("Vary") == "Accept-Encoding");
        CHECK(std::stoul(big.headers.get("Content-Length")) == big.body.size());
        CHECK(big.body.size() < 200);
        CHECK(gunzip(big.body) == std::string(2000, 'x'));
        HTTPResponse head = co_await fetch("/t", true, "HEAD");
        CHECK(head.headers.get("Content-Encoding") == "gzip");
        CHECK(head.headers.get("Content-Length") == big.headers.get("Content-Length"));
        CHECK(head.body.empty());
        HTTPResponse plain = co_await fetch("/t", false);
        CHECK_FALSE(plain.headers.contains("Content-Encoding"));
        CHECK(plain.headers.get("Vary") == "Accept-Encoding");
        CHECK(plain.body == std::string(2000, 'x'));
        HTTPResponse small = co_await fetch("/t?size=1000", true);
        CHECK_FALSE(small.headers.contains("Content-Encoding"));
        CHECK(small.body.size() == 1000);
        HTTPResponse png = co_await fetch("/t?kind=png", true);
        CHECK_FALSE(png.headers.contains("Content-Encoding"));
        HTTPResponse html = co_await fetch("/t?kind=html", true);  // the default text/html
        CHECK(html.headers.get("Content-Encoding") == "gzip");
        HTTPResponse vary = co_await fetch("/t?kind=vary", true);
        CHECK(vary.headers.get("Vary") == "Cookie, Accept-Encoding");
        HTTPResponse stream = co_await fetch("/t?kind=stream", true);
        CHECK(stream.headers.get("Content-Encoding") == "gzip");
        CHECK(stream.headers.get("Transfer-Encoding") == "chunked");
        CHECK(gunzip(stream.body) == std::string(100, 'a') + std::string(100, 'b') + std::string(100, 'c'));
        // The client's own decompression agrees.
        HTTPRequest decoded(s.url("/t?kind=stream"));
        decoded.headers.set("Accept-Encoding", "gzip");
        HTTPResponse d = co_await client.fetch(decoded, false);
        CHECK(d.body.size() == 300);
    });
}

TEST_CASE_METHOD(AsyncTest, "Application: host patterns, default_host, default handler", "[web][app][net]") {
    Application app({url<NameHandler>("/", std::string("catch-all"))});
    app.add_handlers("www\\.example\\.com", {url<NameHandler>("/", std::string("www")),
                                             url<NameHandler>("/only-www", std::string("only"))});
    app.add_handlers("(.*)\\.example\\.org", {url<NameHandler>("/", std::string("org"))});
    auto& server = app.listen(0, "127.0.0.1");
    std::string base = "http://127.0.0.1:" + std::to_string(server.ports().front());
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        auto fetch = [&](std::string path, std::string host) {
            HTTPRequest r = raw_request(base + path);
            r.headers.set("Host", host);
            return client.fetch(r, false);
        };
        CHECK((co_await fetch("/", "www.example.com")).body == "www");
        CHECK((co_await fetch("/", "WWW.Example.Com:8080")).body == "www");
        CHECK((co_await fetch("/", "a.example.org")).body == "org");
        CHECK((co_await fetch("/", "other.net")).body == "catch-all");
        // Handlers of every matching group, in order: the catch-all comes last.
        CHECK((co_await fetch("/only-www", "www.example.com")).body == "only");
        CHECK((co_await fetch("/only-www", "other.net")).code == 404);
    });

    ApplicationSettings settings;
    settings.default_handler_class = handler<NameHandler>(std::string("default handler"));
    Application hosted({}, settings, "www.example.com");
    hosted.add_handlers("www\\.example\\.com", {url<NameHandler>("/", std::string("www"))});
    auto& hosted_server = hosted.listen(0, "127.0.0.1");
    std::string hosted_base = "http://127.0.0.1:" + std::to_string(hosted_server.ports().front());
    run_sync([&]() -> Future<void> {
        HTTPRequest r = raw_request(hosted_base + "/");
        r.headers.set("Host", "unknown.test");
        CHECK((co_await client.fetch(r, false)).body == "www");  // default_host's handlers
        r.headers.set("X-Real-Ip", "10.0.0.1");  // behind a proxy: no default_host fallback
        HTTPResponse redirected = co_await client.fetch(r, false);
        CHECK(redirected.code == 301);
        CHECK(redirected.headers.get("Location") == "http://www.example.com/");
        HTTPRequest missing = raw_request(hosted_base + "/missing");
        missing.headers.set("Host", "www.example.com");
        CHECK((co_await client.fetch(missing, false)).body == "default handler");
    });
}

TEST_CASE_METHOD(AsyncTest, "RedirectHandler, FallbackHandler and log_function", "[web][app][net]") {
    std::vector<std::string> logged;
    ApplicationSettings settings;
    settings.log_function = [&](RequestHandler& h) {
        logged.push_back(std::to_string(h.get_status()) + " " + h.request().path);
    };
    AppServer s({url<RedirectHandler>("/old/([a-z]+)/(?:[0-9]+)", std::string("/new/{0}"), true),
                 url<RedirectHandler>("/temp", std::string("/target?a=1"), false),
                 url<FallbackHandler>("/legacy.*",
                                      FallbackHandler::Fallback([](std::shared_ptr<HTTPServerRequest> r) {
                                          respond(*r, 200, {{"Content-Type", "text/plain"}}, "legacy " + r->path);
                                      }))},
                settings);
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse old = co_await client.fetch(raw_request(s.url("/old/abc/12?q=x")), false);
        CHECK(old.code == 301);
        CHECK(old.headers.get("Location") == "/new/abc?q=x");
        HTTPResponse temp = co_await client.fetch(raw_request(s.url("/temp?b=2")), false);
        CHECK(temp.code == 302);
        CHECK(temp.headers.get("Location") == "/target?a=1&b=2");
        HTTPResponse legacy = co_await client.fetch(raw_request(s.url("/legacy/page")), false);
        CHECK(legacy.code == 200);
        CHECK(legacy.body == "legacy /legacy/page");
        HTTPResponse again = co_await client.fetch(raw_request(s.url("/legacy/page")), false);
        CHECK(again.body == "legacy /legacy/page");  // the connection carried on after the fallback
    });
    CHECK(logged == std::vector<std::string>{"301 /old/abc/12", "302 /temp"});
}

namespace {

class UserHandler : public RequestHandler {
public:
    std::optional<std::string> get_current_user() override { return get_cookie("user"); }
    Future<void> get() override {
        authenticated();
        write("hello " + *current_user() + " from " + request().remote_ip + " over " + request().protocol);
        return {};
    }
    Future<void> post() override {
        authenticated();
        write("posted");
        return {};
    }
};

/// Waits for a Promise that only the client's leaving completes.
class HangingHandler : public RequestHandler {
public:
    void initialize(Promise<void>* started, Promise<void>* closed) {
        started_ = started;
        closed_ = closed;
    }
    Future<void> get() override {
        started_->set_result();
        Future<void> never = release_.get_future();
        co_await never;
    }
    void on_connection_close() override {
        closed_->set_result();
        // Let the suspended verb end so the handler is freed.
        release_.set_exception(std::make_exception_ptr(StreamClosedError()));
    }

private:
    Promise<void> release_;
    Promise<void>* started_ = nullptr;
    Promise<void>* closed_ = nullptr;
};

}  // namespace

TEST_CASE_METHOD(AsyncTest, "authenticated(), login_url and xheaders", "[web][app][net]") {
    ApplicationSettings settings;
    settings.login_url = "/login";
    HTTPServerOptions options;
    options.xheaders = true;
    AppServer s({url<UserHandler>("/me")}, settings, options);
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse anonymous = co_await client.fetch(raw_request(s.url("/me?x=1")), false);
        CHECK(anonymous.code == 302);
        CHECK(anonymous.headers.get("Location") == "/login?next=%2Fme%3Fx%3D1");
        HTTPRequest post = raw_request(s.url("/me"), "POST");
        post.body = "";
        CHECK((co_await client.fetch(post, false)).code == 403);
        HTTPRequest known = raw_request(s.url("/me"));
        known.headers.set("Cookie", "user=ann");
        known.headers.set("X-Real-Ip", "203.0.113.9");
        known.headers.set("X-Scheme", "https");
        HTTPResponse me = co_await client.fetch(known, false);
        CHECK(me.body == "hello ann from 203.0.113.9 over https");
    });
}

TEST_CASE_METHOD(AsyncTest, "on_connection_close: a client leaving while the handler waits",
                 "[web][app][net]") {
    Promise<void> started, closed;
    AppServer s({url<HangingHandler>("/hang", &started, &closed)});
    run_sync([&]() -> Future<void> {
        {
            TCPClient tcp;
            auto connecting = tcp.connect("127.0.0.1", s.port);
            auto stream = co_await std::move(connecting);
            co_await stream->write("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
            co_await started.get_future();
        }  // the client closes with the handler still waiting
        co_await closed.get_future();
    });
}

namespace {

/// send_file of a temporary file, with or without some buffered text before it, and no
/// Content-Length (chunked).
class SendFileHandler : public RequestHandler {
public:
    void initialize(int fd, bool lead) {
        fd_ = fd;
        lead_ = lead;
    }
    Future<void> get() override {
        set_header("Content-Type", "text/plain");
        if (lead_) write("start:");
        Future<void> sent = send_file(fd_, 10, 300000);
        co_await sent;
        write(":end");
    }
    Future<void> head() override { return get(); }

private:
    int fd_ = -1;
    bool lead_ = true;
};

}  // namespace

TEST_CASE_METHOD(AsyncTest, "send_file: chunked, gzipped, and HEAD", "[web][app][net]") {
    std::string content(300010, '\0');
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + i % 26);
    char path[] = "/tmp/squall-send-file-XXXXXX";
    int fd = ::mkstemp(path);
    ::unlink(path);
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ApplicationSettings settings;
    settings.compress_response = true;
    AppServer s({url<SendFileHandler>("/file", fd, true), url<SendFileHandler>("/bare", fd, false)}, settings);
    AsyncHTTPClient client({}, io_loop());
    const std::string expected = "start:" + content.substr(10) + ":end";
    run_sync([&]() -> Future<void> {
        HTTPResponse plain = co_await client.fetch(raw_request(s.url("/file")), false);
        CHECK(plain.headers.get("Transfer-Encoding") == "chunked");
        CHECK((plain.body == expected));
        // Headers queued with the file itself (nothing buffered before it).
        HTTPResponse bare = co_await client.fetch(raw_request(s.url("/bare")), false);
        CHECK(bare.headers.get("Transfer-Encoding") == "chunked");
        CHECK((bare.body == content.substr(10) + ":end"));
        HTTPRequest zipped = raw_request(s.url("/file"));
        zipped.headers.set("Accept-Encoding", "gzip");
        HTTPResponse z = co_await client.fetch(zipped, false);
        CHECK(z.headers.get("Content-Encoding") == "gzip");
        CHECK(z.body.size() < 50000);
        CHECK((gunzip(z.body) == expected));
        HTTPResponse head = co_await client.fetch(raw_request(s.url("/file"), "HEAD"), false);
        CHECK(head.code == 200);
        CHECK(head.body.empty());
    });
    ::close(fd);
}
