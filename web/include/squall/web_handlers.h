// Small stock handlers: ErrorHandler (always the same error), RedirectHandler (to a fixed or
// pattern-filled URL) and FallbackHandler (hands requests to a plain HTTPServer callback).
// Public header. Models tornado/web.py (4.0) ErrorHandler, RedirectHandler, FallbackHandler.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <functional>
#include <memory>
#include <string>

#include "squall/requesthandler.h"

namespace squall {

/// Answers every request with `status_code` (Application's 404 for unknown paths).
class ErrorHandler : public RequestHandler {
public:
    void initialize(int status_code) { status_ = status_code; }
    Future<void> prepare() override { throw HTTPError(status_); }
    /// An unknown path stays 404 for a POST without an XSRF token.
    void check_xsrf_cookie() override {}

private:
    int status_ = 404;
};

/// GET -> 301 (or 302 when not permanent) to `url`. `{0}`, `{1}`... and `{name}` in the URL
/// are replaced by the route's groups; the request's query string is carried over.
class RedirectHandler : public RequestHandler {
public:
    void initialize(std::string url, bool permanent = true) {
        url_ = std::move(url);
        permanent_ = permanent;
    }
    Future<void> get() override;

private:
    std::string url_;
    bool permanent_ = true;
};

/// Hands each request (with its body) to an HTTPServer-style callback, which answers through
/// request->connection (for example with respond()).
class FallbackHandler : public RequestHandler {
public:
    using Fallback = std::function<void(std::shared_ptr<HTTPServerRequest>)>;
    void initialize(Fallback fallback) { fallback_ = std::move(fallback); }
    Future<void> prepare() override;

private:
    Fallback fallback_;
};

}  // namespace squall
