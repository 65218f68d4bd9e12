// OAuth2Mixin: the authorization code flow (RFC 6749 4.1) over AsyncHTTPClient, with the state
// parameter checked against a cookie (RFC 6749 10.12) and Bearer API calls (RFC 6750). Part of
// squall-web. Models tornado/auth.py OAuth2Mixin and its Google and Facebook subclasses.
#include "squall/auth.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <exception>

#include "crypto.h"
#include "squall/httpclient.h"
#include "squall/httputil.h"
#include "squall/detail/ascii.h"

namespace squall {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr std::int64_t kStateCookieSeconds = 600;  // the user has ten minutes to sign in
constexpr std::uint64_t kMaxProviderAnswer = 1 << 20;
// nlohmann parses iteratively but copies and dumps recursively: a token or profile nested
// deeper than any provider's would be a stack overflow waiting for the application's copy.
constexpr int kMaxAnswerNesting = 64;

[[noreturn]] void fail(int status, const OAuth2Provider& provider, const std::string& why) {
    throw AuthError(status, (provider.name.empty() ? "OAuth2" : provider.name + " OAuth2") + ": " + why);
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

std::string form_encode(const Params& params) {
    std::string out;
    for (const auto& [name, value] : params) out += (out.empty() ? "" : "&") + url_escape(name) + "=" + url_escape(value);
    return out;
}

std::string content_type(const HTTPResponse& r) { return detail::ascii_lowercase(r.headers.get("Content-Type")); }

/// Why a fetch got no answer at all (599): the client's message.
std::string failure_text(const HTTPResponse& r) {
    try {
        r.rethrow();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no response";
}

/// True when arrays and objects in `json` nest deeper than `limit` (brackets in strings aside).
bool nests_deeper_than(std::string_view json, int limit) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

/// The provider's answer as JSON: JSON bodies as they are, form-encoded ones (GitHub's default,
/// older Facebook) as an object of strings; nullopt for anything else.
std::optional<nlohmann::json> answer_of(const HTTPResponse& r) {
    const std::string type = content_type(r);
    if (type.find("json") != std::string::npos || (!r.body.empty() && (r.body.front() == '{' || r.body.front() == '['))) {
        if (nests_deeper_than(r.body, kMaxAnswerNesting)) return std::nullopt;
        nlohmann::json parsed = nlohmann::json::parse(r.body, nullptr, false);
        if (parsed.is_discarded()) return std::nullopt;
        return parsed;
    }
    if (type.find("application/x-www-form-urlencoded") == std::string::npos) return std::nullopt;
    nlohmann::json out = nlohmann::json::object();
    try {
        for (auto& [name, values] : parse_qs(r.body, 100)) out[name] = values.back();
    } catch (const HTTPInputError&) {
        return std::nullopt;  // more fields than any token answer has
    }
    return out;
}

/// "invalid_grant: Bad code" from an OAuth2 error answer (RFC 6749 5.2), or the HTTP status.
std::string provider_error(const HTTPResponse& r, const std::optional<nlohmann::json>& answer) {
    if (answer && answer->is_object() && answer->contains("error")) {
        const auto& e = (*answer)["error"];
        std::string text = e.is_string() ? e.get<std::string>() : e.dump();
        if (auto d = answer->find("error_description"); d != answer->end() && d->is_string())
            text += ": " + d->get<std::string>();
        return text;
    }
    return "HTTP " + std::to_string(r.code) + (r.reason.empty() ? "" : " " + r.reason);
}

std::string string_field(const nlohmann::json& j, const char* name) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

OAuth2Token token_of(nlohmann::json answer) {
    OAuth2Token t;
    t.access_token = string_field(answer, "access_token");
    t.token_type = string_field(answer, "token_type");
    t.refresh_token = string_field(answer, "refresh_token");
    t.scope = string_field(answer, "scope");
    if (auto e = answer.find("expires_in"); e != answer.end()) {
        if (e->is_number_unsigned()) t.expires_in = static_cast<std::int64_t>(std::min<std::uint64_t>(e->get<std::uint64_t>(), INT64_MAX));
        else if (e->is_number_integer()) t.expires_in = e->get<std::int64_t>();
        else if (e->is_string()) t.expires_in = std::strtoll(e->get<std::string>().c_str(), nullptr, 10);
    }
    t.raw = std::move(answer);
    return t;
}

}  // namespace

OAuth2Provider OAuth2Provider::google() {
    return {"Google", "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
            "https://www.googleapis.com/oauth2/v1/userinfo", {"openid", "email", "profile"}};
}

OAuth2Provider OAuth2Provider::github() {
    return {"GitHub", "https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token",
            "https://api.github.com/user", {"read:user", "user:email"}};
}

OAuth2Provider OAuth2Provider::facebook() {
    return {"Facebook", "https://www.facebook.com/dialog/oauth", "https://graph.facebook.com/oauth/access_token",
            "https://graph.facebook.com/me?fields=id,name,first_name,last_name,locale,picture,link",
            {"email", "public_profile"}};
}

OAuth2Mixin::OAuth2Mixin(OAuth2Provider provider) : provider_(std::move(provider)) {}

OAuth2Mixin::~OAuth2Mixin() = default;

AsyncHTTPClient& OAuth2Mixin::get_auth_http_client() {
    if (!client_) {
        AsyncHTTPClientOptions options;
        options.max_body_size = kMaxProviderAnswer;
        client_ = std::make_unique<AsyncHTTPClient>(std::move(options));
    }
    return *client_;
}

void OAuth2Mixin::authorize_redirect(const OAuth2AuthorizeOptions& options) {
    std::string state = detail::hex_encode(detail::random_bytes(16));
    CookieOptions cookie;
    cookie.httponly = true;
    cookie.samesite = "Lax";  // sent on the provider's top-level redirect back, not on cross-site posts
    cookie.secure = request().protocol == "https";
    cookie.max_age = kStateCookieSeconds;
    set_cookie(state_cookie, state, cookie);
    Params params{{"response_type", "code"},
                  {"client_id", credentials_.client_id},
                  {"redirect_uri", options.redirect_uri},
                  {"scope", join(options.scope.value_or(provider_.default_scope))},
                  {"state", state}};
    params.insert(params.end(), options.extra_params.begin(), options.extra_params.end());
    redirect(url_concat(provider_.authorize_url, params));
}

Future<OAuth2Token> OAuth2Mixin::get_access_token(std::string redirect_uri) {
    if (auto error = get_optional_query_argument("error")) {
        std::string why = *error;
        if (auto d = get_optional_query_argument("error_description")) why += ": " + *d;
        fail(403, provider_, "the provider refused the sign-in (" + why + ")");
    }
    auto state = get_optional_query_argument("state");
    auto expected = get_cookie(state_cookie);
    clear_cookie(state_cookie);
    if (!state || !expected || expected->empty() || !detail::constant_time_equals(*state, *expected))
        fail(403, provider_, "the state does not match the one this browser was sent with (a forged or stale return)");
    auto code = get_optional_query_argument("code");
    if (!code || code->empty()) fail(403, provider_, "the provider sent no code");

    HTTPRequest exchange(provider_.access_token_url);
    exchange.method = "POST";
    exchange.headers.set("Content-Type", "application/x-www-form-urlencoded");
    exchange.headers.set("Accept", "application/json");
    exchange.follow_redirects = false;  // a redirect would carry the code and the secret elsewhere
    exchange.body = form_encode({{"grant_type", "authorization_code"},
                                 {"code", *code},
                                 {"redirect_uri", redirect_uri},
                                 {"client_id", credentials_.client_id},
                                 {"client_secret", credentials_.client_secret}});
    HTTPResponse r = co_await get_auth_http_client().fetch(std::move(exchange), false);
    if (r.code == 599) fail(502, provider_, "the token endpoint failed: " + failure_text(r));
    std::optional<nlohmann::json> answer = answer_of(r);
    if (r.code != 200 || (answer && answer->is_object() && answer->contains("error")))
        fail(502, provider_, "the token endpoint refused the code (" + provider_error(r, answer) + ")");
    if (!answer || !answer->is_object()) fail(502, provider_, "the token endpoint's answer is not a token");
    OAuth2Token token = token_of(std::move(*answer));
    if (token.access_token.empty()) fail(502, provider_, "the token endpoint's answer has no access_token");
    co_return token;
}

Future<OAuth2User> OAuth2Mixin::get_authenticated_user(std::string redirect_uri) {
    OAuth2User user;
    user.token = co_await get_access_token(std::move(redirect_uri));
    user.profile = co_await oauth2_request(provider_.userinfo_url, user.token.access_token);
    co_return user;
}

Future<nlohmann::json> OAuth2Mixin::oauth2_request(std::string url, std::string access_token,
                                                   std::optional<Params> post_args) {
    HTTPRequest call(std::move(url));
    call.headers.set("Authorization", "Bearer " + access_token);
    call.headers.set("Accept", "application/json");
    call.user_agent = "squall";  // GitHub's API refuses requests without a User-Agent
    call.follow_redirects = false;  // nor may the token follow a redirect to another host
    if (post_args) {
        call.method = "POST";
        call.headers.set("Content-Type", "application/x-www-form-urlencoded");
        call.body = form_encode(*post_args);
    }
    HTTPResponse r = co_await get_auth_http_client().fetch(std::move(call), false);
    if (r.code == 599) fail(502, provider_, "the API call failed: " + failure_text(r));
    std::optional<nlohmann::json> answer = answer_of(r);
    if (r.code < 200 || r.code >= 300) fail(502, provider_, "the API refused the call (" + provider_error(r, answer) + ")");
    if (!answer) fail(502, provider_, "the API's answer is not JSON");
    co_return std::move(*answer);
}

}  // namespace squall
