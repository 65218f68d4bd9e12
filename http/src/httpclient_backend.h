// The interface AsyncHTTPClient delegates to, with the request checks and helpers its two
// implementations share. Internal. Models the AsyncHTTPClient / fetch_impl split of
// tornado/httpclient.py (4.0), whose subclasses are simple_httpclient and curl_httpclient.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include "squall/detail/url_parts.h"
#include "squall/httpclient.h"

namespace squall::detail {

/// One implementation of AsyncHTTPClient (Tornado's fetch_impl).
class HTTPClientBackend {
public:
    virtual ~HTTPClientBackend() = default;
    /// This implementation's own refusals (std::invalid_argument), after the common checks.
    virtual void check(const HTTPRequest& request, const URLParts& url) const = 0;
    /// Never fails: a failure is the response's `error`, with code 599 when no response came.
    virtual Future<HTTPResponse> fetch(HTTPRequest request) = 0;
    /// Fails what is in flight with 599 "the client was closed"; idempotent.
    virtual void close() = 0;
    virtual bool closed() const noexcept = 0;
};

std::unique_ptr<HTTPClientBackend> make_simple_client(AsyncHTTPClientOptions options, IOLoop& loop);
/// Throws std::runtime_error when squall was built without libcurl.
std::unique_ptr<HTTPClientBackend> make_curl_client(AsyncHTTPClientOptions options, IOLoop& loop);
bool curl_built() noexcept;

bool is_redirect(int code);
/// An HTTPClientError as an exception_ptr, carrying a copy of `response` when given.
std::exception_ptr client_error(int code, std::string message, const HTTPResponse* response = nullptr);
/// The body limit that applies to `r` (HTTPRequest::max_body_size says which).
std::uint64_t body_limit(const HTTPRequest& r, const AsyncHTTPClientOptions& o);
/// The message of a fetch refused for its body limit.
std::string body_limit_message(std::uint64_t limit, const std::string& detail);

}  // namespace squall::detail
