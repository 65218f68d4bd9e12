// The example of docs/web.md's "Signing in with OAuth2": a GitHub sign-in page, run here against
// a small stand-in for GitHub served by the same program, and a browser's round trip through it
// played by AsyncHTTPClient. Built and run by the tests.
#include <cstdio>

#include <squall/auth.h>
#include <squall/httpclient.h>
#include <squall/web.h>

using namespace squall;

// The sign-in page: without a code it sends the browser to the provider; the provider sends it
// back here with ?code=...&state=..., and get_authenticated_user finishes the sign-in.
class GitHubLoginHandler : public GitHubOAuth2Mixin {
public:
    void initialize(OAuth2Credentials credentials, std::string provider) {
        set_oauth2_credentials(std::move(credentials));
        if (!provider.empty()) {  // only for this example: the stand-in instead of github.com
            oauth2_provider().authorize_url = provider + "/login/oauth/authorize";
            oauth2_provider().access_token_url = provider + "/login/oauth/access_token";
            oauth2_provider().userinfo_url = provider + "/user";
        }
    }
    Future<void> get() override {
        std::string redirect_uri = request().protocol + "://" + request().host + "/login";
        if (!get_optional_argument("code") && !get_optional_argument("error")) {
            OAuth2AuthorizeOptions options;
            options.redirect_uri = redirect_uri;  // as registered with the provider
            authorize_redirect(options);
            co_return;
        }
        OAuth2User user = co_await get_authenticated_user(redirect_uri);  // AuthError: 403 or 502
        set_secure_cookie("user", user.profile["login"].get<std::string>());
        redirect("/");
    }
};

// The stand-in for GitHub: a token for the one code it hands out, a profile for that token.
class FakeTokenHandler : public RequestHandler {
public:
    Future<void> post() override {
        if (get_argument("code") != "the-code" || get_argument("client_secret") != "s3cret") throw HTTPError(400);
        write(nlohmann::json{{"access_token", "gho_token"}, {"token_type", "bearer"}, {"scope", "read:user"}});
        return {};
    }
};
class FakeUserHandler : public RequestHandler {
public:
    Future<void> get() override {
        if (request().headers.get("Authorization") != "Bearer gho_token") throw HTTPError(401);
        write(nlohmann::json{{"login", "octocat"}, {"name", "The Octocat"}});
        return {};
    }
};

int main() {
    IOLoop loop;
    loop.make_current();
    Application provider({url<FakeTokenHandler>("/login/oauth/access_token"), url<FakeUserHandler>("/user")});
    std::string provider_url = "http://127.0.0.1:" + std::to_string(provider.listen(0, "127.0.0.1").ports().front());

    ApplicationSettings settings;
    settings.cookie_secret = "use a long random secret";
    Application app({url<GitHubLoginHandler>("/login", OAuth2Credentials{"client-id", "s3cret"}, provider_url)}, settings);
    std::string app_url = "http://127.0.0.1:" + std::to_string(app.listen(0, "127.0.0.1").ports().front());

    AsyncHTTPClient browser({}, loop);
    std::string result = loop.run_sync([&]() -> Future<std::string> {
        HTTPRequest start(app_url + "/login");
        start.follow_redirects = false;
        HTTPResponse to_provider = co_await browser.fetch(start, false);
        std::string location = to_provider.headers.get("Location");
        auto query = parse_qs(location.substr(location.find('?') + 1));
        std::string state_cookie = to_provider.headers.get("Set-Cookie");
        // The user signs in at the provider, which sends the browser back with a code.
        HTTPRequest back(query["redirect_uri"][0] + "?code=the-code&state=" + url_escape(query["state"][0]));
        back.follow_redirects = false;
        back.headers.set("Cookie", state_cookie.substr(0, state_cookie.find(';')));
        HTTPResponse signed_in = co_await browser.fetch(back, false);
        std::string cookies;
        for (const auto& c : signed_in.headers.get_list("Set-Cookie")) cookies += " " + c.substr(0, c.find('='));
        co_return std::to_string(signed_in.code) + " " + signed_in.headers.get("Location") + cookies;
    }, std::chrono::seconds(10));
    std::printf("%s\n", result.c_str());
    return result == "302 / _oauth2_state user" ? 0 : 1;  // the state cookie cleared, the user's set
}
