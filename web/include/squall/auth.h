// Signing in with OAuth 2.0 (RFC 6749's authorization code flow) from a RequestHandler: send the
// user to the provider, check that the request coming back is the one this browser started
// (the state parameter), exchange the code for an access token and fetch the user's profile,
// through AsyncHTTPClient. Public header. Models tornado/auth.py OAuth2Mixin, GoogleOAuth2Mixin
// and FacebookGraphMixin, with a GitHub preset and the state check Tornado leaves to its users.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "squall/concurrent.h"
#include "squall/requesthandler.h"
#include "squall/web_errors.h"

namespace squall {

class AsyncHTTPClient;

/// Where a provider's three endpoints are and what it grants by default.
struct OAuth2Provider {
    std::string name;              // for messages: "GitHub"
    std::string authorize_url;     // the page the user signs in on
    std::string access_token_url;  // where a code becomes an access token (POST)
    std::string userinfo_url;      // the signed-in user's profile (GET with the token)
    std::vector<std::string> default_scope;

    static OAuth2Provider google();    // profile: openid, email, profile
    static OAuth2Provider github();    // profile: read:user, user:email
    static OAuth2Provider facebook();  // profile: email, public_profile (Tornado's default fields)
};

/// The application's registration with the provider.
struct OAuth2Credentials {
    std::string client_id;
    std::string client_secret;
};

/// An access token response (RFC 6749 5.1).
struct OAuth2Token {
    std::string access_token;
    std::string token_type;
    std::string refresh_token;
    std::string scope;
    std::optional<std::int64_t> expires_in;  // seconds
    nlohmann::json raw;                      // every field the provider sent
};

/// A signed-in user: the provider's profile (JSON as it sent it) and the token that fetched it.
struct OAuth2User {
    nlohmann::json profile;
    OAuth2Token token;
};

/// A sign-in step that failed. 403 when the request coming back from the provider was not
/// started by this browser (no or another state), lacks its code, or carries the provider's
/// refusal (`?error=access_denied`); 502 when the provider's endpoints are unreachable, refuse
/// the code or the token, or answer with something that is not a token or a profile. As an
/// HTTPError it becomes that error page when a verb lets it through; log_message() says why.
class AuthError : public HTTPError {
public:
    using HTTPError::HTTPError;
};

struct OAuth2AuthorizeOptions {
    /// Absolute, and exactly as registered with the provider; get_authenticated_user needs it again.
    std::string redirect_uri;
    /// Unset: the provider's default_scope.
    std::optional<std::vector<std::string>> scope;
    /// More query parameters for the provider ("prompt", "access_type", "login"...).
    std::vector<std::pair<std::string, std::string>> extra_params;
};

/// Derive a sign-in handler from this (or a preset below) instead of RequestHandler. A GET
/// without `code` or `error` calls authorize_redirect; the provider sends the browser back to
/// redirect_uri, where get_authenticated_user finishes the sign-in.
class OAuth2Mixin : public RequestHandler {
public:
    explicit OAuth2Mixin(OAuth2Provider provider);
    ~OAuth2Mixin() override;

    /// Normally called from initialize(), with credentials given in the route.
    void set_oauth2_credentials(OAuth2Credentials credentials) { credentials_ = std::move(credentials); }
    /// The endpoints, to point a preset at another host (a test's fake provider, a proxy).
    OAuth2Provider& oauth2_provider() noexcept { return provider_; }

    /// The name of the cookie that holds the state between the redirect and the return.
    static constexpr const char* state_cookie = "_oauth2_state";

protected:
    /// 302 to the provider's sign-in page, with a fresh random state that is also set in a
    /// short-lived HttpOnly, SameSite=Lax cookie (Secure over HTTPS).
    void authorize_redirect(const OAuth2AuthorizeOptions& options);
    /// On the return to redirect_uri: checks the state against the cookie (and clears it), then
    /// trades the code for a token (client id and secret in the POST body, RFC 6749 2.3.1).
    /// Throws AuthError.
    Future<OAuth2Token> get_access_token(std::string redirect_uri);
    /// get_access_token, then the profile from userinfo_url. Throws AuthError.
    Future<OAuth2User> get_authenticated_user(std::string redirect_uri);
    /// A JSON API call with the token as a Bearer credential (RFC 6750): GET, or POST of
    /// `post_args` form-encoded when given. Throws AuthError for a failure or a non-JSON answer.
    Future<nlohmann::json> oauth2_request(std::string url, std::string access_token,
                                          std::optional<std::vector<std::pair<std::string, std::string>>> post_args = {});
    /// The client the calls above use; by default one per handler whose responses are
    /// limited to 1 MiB. Override to share one or to configure it.
    virtual AsyncHTTPClient& get_auth_http_client();

private:
    OAuth2Provider provider_;
    OAuth2Credentials credentials_;
    std::unique_ptr<AsyncHTTPClient> client_;
};

class GoogleOAuth2Mixin : public OAuth2Mixin {
public:
    GoogleOAuth2Mixin() : OAuth2Mixin(OAuth2Provider::google()) {}
};

class GitHubOAuth2Mixin : public OAuth2Mixin {
public:
    GitHubOAuth2Mixin() : OAuth2Mixin(OAuth2Provider::github()) {}
};

class FacebookGraphMixin : public OAuth2Mixin {
public:
    FacebookGraphMixin() : OAuth2Mixin(OAuth2Provider::facebook()) {}
};

}  // namespace squall
