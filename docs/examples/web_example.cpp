// The example of docs/web.md: an Application with a form (XSRF-protected), a signed cookie and
// a streaming upload, exercised by an AsyncHTTPClient. Built and run by the tests.
#include <cstdio>
#include <regex>

#include <squall/httpclient.h>
#include <squall/web.h>

using namespace squall;

// GET shows a form; POST (XSRF-checked by the setting) greets and remembers the name in a
// signed cookie.
class GreetHandler : public RequestHandler {
public:
    Future<void> get() override {
        auto name = get_secure_cookie("name");
        write("<p>Hello, " + (name ? *name : std::string("stranger")) + "</p>");
        write("<form method='post'>" + xsrf_form_html() + "<input name='name'><button>Go</button></form>");
        return {};
    }
    Future<void> post() override {
        std::string name = get_argument("name");  // 400 when missing
        set_secure_cookie("name", name);
        redirect("/");
        return {};
    }
};

// The body arrives piece by piece; only a count is kept, so any size fits in memory.
class UploadHandler : public RequestHandler {
public:
    bool stream_request_body() const override { return true; }
    Future<void> prepare() override {
        request().connection->set_max_body_size(1ULL << 30);  // this route takes up to 1 GiB
        return {};
    }
    Future<void> data_received(std::string_view chunk) override {
        bytes_ += chunk.size();
        return {};  // or a Future: the connection reads no more until it is done
    }
    Future<void> put() override {
        write(nlohmann::json{{"received", bytes_}});
        return {};
    }

private:
    std::uint64_t bytes_ = 0;
};

int main() {
    IOLoop loop;
    loop.make_current();
    ApplicationSettings settings;
    settings.cookie_secret = "use a long random secret";
    settings.xsrf_cookies = true;
    Application app({url<GreetHandler>("/"), url<UploadHandler>("/upload")}, settings);
    auto& server = app.listen(0, "127.0.0.1");
    std::string base = "http://127.0.0.1:" + std::to_string(server.ports().front());

    AsyncHTTPClient client({}, loop);
    std::string result = loop.run_sync([&]() -> Future<std::string> {
        HTTPResponse page = co_await client.fetch(base + "/");
        std::smatch token;
        std::regex_search(page.body, token, std::regex("name=\"_xsrf\" value=\"([^\"]+)\""));
        std::string xsrf_cookie = page.headers.get("Set-Cookie");
        xsrf_cookie = xsrf_cookie.substr(0, xsrf_cookie.find(';'));

        HTTPRequest post(base + "/");
        post.method = "POST";
        post.body = "name=squall&_xsrf=" + url_escape(token[1].str());
        post.headers.set("Cookie", xsrf_cookie);
        post.follow_redirects = false;
        HTTPResponse posted = co_await client.fetch(post, false);
        std::string name_cookie = posted.headers.get("Set-Cookie");
        name_cookie = name_cookie.substr(0, name_cookie.find(';'));

        HTTPRequest again(base + "/");
        again.headers.set("Cookie", name_cookie);
        HTTPResponse greeted = co_await client.fetch(again);

        HTTPRequest upload(base + "/upload");
        upload.method = "PUT";
        upload.body = std::string(300000, 'u');
        upload.headers.set("Cookie", xsrf_cookie);  // PUT is XSRF-checked too: the token goes in a header
        upload.headers.set("X-XSRFToken", token[1].str());
        HTTPResponse uploaded = co_await client.fetch(upload);
        co_return greeted.body.substr(0, greeted.body.find("</p>") + 4) + "\n" + uploaded.body + "\n";
    }, std::chrono::seconds(5));
    std::printf("%s", result.c_str());
    return result == "<p>Hello, squall</p>\n{\"received\":300000}\n" ? 0 : 1;
}
