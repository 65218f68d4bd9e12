// OAuth2Mixin against a fake provider the test serves on loopback: the authorization code flow
// (redirect, state cookie, token exchange, profile), token answers in JSON and form encoding,
// Bearer API calls, and every failure: forged or missing state, the provider's refusal, bad
// codes, error answers, garbage, an unreachable endpoint. Ports the OAuth2 parts of
// tornado/test/auth_test.py, with the state check Tornado leaves to applications.
#include <nlohmann/json.hpp>

#include "async_test.h"
#include "catch.h"
#include "squall/auth.h"
#include "squall/testing.h"
#include "squall/web.h"
#include "web_support.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AppServer;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;
using squall::testing::raw_request;

namespace {

/// What the fake provider answers and what it was sent.
struct Provider {
    // json, form, refuse, error_in_200, garbage, no_token, huge, deep, deep_error, redirect
    std::string token_mode = "json";
    std::string user_mode = "ok";     // ok, refuse, garbage
    std::vector<ArgumentMap> token_posts;
    std::vector<std::string> token_accepts, user_authorizations, user_agents, posted_messages;
};

class TokenEndpoint : public RequestHandler {
public:
    void initialize(Provider* p) { p_ = p; }
    Future<void> post() override {
        p_->token_posts.push_back(request().body_arguments);
        p_->token_accepts.push_back(request().headers.get("Accept"));
        const std::string& mode = p_->token_mode;
        if (mode == "refuse" || get_body_argument("code") != "good-code") {
            set_status(400);
            write(nlohmann::json{{"error", "invalid_grant"}, {"error_description", "Bad code"}});
        } else if (get_body_argument("client_secret") != "s3cret") {
            set_status(401);
            write(nlohmann::json{{"error", "invalid_client"}});
        } else if (mode == "json") {
            write(nlohmann::json{{"access_token", "tok-1"}, {"token_type", "bearer"}, {"expires_in", 3599},
                                 {"scope", "read:user"}, {"refresh_token", "r-1"}});
        } else if (mode == "form") {  // GitHub's answer without Accept: application/json
            set_header("Content-Type", "application/x-www-form-urlencoded");
            write("access_token=tok-1&token_type=bearer&scope=read%3Auser&expires_in=60");
        } else if (mode == "error_in_200") {  // GitHub reports a bad code with 200
            write(nlohmann::json{{"error", "bad_verification_code"}, {"error_description", "The code is incorrect"}});
        } else if (mode == "huge") {  // past the 1 MiB the client reads from a provider
            write("{\"access_token\": \"" + std::string(2 << 20, 't') + "\"}");
        } else if (mode == "deep") {  // a token with a member nested as deep as 1 MiB allows
            write("{\"access_token\": \"x\", \"a\": " + std::string(400000, '[') + std::string(400000, ']') + "}");
        } else if (mode == "deep_error") {
            set_status(400);
            write("{\"error\": " + std::string(400000, '[') + std::string(400000, ']') + "}");
        } else if (mode == "redirect") {  // the code and the secret must not follow it
            redirect("/user", false, 307);
        } else if (mode == "garbage") {
            set_header("Content-Type", "text/html");
            write("<html>maintenance</html>");
        } else {
            write(nlohmann::json{{"token_type", "bearer"}});
        }
        return {};
    }

private:
    Provider* p_ = nullptr;
};

class UserEndpoint : public RequestHandler {
public:
    void initialize(Provider* p) { p_ = p; }
    Future<void> get() override {
        p_->user_authorizations.push_back(request().headers.get("Authorization"));
        p_->user_agents.push_back(request().headers.get("User-Agent"));
        if (p_->user_mode == "refuse" || request().headers.get("Authorization") != "Bearer tok-1") {
            set_status(401);
            write(nlohmann::json{{"error", "invalid_token"}});
        } else if (p_->user_mode == "garbage") {
            set_header("Content-Type", "text/plain");
            write("not json");
        } else {
            write(nlohmann::json{{"login", "octocat"}, {"id", 583231}, {"name", "The Octocat"}});
        }
        return {};
    }
    Future<void> post() override {
        p_->posted_messages.push_back(get_optional_body_argument("message").value_or("<none>"));  // every POST counts
        write(nlohmann::json{{"posted", p_->posted_messages.back()}});
        return {};
    }

private:
    Provider* p_ = nullptr;
};

/// The application's sign-in page, on the GitHub preset pointed at the fake provider.
class LoginHandler : public GitHubOAuth2Mixin {
public:
    void initialize(std::string provider_base) {
        oauth2_provider().authorize_url = provider_base + "/authorize";
        oauth2_provider().access_token_url = provider_base + "/token";
        oauth2_provider().userinfo_url = provider_base + "/user";
        provider_base_ = std::move(provider_base);
    }
    Future<void> get() override {
        set_oauth2_credentials({"client-1", get_argument("secret", "s3cret")});
        std::string redirect_uri = request().protocol + "://" + request().host + "/login";
        if (!get_optional_query_argument("code") && !get_optional_query_argument("error") &&
            !get_optional_query_argument("state")) {
            OAuth2AuthorizeOptions options;
            options.redirect_uri = redirect_uri;
            options.extra_params = {{"allow_signup", "false"}};
            authorize_redirect(options);
            co_return;
        }
        OAuth2User user = co_await get_authenticated_user(redirect_uri);
        nlohmann::json out{{"login", user.profile["login"]},
                           {"token", user.token.access_token},
                           {"expires_in", user.token.expires_in.value_or(-1)},
                           {"scope", user.token.scope}};
        if (get_optional_query_argument("post")) {
            std::vector<std::pair<std::string, std::string>> args{{"message", "hi there & more"}};
            out["api"] = co_await oauth2_request(provider_base_ + "/user", user.token.access_token, std::move(args));
        }
        write(out);
    }

private:
    std::string provider_base_;
};

std::string cookie_value(const HTTPResponse& r, const std::string& name) {
    for (const auto& v : r.headers.get_list("Set-Cookie"))
        if (v.rfind(name + "=", 0) == 0) return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    return "<none>";
}

struct SignInFixture : AsyncTest {
    Provider provider;
    AppServer provider_server{{url<TokenEndpoint>("/token", &provider), url<UserEndpoint>("/user", &provider)}};
    std::unique_ptr<AppServer> app;
    AsyncHTTPClient client{{}, io_loop()};

    void serve_app(std::string provider_base) {
        app = std::make_unique<AppServer>(std::vector<URLSpec>{url<LoginHandler>("/login", std::move(provider_base))});
    }
    SignInFixture() { serve_app(provider_server.url("")); }

    /// The return from the provider: GET /login?<query> with the state cookie (if any).
    HTTPResponse come_back(const std::string& query, const std::string& state_cookie) {
        HTTPRequest r = raw_request(app->url("/login?" + query));
        if (!state_cookie.empty()) r.headers.set("Cookie", std::string(OAuth2Mixin::state_cookie) + "=" + state_cookie);
        return run_sync([&] { return client.fetch(r, false); }, 10s);
    }
    /// GET /login: the redirect to the provider; returns the state it carries.
    std::string start() {
        HTTPResponse r = run_sync([&] { return client.fetch(raw_request(app->url("/login")), false); }, 10s);
        REQUIRE(r.code == 302);
        std::string location = r.headers.get("Location");
        auto query = parse_qs(location.substr(location.find('?') + 1));
        REQUIRE(query.count("state"));
        CHECK(cookie_value(r, OAuth2Mixin::state_cookie) == query["state"].front());
        return query["state"].front();
    }
};

}  // namespace

TEST_CASE_METHOD(SignInFixture, "OAuth2: the authorization code flow from redirect to profile", "[web][auth][net]") {
    HTTPResponse redirect = run_sync([&] { return client.fetch(raw_request(app->url("/login")), false); }, 10s);
    REQUIRE(redirect.code == 302);
    std::string location = redirect.headers.get("Location");
    REQUIRE(location.rfind(provider_server.url("/authorize?"), 0) == 0);
    auto query = parse_qs(location.substr(location.find('?') + 1));
    CHECK(query["response_type"] == std::vector<std::string>{"code"});
    CHECK(query["client_id"] == std::vector<std::string>{"client-1"});
    CHECK(query["redirect_uri"] == std::vector<std::string>{app->url("/login")});
    CHECK(query["scope"] == std::vector<std::string>{"read:user user:email"});
    CHECK(query["allow_signup"] == std::vector<std::string>{"false"});
    REQUIRE(query["state"].size() == 1);
    const std::string state = query["state"].front();
    CHECK(state.size() == 32);  // 128 random bits
    std::string set_cookie;
    for (const auto& v : redirect.headers.get_list("Set-Cookie"))
        if (v.rfind(OAuth2Mixin::state_cookie, 0) == 0) set_cookie = v;
    CHECK(set_cookie.find("=" + state + ";") != std::string::npos);
    CHECK(set_cookie.find("HttpOnly") != std::string::npos);
    CHECK(set_cookie.find("SameSite=Lax") != std::string::npos);
    CHECK(set_cookie.find("Max-Age=600") != std::string::npos);
    CHECK(set_cookie.find("Secure") == std::string::npos);  // plain HTTP here
    CHECK(start() != state);  // every redirect gets a fresh state

    HTTPResponse signed_in = come_back("code=good-code&state=" + state, state);
    REQUIRE(signed_in.code == 200);
    auto out = nlohmann::json::parse(signed_in.body);
    CHECK(out["login"] == "octocat");
    CHECK(out["token"] == "tok-1");
    CHECK(out["expires_in"] == 3599);
    CHECK(out["scope"] == "read:user");
    CHECK(cookie_value(signed_in, OAuth2Mixin::state_cookie).empty());  // used once, then cleared
    REQUIRE(provider.token_posts.size() == 1);
    const ArgumentMap& posted = provider.token_posts.front();
    CHECK(posted.at("grant_type") == std::vector<std::string>{"authorization_code"});
    CHECK(posted.at("code") == std::vector<std::string>{"good-code"});
    CHECK(posted.at("redirect_uri") == std::vector<std::string>{app->url("/login")});
    CHECK(posted.at("client_id") == std::vector<std::string>{"client-1"});
    CHECK(posted.at("client_secret") == std::vector<std::string>{"s3cret"});
    CHECK(provider.token_accepts.front() == "application/json");
    CHECK(provider.user_authorizations == std::vector<std::string>{"Bearer tok-1"});
    CHECK(provider.user_agents == std::vector<std::string>{"squall"});
}

TEST_CASE_METHOD(SignInFixture, "OAuth2: form-encoded token answers and Bearer API calls with a POST",
                 "[web][auth][net]") {
    provider.token_mode = "form";
    std::string state = start();
    HTTPResponse r = come_back("code=good-code&post=1&state=" + state, state);
    REQUIRE(r.code == 200);
    auto out = nlohmann::json::parse(r.body);
    CHECK(out["token"] == "tok-1");
    CHECK(out["expires_in"] == 60);
    CHECK(out["api"] == nlohmann::json{{"posted", "hi there & more"}});
    CHECK(provider.posted_messages == std::vector<std::string>{"hi there & more"});
}

TEST_CASE_METHOD(SignInFixture, "OAuth2: a return this browser did not start is refused before any token call",
                 "[web][auth][net]") {
    LogCapture logs(LogLevel::warning);
    std::string state = start();
    CHECK(come_back("code=good-code&state=" + state, "").code == 403);                 // no cookie
    std::string other = state;
    other[0] = other[0] == '0' ? '1' : '0';  // another browser's state: one digit differs
    CHECK(come_back("code=good-code&state=" + state, other).code == 403);
    CHECK(come_back("code=good-code", state).code == 403);                              // no state
    CHECK(come_back("code=good-code&state=", "").code == 403);                           // both empty
    CHECK(come_back("state=" + state, state).code == 403);                              // no code
    CHECK(come_back("error=access_denied&error_description=The+user+said+no&state=" + state, state).code == 403);
    CHECK(provider.token_posts.empty());
    CHECK(logs.count("state does not match") == 4);
    CHECK(logs.count("the provider sent no code") == 1);
    CHECK(logs.count("refused the sign-in \\(access_denied: The user said no\\)") == 1);
}

TEST_CASE_METHOD(SignInFixture, "OAuth2: token and profile failures are 502 with the provider's reason",
                 "[web][auth][net]") {
    LogCapture logs(LogLevel::warning);
    auto attempt = [&](const std::string& code) {
        std::string state = start();
        return come_back("code=" + code + "&state=" + state, state).code;
    };
    CHECK(attempt("bad-code") == 502);
    CHECK(logs.count("refused the code \\(invalid_grant: Bad code\\)") == 1);
    provider.token_mode = "error_in_200";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("refused the code \\(bad_verification_code: The code is incorrect\\)") == 1);
    provider.token_mode = "garbage";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("answer is not a token") == 1);
    provider.token_mode = "no_token";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("has no access_token") == 1);
    provider.token_mode = "huge";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("the token endpoint failed: .*max_body_size") == 1);
    provider.token_mode = "deep";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("answer is not a token") == 2);
    provider.token_mode = "deep_error";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("refused the code \\(HTTP 400") == 1);
    provider.token_mode = "redirect";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("refused the code \\(HTTP 307") == 1);
    CHECK(provider.posted_messages.empty());  // nothing reached /user by the redirect
    provider.token_mode = "json";
    provider.user_mode = "refuse";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("the API refused the call \\(invalid_token\\)") == 1);
    provider.user_mode = "garbage";
    CHECK(attempt("good-code") == 502);
    CHECK(logs.count("the API's answer is not JSON") == 1);
    CHECK(logs.count("GitHub OAuth2: ") == 10);
}

TEST_CASE_METHOD(SignInFixture, "OAuth2: a wrong client secret and an unreachable provider", "[web][auth][net]") {
    LogCapture logs(LogLevel::warning);
    std::string state = start();
    HTTPRequest r = raw_request(app->url("/login?secret=wrong&code=good-code&state=" + state));
    r.headers.set("Cookie", std::string(OAuth2Mixin::state_cookie) + "=" + state);
    CHECK(run_sync([&] { return client.fetch(r, false); }, 10s).code == 502);
    CHECK(logs.count("refused the code \\(invalid_client\\)") == 1);

    // A port nothing listens on: bound, never listening, so connecting is refused.
    squall::testing::BoundSocket idle = squall::testing::bind_unused_port();
    const int port = idle.port;
    serve_app("http://127.0.0.1:" + std::to_string(port));
    state = start();
    CHECK(come_back("code=good-code&state=" + state, state).code == 502);
    CHECK(logs.count("the token endpoint failed") == 1);
}

TEST_CASE("OAuth2: the presets point at their providers over HTTPS", "[web][auth]") {
    for (const OAuth2Provider& p : {OAuth2Provider::google(), OAuth2Provider::github(), OAuth2Provider::facebook()}) {
        INFO(p.name);
        for (const std::string& u : {p.authorize_url, p.access_token_url, p.userinfo_url})
            CHECK(u.rfind("https://", 0) == 0);
        CHECK_FALSE(p.default_scope.empty());
    }
    CHECK(OAuth2Provider::google().authorize_url == "https://accounts.google.com/o/oauth2/v2/auth");
    CHECK(OAuth2Provider::github().access_token_url == "https://github.com/login/oauth/access_token");
    CHECK(OAuth2Provider::facebook().userinfo_url.rfind("https://graph.facebook.com/me?fields=", 0) == 0);
}
