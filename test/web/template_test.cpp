// render() and render_string() over loopback: mustache values, escaping of peer input, raw
// output, sections, partials and their limits, errors as 500s, the compiled template cache
// and debug, xsrf_form_html and static_url in templates. Ports tornado/test/web_test.py (4.0)
// and template_test.py where mustache has the same feature (escaping, includes, the cache).
#include <nlohmann/json.hpp>

#include "async_test.h"
#include "catch.h"
#include "squall/httputil.h"
#include "squall/testing.h"
#include "squall/web.h"
#include "web_support.h"

using namespace squall;
using squall::testing::AppServer;
using squall::testing::AsyncTest;
using squall::testing::ExpectLog;
using squall::testing::LogCapture;
using squall::testing::raw_request;
using squall::testing::TempDir;

namespace {

/// Renders ?page= with the JSON object in ?values= (peer input, as values often are), or with
/// no values at all when there is none.
class PageHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::string page = get_argument("page");
        auto values = get_optional_argument("values", false);
        if (!values) return render(page);
        return render(page, nlohmann::json::parse(*values));
    }
    std::optional<std::string> get_current_user() override { return get_optional_argument("user"); }
};

/// Two render_string() results in one response.
class PiecesHandler : public RequestHandler {
public:
    Future<void> get() override {
        write(render_string("plain.html"));
        write(render_string("hello.html", nlohmann::json{{"name", "pieces"}}));
        return {};
    }
};

/// The test's templates; `site` makes them.
struct Templates {
    TempDir dir{"squall-template-test"};
    Templates() {
        dir.write("templates/plain.html", "<p>no tags</p>\n");
        dir.write("templates/hello.html", "Hello, {{name}}!");
        dir.write("templates/raw.html", "{{{html}}}|{{html}}|{{&html}}");
        dir.write("templates/list.html", "{{#items}}<li>{{name}}={{n}}</li>{{/items}}{{^items}}none{{/items}}");
        dir.write("templates/kinds.html", "{{n}} {{f}} {{#yes}}yes{{/yes}}{{^no}}no{{/no}}{{^nothing}}null{{/nothing}}"
                                          " {{nested.inner.word}}");
        dir.write("templates/layout.html", "{{> parts/header.html}}<main>{{body}}</main>");
        dir.write("templates/parts/header.html", "<h1>{{title}}</h1>");
        dir.write("templates/tree.html", "{{#children}}[{{name}}{{> tree.html}}]{{/children}}");
        dir.write("templates/forever.html", "x{{> forever.html}}");
        dir.write("templates/climb.html", "{{> ../secret.txt}}");
        dir.write("templates/absolute.html", "{{> /etc/hostname}}");
        dir.write("templates/value_partial.html", "{{> side}}");
        dir.write("templates/delims.html", "{{=<% %>=}}<% name %>");
        dir.write("templates/uses_delims.html", "{{> delims.html}}");
        dir.write("templates/broken.html", "{{#open}}never closed");
        dir.write("templates/form.html", "<form>{{{xsrf_form_html}}}</form>");
        dir.write("templates/static.html",
                  "<link href=\"{{#static_url}} site.css {{/static_url}}\">"
                  "<img src=\"{{#static_url}}{{{file}}}{{/static_url}}\">");
        dir.write("templates/links.html", "<a href=\"{{#reverse_url}}item {{id}} {{{part}}}{{/reverse_url}}\">");
        dir.write("templates/sub/page.html", "from the subdirectory");
        dir.write("templates/request.html", "{{request.method}} {{request.path}} {{request.uri}} "
                                            "{{#current_user}}user={{current_user}}{{/current_user}}");
        dir.write("secret.txt", "secret");
        dir.write("static/site.css", "body {}");
        dir.write("static/a&b.css", "p {}");
    }
    ApplicationSettings settings() const {
        ApplicationSettings s;
        s.template_path = dir.path("templates");
        s.static_path = dir.path("static");
        return s;
    }
};

/// ?page= and ?values=; the values are JSON text, so that no braced list crosses a co_await.
std::string page_url(const AppServer& s, const std::string& page, const std::string& values) {
    return s.url("/page?page=" + url_escape(page) + "&values=" + url_escape(values));
}

/// A subclass choosing its own directory (Tornado's get_template_path).
class OwnPathHandler : public RequestHandler {
public:
    std::string get_template_path() const override { return settings().template_path + "/sub"; }
    Future<void> get() override { return render("page.html"); }
};

std::vector<URLSpec> routes() {
    std::vector<URLSpec> r;
    r.push_back(url<PageHandler>("/page"));
    r.push_back(url<PiecesHandler>("/pieces"));
    r.push_back(url<OwnPathHandler>("/own"));
    r.push_back(url<PageHandler>("/item/([^/]+)/([^/]+)").with_name("item"));
    return r;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "render: values, escaping, raw output and sections", "[web][template][net]") {
    Templates t;
    AppServer s(routes(), t.settings());
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        // A template without tags is itself, with or without values.
        HTTPResponse plain = co_await client.fetch(s.url("/page?page=plain.html"));
        CHECK(plain.body == "<p>no tags</p>\n");
        CHECK(plain.headers.get("Content-Type") == "text/html; charset=UTF-8");
        HTTPResponse hello = co_await client.fetch(page_url(s, "hello.html", R"({"name": "world"})"));
        CHECK(hello.body == "Hello, world!");
        // Peer input in a value: every HTML-special character is escaped, and tags in it stay
        // text (a value is never template source).
        std::string evil = R"({"name": "<script>alert('x')</script> & \"q\" {{name}}"})";
        HTTPResponse escaped = co_await client.fetch(page_url(s, "hello.html", evil));
        CHECK(escaped.body == "Hello, &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot; {{name}}!");
        HTTPResponse raw = co_await client.fetch(page_url(s, "raw.html", R"({"html": "<b>&</b>"})"));
        CHECK(raw.body == "<b>&</b>|&lt;b&gt;&amp;&lt;/b&gt;|<b>&</b>");
        std::string items = R"({"items": [{"name": "a", "n": 1}, {"name": "<b>", "n": 2.5}]})";
        HTTPResponse list = co_await client.fetch(page_url(s, "list.html", items));
        CHECK(list.body == "<li>a=1</li><li>&lt;b&gt;=2.5</li>");
        HTTPResponse empty = co_await client.fetch(page_url(s, "list.html", R"({"items": []})"));
        CHECK(empty.body == "none");
        std::string kinds = R"({"n": 42, "f": -0.5, "yes": true, "no": false, "nothing": null,
                                "nested": {"inner": {"word": "deep"}}})";
        HTTPResponse typed = co_await client.fetch(page_url(s, "kinds.html", kinds));
        CHECK(typed.body == "42 -0.5 yesnonull deep");
        HTTPResponse pieces = co_await client.fetch(s.url("/pieces"));
        CHECK(pieces.body == "<p>no tags</p>\nHello, pieces!");
    });
}

TEST_CASE_METHOD(AsyncTest, "render: partials from template_path, and the names they may not use",
                 "[web][template][net]") {
    Templates t;
    AppServer s(routes(), t.settings());
    AsyncHTTPClient client({}, io_loop());
    LogCapture logs;
    // Names out of template_path, a value offered as a partial, a partial changing delimiters.
    std::vector<std::string> refused_pages = {"climb.html",         "absolute.html",   "../secret.txt",
                                              "/etc/hostname",      "value_partial.html", "uses_delims.html"};
    std::vector<std::string> spellings = {"./hello.html", ".//hello.html", "x/../hello.html"};
    std::vector<std::string> not_files = {".", "./", "sub/"};
    run_sync([&]() -> Future<void> {
        HTTPResponse layout = co_await client.fetch(page_url(s, "layout.html", R"({"title": "T<", "body": "B"})"));
        CHECK(layout.body == "<h1>T&lt;</h1><main>B</main>");
        // A partial including itself ends where the data does (a tree: the leaves need their
        // empty lists, or mustache finds the parent's)...
        std::string tree = R"({"children": [{"name": "a", "children": [{"name": "b", "children": []}]},
                                            {"name": "c", "children": []}]})";
        HTTPResponse nested = co_await client.fetch(page_url(s, "tree.html", tree));
        CHECK(nested.body == "[a[b]][c]");
        // ...and is stopped when it never would.
        HTTPResponse forever = co_await client.fetch(raw_request(page_url(s, "forever.html", "{}")), false);
        CHECK(forever.code == 500);
        CHECK(forever.body.find("forever") == std::string::npos);  // details go to the log only
        for (const std::string& page : refused_pages) {
            HTTPResponse refused = co_await client.fetch(raw_request(page_url(s, page, R"({"side": "<b>x</b>"})")), false);
            INFO(page);  // after the co_await, so that no Catch2 message scope spans a suspension
            CHECK(refused.code == 500);
            CHECK(refused.body.find("secret") == std::string::npos);
        }
        // Spellings of one file name it alike (one cache entry); a directory names none.
        for (const std::string& name : spellings) {
            HTTPResponse same = co_await client.fetch(raw_request(page_url(s, name, R"({"name": "w"})")), false);
            INFO(name);
            CHECK(same.code == (name.find("..") == std::string::npos ? 200 : 500));
        }
        for (const std::string& name : not_files) {
            HTTPResponse none = co_await client.fetch(raw_request(page_url(s, name, "{}")), false);
            INFO(name);
            CHECK(none.code == 500);
        }
        // A template may change its own delimiters.
        HTTPResponse delims = co_await client.fetch(page_url(s, "delims.html", R"({"name": "n"})"));
        CHECK(delims.body == "n");
    });
    CHECK(logs.count("template forever.html: partials nested deeper than 64", "tornado.application") == 1);
    CHECK(logs.count("template \\.\\./secret\\.txt: the name must be a relative path inside template_path") == 2);
    CHECK(logs.count("template /etc/hostname: the name must be a relative path inside template_path") == 2);
    CHECK(logs.count("template side: cannot read .*/templates/side: No such file or directory") == 1);
    CHECK(logs.count("template delims.html: set-delimiter tags are not supported in partials") == 1);
}

TEST_CASE_METHOD(AsyncTest, "render: a missing template, a syntax error and bad values are 500s, logged",
                 "[web][template][net]") {
    Templates t;
    AppServer s(routes(), t.settings());
    AsyncHTTPClient client({}, io_loop());
    ExpectLog missing("tornado.application", "Uncaught exception GET /page\\?page=nope\\.html.*template nope\\.html: "
                                             "cannot read .*/templates/nope\\.html: No such file or directory");
    ExpectLog broken("tornado.application", "Uncaught exception GET /page\\?page=broken\\.html.*"
                                            "template broken\\.html: Unclosed section \"open\"");
    ExpectLog not_object("tornado.application", "render: the values must be a JSON object");
    run_sync([&]() -> Future<void> {
        HTTPResponse gone = co_await client.fetch(raw_request(s.url("/page?page=nope.html")), false);
        CHECK(gone.code == 500);
        HTTPResponse syntax = co_await client.fetch(raw_request(s.url("/page?page=broken.html")), false);
        CHECK(syntax.code == 500);
        CHECK(syntax.body.find("Unclosed") == std::string::npos);
        HTTPResponse array = co_await client.fetch(raw_request(page_url(s, "hello.html", "[1]")), false);
        CHECK(array.code == 500);
    });
}

TEST_CASE_METHOD(AsyncTest, "render: compiled templates are cached unless debug or compiled_template_cache=false",
                 "[web][template][net]") {
    Templates t;
    auto edit_between_fetches = [&](ApplicationSettings settings) {
        AppServer s(routes(), settings);
        AsyncHTTPClient client({}, io_loop());
        std::string first, second;
        t.dir.write("templates/edited.html", "first {{v}}");
        run_sync([&]() -> Future<void> {
            first = (co_await client.fetch(page_url(s, "edited.html", R"({"v": 1})"))).body;
            t.dir.write("templates/edited.html", "second {{v}}");
            second = (co_await client.fetch(page_url(s, "edited.html", R"({"v": 2})"))).body;
        });
        CHECK(first == "first 1");
        return second;
    };
    ApplicationSettings cached = t.settings();
    CHECK(edit_between_fetches(cached) == "first 2");
    ApplicationSettings debug = t.settings();
    debug.debug = true;
    debug.autoreload = false;  // a rebuilt test binary must not restart the test run
    CHECK(edit_between_fetches(debug) == "second 2");
    ApplicationSettings uncached = t.settings();
    uncached.compiled_template_cache = false;
    CHECK(edit_between_fetches(uncached) == "second 2");
}

TEST_CASE_METHOD(AsyncTest, "render: xsrf_form_html, static_url, reverse_url, request and current_user in templates",
                 "[web][template][net]") {
    Templates t;
    ApplicationSettings settings = t.settings();
    settings.xsrf_cookies = true;
    AppServer s(routes(), settings);
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse form = co_await client.fetch(s.url("/page?page=form.html"));
        std::string cookie = form.headers.get("Set-Cookie");
        CHECK(cookie.starts_with("_xsrf="));
        CHECK(form.body.starts_with("<form><input type=\"hidden\" name=\"_xsrf\" value=\"2|"));
        CHECK(form.body.ends_with("\"/></form>"));
        // A page without the form sets no XSRF cookie.
        HTTPResponse hello = co_await client.fetch(page_url(s, "hello.html", R"({"name": "x"})"));
        CHECK(!hello.headers.contains("Set-Cookie"));
        HTTPResponse statics = co_await client.fetch(page_url(s, "static.html", R"({"file": "a&b.css"})"));
        CHECK(statics.body.starts_with("<link href=\"/static/site.css?v="));
        CHECK(statics.body.find("<img src=\"/static/a&amp;b.css?v=") != std::string::npos);
        HTTPResponse request = co_await client.fetch(s.url("/page?page=request.html&user=%3Cme%3E"));
        CHECK(request.body == "GET /page /page?page=request.html&amp;user=%3Cme%3E user=&lt;me&gt;");
        HTTPResponse links = co_await client.fetch(page_url(s, "links.html", R"({"id": "7", "part": "a&b"})"));
        CHECK(links.body == "<a href=\"/item/7/a%26b\">");
        HTTPResponse own = co_await client.fetch(s.url("/own"));
        CHECK(own.body == "from the subdirectory");
        // A value named like a built-in wins, as Tornado's keyword arguments do.
        HTTPResponse shadowed = co_await client.fetch(page_url(s, "request.html", R"({"current_user": "value"})"));
        CHECK(shadowed.body.ends_with(" user=value"));
    });
}
