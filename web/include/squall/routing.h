// URL routing for Application: a URLSpec maps a regular expression over the request path to a
// handler factory with its initialisation arguments, and reverses to a URL by name. Public
// header. Models tornado/web.py (4.0) URLSpec and url().
#pragma once

#include "squall/detail/require_cxx20.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "squall/detail/recycler.h"

namespace re2 {
class RE2;
}

namespace squall {

class Application;
class HTTPServerRequest;
class RequestHandler;

/// The pieces of the path a pattern's groups captured, percent-decoded (without '+' -> space).
/// An optional group that did not take part is nullopt (Tornado's None).
struct PathArguments {
    std::vector<std::optional<std::string>> args;                  // positional groups
    std::map<std::string, std::optional<std::string>> kwargs;      // named groups
};

/// Makes a handler for one request: constructs it, attaches the application and request, and
/// calls initialize(args...).
using HandlerFactory =
    std::function<std::shared_ptr<RequestHandler>(Application&, std::shared_ptr<HTTPServerRequest>)>;

namespace detail {
/// The only way in to a handler's private set-up, for handler<H>().
struct HandlerAccess {
    static void attach(RequestHandler& h, Application& app, std::shared_ptr<HTTPServerRequest> request);
};
}  // namespace detail

/// A factory for handler class H whose initialize() takes `args` (copied into the factory).
template <class H, class... Args>
HandlerFactory handler(Args... args) {
    return [=](Application& app, std::shared_ptr<HTTPServerRequest> request) -> std::shared_ptr<RequestHandler> {
        // One handler per request: its block comes back from the per-thread cache.
        auto h = std::allocate_shared<H>(detail::RecyclingAllocator<H>());
        detail::HandlerAccess::attach(*h, app, std::move(request));
        h->initialize(args...);
        return h;
    };
}

class URLSpec {
public:
    /// `pattern` is an RE2 regular expression (Python's syntax, named groups `(?P<name>...)`
    /// included, without backreferences or lookaround) matched against the whole path's bytes
    /// in linear time. Groups are all named (passed as kwargs) or all positional (args); mixing
    /// them throws std::invalid_argument, as does a bad expression.
    URLSpec(std::string pattern, HandlerFactory factory, std::string name = {});

    /// Same route with a name for Application::reverse_url.
    URLSpec with_name(std::string name) &&;

    /// The captured arguments when the path matches.
    std::optional<PathArguments> match(std::string_view path) const;
    /// The path for these arguments (url-escaped, '/' kept). Throws std::invalid_argument when
    /// the count differs from the pattern's groups or the pattern is too complex to reverse.
    std::string reverse(const std::vector<std::string>& args = {}) const;

    const std::string& pattern() const noexcept { return pattern_; }
    const std::string& name() const noexcept { return name_; }
    const HandlerFactory& factory() const noexcept { return factory_; }
    std::size_t group_count() const noexcept { return group_names_.size(); }

private:
    std::string pattern_, name_;
    HandlerFactory factory_;
    std::shared_ptr<const re2::RE2> regex_;
    std::vector<std::string> group_names_;  // "" for positional groups
    std::optional<std::string> literal_;    // a pattern without regex syntax matches by comparison
    std::string prefix_;                    // what every match starts with (tested before the regex)
    std::optional<std::string> reverse_format_;  // the path with '\x01' where each group goes
};

/// Tornado's url(pattern, handler, kwargs, name) for handler class H.
template <class H, class... Args>
URLSpec url(std::string pattern, Args... args) {
    return URLSpec(std::move(pattern), handler<H>(std::move(args)...));
}

}  // namespace squall
