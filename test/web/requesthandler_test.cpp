// RequestHandler over loopback with AsyncHTTPClient: lifecycle, output, errors, arguments,
// cookies and signed cookies. Ports tornado/test/web_test.py (4.0): RequestHandlerTest,
// CookieTest, SecureCookieV1/V2Test, ErrorResponseTest, ExceptionHandlerTest, FinishExceptionTest,
// GetArgumentTest, Header* tests, RedirectTest, ClearAllCookiesTest, Etag tests, PathArgsTest.
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/web.h"
#include "web_support.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AppServer;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;
using squall::testing::raw_request;

namespace {

struct Events {
    int prepared = 0, finished = 0, closed = 0;
};

class LifecycleHandler : public RequestHandler {
public:
    void initialize(Events* events) { events_ = events; }
    Future<void> prepare() override {
        ++events_->prepared;
        if (get_optional_argument("stop")) finish("stopped in prepare");
        return {};
    }
    Future<void> get() override {
        // A coroutine verb: the response finishes when it completes.
        co_await squall::sleep(1ms);
        write("after sleep ");
        write(path_args().empty() ? std::string("-") : path_args()[0].value_or("none"));
    }
    void on_finish() override { ++events_->finished; }

private:
    Events* events_ = nullptr;
};

class OutputHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::string what = get_argument("what");
        if (what == "status") {
            set_status(682, "Foo");
        } else if (what == "unknown_status") {
            try {
                set_status(682);
            } catch (const std::invalid_argument&) {
                write("refused");
            }
        } else if (what == "headers") {
            set_header("X-Int", std::int64_t{42});
            add_header("X-Multi", "a");
            add_header("X-Multi", "b");
            set_header("X-Gone", "x");
            clear_header("X-Gone");
            clear_header("X-Never-Set");
            try {
                set_header("X-Bad", "a\r\nSet-Cookie: evil=1");
            } catch (const std::invalid_argument&) {
                write("unsafe refused");
            }
        } else if (what == "json") {
            write(nlohmann::json{{"script", "</script>"}, {"n", 1}});
        } else if (what == "json_array") {
            write(nlohmann::json::array({1, 2}));
        } else if (what == "twice") {
            finish("once");
            last_note.clear();
            try {
                finish();
            } catch (const std::logic_error&) {
                last_note = "second finish refused";
            }
            try {
                write("more");
            } catch (const std::logic_error&) {
                last_note += ", write refused";
            }
        } else if (what == "empty304") {
            set_status(304);
        } else if (what == "flushes") {
            write("a");
            co_await flush();
            write("b");
            co_await flush();
            write("c");
        }
    }
    Future<void> head() override { return get(); }
    static inline std::string last_note;
};

/// Writes `len` bytes (a fixed pattern, or `text`) in `pieces` writes: the ETag hashes them all.
class EtagBodyHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::string body = get_argument("text", "");
        if (body.empty()) {
            std::size_t len = std::stoul(get_argument("len"));
            for (std::size_t i = 0; i < len; ++i) body += static_cast<char>((i * 31 + 7) & 0xff);
        }
        std::size_t pieces = std::stoul(get_argument("pieces", "1"));
        std::size_t step = body.size() / pieces + 1;
        for (std::size_t at = 0; at < body.size(); at += step) write(std::string_view(body).substr(at, step));
        return {};
    }
};

/// An ETag override that tries to smuggle a header in.
class InjectingEtagHandler : public RequestHandler {
public:
    Future<void> get() override {
        if (get_argument("what") == "length") set_header("Content-Length", "four");
        write("body");
        return {};
    }
    std::optional<std::string> compute_etag() override {
        if (get_argument("what") == "length") return std::nullopt;
        return "\"x\"\r\nX-Injected: 1";
    }
};

class ErrorsHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::string kind = get_argument("kind");
        if (kind == "http") throw HTTPError(403, "logged detail");
        if (kind == "reason") throw HTTPError(418, "", "Short and stout");
        if (kind == "bad_code") throw HTTPError(299);
        if (kind == "exception") throw std::runtime_error("boom");
        if (kind == "finish") throw Finish("finished early");
        if (kind == "missing") get_argument("nonexistent");
        if (kind == "after_flush") {
            write("partial");
            co_await flush();
            throw std::runtime_error("late");
        }
        if (kind == "redirect_bad") redirect("/x", false, 200);
        co_return;
    }
};

class CustomErrorHandler : public RequestHandler {
public:
    Future<void> get() override { throw HTTPError(503); }
    void write_error(int status, std::exception_ptr) override {
        set_header("Content-Type", "text/plain");
        finish("custom " + std::to_string(status));
    }
};

class RedirectingHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::string kind = get_argument("kind");
        if (kind == "relative") redirect("other?x=1");
        else if (kind == "permanent") redirect("/abs", true);
        else redirect("/see", false, 303);
        return {};
    }
};

class ArgumentsHandler : public RequestHandler {
public:
    Future<void> get() override { return post(); }
    Future<void> post() override {
        nlohmann::json out;
        out["a"] = get_argument("a", "default");
        out["a_raw"] = get_argument("a", "default", false);
        out["all"] = get_arguments("a");
        out["query"] = get_query_arguments("a");
        out["body"] = get_body_arguments("a");
        out["has_b"] = get_optional_argument("b").has_value();
        if (get_optional_argument("require")) get_argument("required");
        for (const auto& [name, list] : files())
            for (const auto& f : list) out["files"][name] = f.filename + ":" + f.content_type + ":" + f.body;
        write(out);
        return {};
    }
};

class PathHandler : public RequestHandler {
public:
    Future<void> get() override {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& a : path_args()) out["args"].push_back(a ? nlohmann::json(*a) : nlohmann::json(nullptr));
        for (const auto& [k, v] : path_kwargs()) out["kwargs"][k] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
        out["reversed"] = reverse_url("named", {"x y", "2"});
        write(out);
        return {};
    }
};

class CookieHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::string kind = get_argument("kind");
        if (kind == "set") {
            set_cookie("str", "asdf");
            set_cookie("unicode", "qwer");
            set_cookie("equals", "a=b");
            set_cookie("semicolon", "a;b");
            set_cookie("quote", "a\"b");
            CookieOptions first;
            first.domain = "a.example";
            set_cookie("replaced", "first", first);
            set_cookie("replaced", "second");
            CookieOptions o;
            o.domain = "example.com";
            o.max_age = 10;
            o.httponly = true;
            o.secure = true;
            o.samesite = "Lax";
            o.path = "/foo";
            set_cookie("attrs", "v", o);
            try {
                set_cookie("bad name", "v");
            } catch (const std::invalid_argument&) {
                write("space refused");
            }
        } else if (kind == "get") {
            write(get_cookie("foo").value_or("default"));
        } else if (kind == "clear") {
            clear_cookie("foo");
        } else if (kind == "clear_all") {
            clear_all_cookies();
        } else if (kind == "expires") {
            CookieOptions ten_days;
            ten_days.expires_days = 10;
            set_cookie("e", "v", ten_days);
        }
        return {};
    }
};

class SecureCookieHandler : public RequestHandler {
public:
    Future<void> get() override {
        if (auto set = get_optional_query_argument("set")) {
            set_secure_cookie("user", *set, 30, {}, std::stoi(get_argument("version", "2")));
            return {};
        }
        auto value = get_secure_cookie("user");
        write(value ? "user=" + *value : std::string("none"));
        return {};
    }
};

std::string set_cookie_for(const HTTPResponse& r, std::string_view name) {
    for (const auto& v : r.headers.get_list("Set-Cookie"))
        if (v.rfind(std::string(name) + "=", 0) == 0) return v;
    return {};
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "RequestHandler: lifecycle with prepare, a coroutine verb and on_finish",
                 "[web][handler][net]") {
    Events events;
    AppServer s({url<LifecycleHandler>("/life(?:/(.*))?", &events)});
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse r = co_await client.fetch(raw_request(s.url("/life/x%20y")), false);
        CHECK(r.code == 200);
        CHECK(r.body == "after sleep x y");
        CHECK(r.headers.get("Content-Type") == "text/html; charset=UTF-8");
        CHECK(r.headers.get("Server") == "squall/0.1");
        CHECK(r.headers.contains("Date"));
        HTTPResponse none = co_await client.fetch(raw_request(s.url("/life")), false);
        CHECK(none.body == "after sleep none");
        HTTPResponse stopped = co_await client.fetch(raw_request(s.url("/life?stop=1")), false);
        CHECK(stopped.body == "stopped in prepare");
        HTTPResponse post = co_await client.fetch(raw_request(s.url("/life"), "POST"), false);
        CHECK(post.code == 405);
        HTTPResponse weird = co_await client.fetch(raw_request(s.url("/life"), "PROPFIND"), false);
        CHECK(weird.code == 405);
        HTTPResponse missing = co_await client.fetch(raw_request(s.url("/nowhere")), false);
        CHECK(missing.code == 404);
        CHECK(missing.body == "<html><title>404: Not Found</title><body>404: Not Found</body></html>");
    });
    CHECK(events.prepared == 4);  // PROPFIND is refused before prepare()
    CHECK(events.finished == 5);
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: status, headers, JSON and finish rules", "[web][handler][net]") {
    AppServer s({url<OutputHandler>("/out")});
    AsyncHTTPClient client({}, io_loop());
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        HTTPResponse status = co_await client.fetch(raw_request(s.url("/out?what=status")), false);
        CHECK(status.code == 682);
        CHECK(status.reason == "Foo");
        HTTPResponse unknown = co_await client.fetch(raw_request(s.url("/out?what=unknown_status")), false);
        CHECK(unknown.code == 200);
        CHECK(unknown.body == "refused");
        HTTPResponse headers = co_await client.fetch(raw_request(s.url("/out?what=headers")), false);
        CHECK(headers.headers.get("X-Int") == "42");
        CHECK(headers.headers.get_list("X-Multi") == std::vector<std::string>{"a", "b"});
        CHECK_FALSE(headers.headers.contains("X-Gone"));
        CHECK_FALSE(headers.headers.contains("X-Bad"));
        CHECK(headers.body == "unsafe refused");
        HTTPResponse json = co_await client.fetch(raw_request(s.url("/out?what=json")), false);
        CHECK(json.headers.get("Content-Type") == "application/json; charset=UTF-8");
        CHECK(json.body.find("<\\/script>") != std::string::npos);
        CHECK(nlohmann::json::parse(json.body)["script"] == "</script>");
        HTTPResponse array = co_await client.fetch(raw_request(s.url("/out?what=json_array")), false);
        CHECK(array.code == 500);
        HTTPResponse twice = co_await client.fetch(raw_request(s.url("/out?what=twice")), false);
        CHECK(twice.body == "once");
        CHECK(OutputHandler::last_note == "second finish refused, write refused");
        HTTPResponse flushes = co_await client.fetch(raw_request(s.url("/out?what=flushes")), false);
        CHECK(flushes.body == "abc");
        CHECK(flushes.headers.get("Transfer-Encoding") == "chunked");
        HTTPResponse head = co_await client.fetch(raw_request(s.url("/out?what=json"), "HEAD"), false);
        CHECK(head.code == 200);
        CHECK(head.body.empty());
        CHECK(head.headers.get("Content-Length") == json.headers.get("Content-Length"));
        HTTPResponse n304 = co_await client.fetch(raw_request(s.url("/out?what=empty304")), false);
        CHECK(n304.code == 304);
        CHECK_FALSE(n304.headers.contains("Content-Type"));
        CHECK_FALSE(n304.headers.contains("Content-Length"));
    });
    CHECK(logs.count("Uncaught exception GET /out\\?what=json_array", "tornado.application") == 1);
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: ETag and If-None-Match give 304", "[web][handler][net]") {
    AppServer s({url<OutputHandler>("/out")});
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse first = co_await client.fetch(raw_request(s.url("/out?what=json")), false);
        std::string etag = first.headers.get("Etag");
        REQUIRE(etag.size() == 42);  // a quoted SHA-1
        for (std::string inm : std::vector<std::string>{etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
            HTTPRequest again = raw_request(s.url("/out?what=json"));
            again.headers.set("If-None-Match", inm);
            HTTPResponse r = co_await client.fetch(again, false);
            CHECK(r.code == 304);
            CHECK(r.body.empty());
            CHECK_FALSE(r.headers.contains("Content-Type"));
            CHECK(r.headers.get("Etag") == etag);
        }
        HTTPRequest other = raw_request(s.url("/out?what=json"));
        other.headers.set("If-None-Match", "\"not-it\"");
        HTTPResponse r = co_await client.fetch(other, false);
        CHECK(r.code == 200);
    });
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: the ETag is the body's SHA-1 at every padding boundary", "[web][handler][net]") {
    // Tornado's ETag is '"' + sha1(body).hexdigest() + '"'. Checked against OpenSSL's SHA-1 for
    // lengths around SHA-1's 64-byte blocks and 56-byte padding limit, whole and in pieces,
    // and against FIPS 180's example digests.
    AppServer s({url<EtagBodyHandler>("/etag")});
    AsyncHTTPClient client({}, io_loop());
    auto openssl_sha1 = [](std::string_view data) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        REQUIRE(EVP_Digest(data.data(), data.size(), md, &n, EVP_sha1(), nullptr) == 1);
        std::string hex;
        for (unsigned int i = 0; i < n; ++i) {
            hex += "0123456789abcdef"[md[i] >> 4];
            hex += "0123456789abcdef"[md[i] & 15];
        }
        return "\"" + hex + "\"";
    };
    run_sync([&]() -> Future<void> {
        for (std::size_t len : {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 70000}) {
            for (std::size_t pieces : {1, 3, 70}) {
                if (pieces > 1 && len < 2) continue;
                auto target = s.url("/etag?len=" + std::to_string(len) + "&pieces=" + std::to_string(pieces));
                HTTPResponse r = co_await client.fetch(raw_request(target), false);
                REQUIRE(r.code == 200);
                REQUIRE(r.body.size() == len);
                CHECK(r.headers.get("Etag") == openssl_sha1(r.body));
            }
        }
        HTTPResponse abc = co_await client.fetch(raw_request(s.url("/etag?text=abc")), false);
        CHECK(abc.headers.get("Etag") == "\"a9993e364706816aba3e25717850c26c9cd0d89d\"");
        auto two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        HTTPResponse fips = co_await client.fetch(raw_request(s.url(std::string("/etag?pieces=5&text=") + two_blocks)), false);
        CHECK(fips.headers.get("Etag") == "\"84983e441c3bd26ebaae4aa1f95129e5e54670f1\"");
    });
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: headers the connection refuses become a 500, not a hang", "[web][handler][net]") {
    AppServer s({url<InjectingEtagHandler>("/inject")});
    AsyncHTTPClient client({}, io_loop());
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        // Refused when the headers are written: nothing has been sent, so the error page is.
        HTTPResponse r = co_await client.fetch(raw_request(s.url("/inject?what=etag")), false);
        CHECK(r.code == 500);
        CHECK_FALSE(r.headers.contains("X-Injected"));
        HTTPResponse length = co_await client.fetch(raw_request(s.url("/inject?what=length")), false);
        CHECK(length.code == 500);
        CHECK(length.body.find("500") != std::string::npos);
    });
    CHECK(logs.count("Newline or control character in header: Etag", "tornado.application") == 1);
    CHECK(logs.count("Invalid Content-Length: four", "tornado.application") == 1);
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: errors become pages with the right status", "[web][handler][net]") {
    AppServer s({url<ErrorsHandler>("/err"), url<CustomErrorHandler>("/custom")});
    AsyncHTTPClient client({}, io_loop());
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        HTTPResponse http = co_await client.fetch(raw_request(s.url("/err?kind=http")), false);
        CHECK(http.code == 403);
        CHECK(http.body == "<html><title>403: Forbidden</title><body>403: Forbidden</body></html>");
        CHECK(http.body.find("logged detail") == std::string::npos);  // the log message stays in the log
        HTTPResponse reason = co_await client.fetch(raw_request(s.url("/err?kind=reason")), false);
        CHECK(reason.code == 418);
        CHECK(reason.reason == "Short and stout");
        CHECK(reason.body.find("418: Short and stout") != std::string::npos);
        HTTPResponse bad = co_await client.fetch(raw_request(s.url("/err?kind=bad_code")), false);
        CHECK(bad.code == 500);
        HTTPResponse ex = co_await client.fetch(raw_request(s.url("/err?kind=exception")), false);
        CHECK(ex.code == 500);
        CHECK(ex.body.find("boom") == std::string::npos);
        HTTPResponse fin = co_await client.fetch(raw_request(s.url("/err?kind=finish")), false);
        CHECK(fin.code == 200);
        CHECK(fin.body == "finished early");
        HTTPResponse missing = co_await client.fetch(raw_request(s.url("/err?kind=missing")), false);
        CHECK(missing.code == 400);
        HTTPResponse late = co_await client.fetch(raw_request(s.url("/err?kind=after_flush")), false);
        CHECK(late.code == 200);
        CHECK(late.body == "partial");  // the error came after the headers: the response just ends
        HTTPResponse redirect_bad = co_await client.fetch(raw_request(s.url("/err?kind=redirect_bad")), false);
        CHECK(redirect_bad.code == 500);
        HTTPResponse custom = co_await client.fetch(raw_request(s.url("/custom")), false);
        CHECK(custom.code == 503);
        CHECK(custom.body == "custom 503");
    });
    CHECK(logs.count("403 GET /err\\?kind=http \\(127.0.0.1\\): logged detail", "tornado.general") == 1);
    CHECK(logs.count("Bad HTTP status code: 299") == 1);
    CHECK(logs.count("Uncaught exception GET /err\\?kind=exception \\(127.0.0.1\\): boom") == 1);
    CHECK(logs.count("Cannot send error response after headers written") == 1);
    CHECK(logs.count("^200 GET /err\\?kind=finish \\(127.0.0.1\\) [0-9.]+ms$", "tornado.access") == 1);
    CHECK(logs.count("^500 GET /err\\?kind=exception", "tornado.access") == 1);
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: serve_traceback shows the exception", "[web][handler][net]") {
    ApplicationSettings settings;
    settings.serve_traceback = true;
    AppServer s({url<ErrorsHandler>("/err")}, settings);
    AsyncHTTPClient client({}, io_loop());
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        HTTPResponse ex = co_await client.fetch(raw_request(s.url("/err?kind=exception")), false);
        CHECK(ex.code == 500);
        CHECK(ex.body == "boom");
        CHECK(ex.headers.get("Content-Type") == "text/plain");
    });
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: redirects", "[web][handler][net]") {
    AppServer s({url<RedirectingHandler>("/dir/redirect")});
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse rel = co_await client.fetch(raw_request(s.url("/dir/redirect?kind=relative")), false);
        CHECK(rel.code == 302);
        CHECK(rel.headers.get("Location") == "/dir/other?x=1");
        HTTPResponse perm = co_await client.fetch(raw_request(s.url("/dir/redirect?kind=permanent")), false);
        CHECK(perm.code == 301);
        CHECK(perm.headers.get("Location") == "/abs");
        HTTPResponse see = co_await client.fetch(raw_request(s.url("/dir/redirect?kind=other")), false);
        CHECK(see.code == 303);
        CHECK(see.headers.get("Location") == "/see");
    });
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: arguments from query and body, files", "[web][handler][net]") {
    AppServer s({url<ArgumentsHandler>("/args")});
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse q = co_await client.fetch(raw_request(s.url("/args?a=%20one%20&a=two%01x")), false);
        auto j = nlohmann::json::parse(q.body);
        CHECK(j["a"] == "two x");  // the last value, control character replaced
        CHECK(j["a_raw"] == "two x");
        CHECK(j["all"] == nlohmann::json::array({"one", "two x"}));
        CHECK(j["has_b"] == false);
        HTTPResponse dflt = co_await client.fetch(raw_request(s.url("/args")), false);
        CHECK(nlohmann::json::parse(dflt.body)["a"] == "default");
        HTTPRequest post = raw_request(s.url("/args?a=query"), "POST");
        post.body = "a=body&b=";
        HTTPResponse p = co_await client.fetch(post, false);
        auto pj = nlohmann::json::parse(p.body);
        CHECK(pj["a"] == "body");  // body values come after query values
        CHECK(pj["query"] == nlohmann::json::array({"query"}));
        CHECK(pj["body"] == nlohmann::json::array({"body"}));
        CHECK(pj["has_b"] == true);
        HTTPResponse invalid = co_await client.fetch(raw_request(s.url("/args?a=%FF")), false);
        CHECK(invalid.code == 400);
        HTTPResponse required = co_await client.fetch(raw_request(s.url("/args?require=1")), false);
        CHECK(required.code == 400);
        HTTPRequest multipart = raw_request(s.url("/args"), "POST");
        multipart.headers.set("Content-Type", "multipart/form-data; boundary=XyZ");
        multipart.body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nfield\r\n"
            "--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\n"
            "file body\r\n--XyZ--\r\n";
        HTTPResponse m = co_await client.fetch(multipart, false);
        auto mj = nlohmann::json::parse(m.body);
        CHECK(mj["a"] == "field");
        CHECK(mj["files"]["up"] == "f.txt:text/plain:file body");
        HTTPRequest broken = raw_request(s.url("/args"), "POST");
        broken.headers.set("Content-Type", "multipart/form-data; boundary=XyZ");
        broken.body = "--XyZ\r\nno disposition\r\n\r\nx\r\n--XyZ--\r\n";
        HTTPResponse b = co_await client.fetch(broken, false);
        CHECK(b.code == 400);
    });
}

TEST_CASE_METHOD(AsyncTest, "Application: path arguments, reverse_url and invalid UTF-8 in the path",
                 "[web][handler][net]") {
    AppServer s({url<PathHandler>("/pos/([^/]*)/(.*)"), url<PathHandler>("/named/(?P<a>[^/]*)/(?P<b>[0-9]*)"),
                 URLSpec("/r/([^/]+)/([0-9]+)", handler<PathHandler>(), "named")});
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse pos = co_await client.fetch(raw_request(s.url("/pos/a%2Fb/c+d")), false);
        auto j = nlohmann::json::parse(pos.body);
        CHECK(j["args"] == nlohmann::json::array({"a/b", "c+d"}));
        CHECK(j["reversed"] == "/r/x%20y/2");
        HTTPResponse named = co_await client.fetch(raw_request(s.url("/named/x/12")), false);
        auto n = nlohmann::json::parse(named.body);
        CHECK(n["kwargs"]["a"] == "x");
        CHECK(n["kwargs"]["b"] == "12");
        CHECK_FALSE(n.contains("args"));
        HTTPResponse bad = co_await client.fetch(raw_request(s.url("/pos/%FF/x")), false);
        CHECK(bad.code == 400);
    });
    CHECK(s.app->reverse_url("named", {"a", "1"}) == "/r/a/1");
    CHECK_THROWS_AS(s.app->reverse_url("nope"), std::invalid_argument);
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: cookies in and out", "[web][cookies][net]") {
    AppServer s({url<CookieHandler>("/cookie")});
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse set = co_await client.fetch(raw_request(s.url("/cookie?kind=set")), false);
        CHECK(set.body == "space refused");
        CHECK(set_cookie_for(set, "str") == "str=asdf; Path=/");
        CHECK(set_cookie_for(set, "equals") == "equals=\"a=b\"; Path=/");
        CHECK(set_cookie_for(set, "semicolon") == "semicolon=\"a\\073b\"; Path=/");
        CHECK(set_cookie_for(set, "quote") == "quote=\"a\\\"b\"; Path=/");
        CHECK(set_cookie_for(set, "replaced") == "replaced=second; Path=/");
        CHECK(set_cookie_for(set, "attrs") == "attrs=v; Domain=example.com; HttpOnly; Max-Age=10; Path=/foo; SameSite=Lax; Secure");
        CHECK(set.headers.get_list("Set-Cookie").size() == 7);

        HTTPRequest get = raw_request(s.url("/cookie?kind=get"));
        get.headers.set("Cookie", "foo=\"quoted \\\"value\\\"\"; bar=1");
        HTTPResponse got = co_await client.fetch(get, false);
        CHECK(got.body == "quoted \"value\"");
        HTTPResponse none = co_await client.fetch(raw_request(s.url("/cookie?kind=get")), false);
        CHECK(none.body == "default");

        HTTPResponse cleared = co_await client.fetch(raw_request(s.url("/cookie?kind=clear")), false);
        std::string c = set_cookie_for(cleared, "foo");
        CHECK(c.rfind("foo=; expires=", 0) == 0);
        auto expires = parse_http_date(c.substr(14, c.find(';', 14) - 14));
        REQUIRE(expires);
        CHECK(*expires < std::time(nullptr) - 86400 * 300);

        HTTPRequest all = raw_request(s.url("/cookie?kind=clear_all"));
        all.headers.set("Cookie", "a=1; b=2");
        HTTPResponse cleared_all = co_await client.fetch(all, false);
        CHECK(set_cookie_for(cleared_all, "a").rfind("a=; expires=", 0) == 0);
        CHECK(set_cookie_for(cleared_all, "b").rfind("b=; expires=", 0) == 0);

        HTTPResponse exp = co_await client.fetch(raw_request(s.url("/cookie?kind=expires")), false);
        std::string e = set_cookie_for(exp, "e");
        auto when = parse_http_date(e.substr(13, e.find(';', 13) - 13));
        REQUIRE(when);
        CHECK(std::abs(*when - (std::time(nullptr) + 10 * 86400)) < 60);
    });
}

TEST_CASE_METHOD(AsyncTest, "RequestHandler: signed cookies, tampered and expired", "[web][cookies][net]") {
    ApplicationSettings settings;
    settings.cookie_secret = "0123456789abcdef";
    AppServer s({url<SecureCookieHandler>("/secure")}, settings);
    AppServer no_secret({url<SecureCookieHandler>("/secure")});
    AsyncHTTPClient client({}, io_loop());
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        for (std::string version : std::vector<std::string>{"1", "2"}) {
            HTTPResponse set = co_await client.fetch(raw_request(s.url("/secure?set=bob&version=" + version)), false);
            std::string cookie = set_cookie_for(set, "user");
            REQUIRE_FALSE(cookie.empty());
            std::string value = cookie.substr(5, cookie.find(';') - 5);
            if (value.front() == '"') value = value.substr(1, value.size() - 2);
            CHECK(signed_value_version(value) == std::stoi(version));
            HTTPRequest get = raw_request(s.url("/secure"));
            get.headers.set("Cookie", "user=" + value);
            HTTPResponse got = co_await client.fetch(get, false);
            CHECK(got.body == "user=bob");
            std::string tampered = value;
            tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'a' ? 'b' : 'a';
            get.headers.set("Cookie", "user=" + tampered);
            HTTPResponse bad = co_await client.fetch(get, false);
            CHECK(bad.body == "none");
        }
        // Signed 40 days ago: past the default 31-day limit.
        std::string old = create_signed_value("0123456789abcdef", "user", "bob", 2, std::time(nullptr) - 40 * 86400);
        HTTPRequest expired = raw_request(s.url("/secure"));
        expired.headers.set("Cookie", "user=" + old);
        HTTPResponse r = co_await client.fetch(expired, false);
        CHECK(r.body == "none");
        // Another cookie's signed value is not accepted under this name.
        std::string other = create_signed_value("0123456789abcdef", "admin", "bob");
        expired.headers.set("Cookie", "user=" + other);
        HTTPResponse r2 = co_await client.fetch(expired, false);
        CHECK(r2.body == "none");
        HTTPResponse unset = co_await client.fetch(raw_request(no_secret.url("/secure")), false);
        CHECK(unset.code == 500);  // cookie_secret is required
    });
    CHECK(logs.count("Invalid cookie signature") == 1);  // the tampered v1 cookie
}
