// Application: host groups, routing to handlers, the static-file routes, reverse_url, the
// access log, the cache of static files' hashes and the template cache. Internal. Models
// tornado/web.py (4.0) Application (add_handlers, _get_host_handlers, __call__ routing,
// log_request, reverse_url).
#include "squall/application.h"
#include "squall/autoreload.h"

#include <re2/re2.h>
#include <sys/stat.h>

#include <cstdio>
#include <mutex>

#include "crypto.h"
#include "dispatcher.h"
#include "squall/log.h"
#include "squall/staticfilehandler.h"
#include "squall/web_handlers.h"
#include "template_loader.h"

namespace squall {

Application::Application(std::vector<URLSpec> handlers, ApplicationSettings settings, std::string default_host)
    : settings_(std::move(settings)),
      default_host_(std::move(default_host)),
      templates_(std::make_unique<detail::TemplateLoader>()) {
    if (!settings_.static_path.empty()) {
        const std::string& root = settings_.static_path;
        auto make = [&](std::string pattern) {
            HandlerFactory f = settings_.static_handler_class ? settings_.static_handler_class(root)
                                                              : handler<StaticFileHandler>(root, std::string());
            return URLSpec(std::move(pattern), std::move(f));
        };
        std::string prefix;
        for (char c : settings_.static_url_prefix) {
            if (std::string_view("\\.^$|?*+()[]{}").find(c) != std::string_view::npos) prefix += '\\';
            prefix += c;
        }
        std::vector<URLSpec> statics;
        statics.push_back(make(prefix + "(.*)"));
        statics.push_back(make("/(favicon\\.ico)"));
        statics.push_back(make("/(robots\\.txt)"));
        handlers.insert(handlers.begin(), std::make_move_iterator(statics.begin()),
                        std::make_move_iterator(statics.end()));
    }
    if (!handlers.empty()) add_handlers(".*$", std::move(handlers));
    if (settings_.autoreload.value_or(settings_.debug)) {
        try {
            autoreload::start();
        } catch (const std::exception& e) {  // out of inotify watches, say: serve without it
            app_log().logf(LogLevel::warning, "autoreload is off: %s", e.what());
        }
    }
}

Application::~Application() = default;

void Application::add_handlers(std::string host_pattern, std::vector<URLSpec> handlers) {
    if (!host_pattern.ends_with('$')) host_pattern += '$';
    HostGroup g;
    g.pattern = host_pattern;
    if (host_pattern != ".*$") {
        RE2::Options options(RE2::Latin1);
        options.set_case_sensitive(false);
        options.set_log_errors(false);
        g.regex = std::make_shared<const RE2>(host_pattern, options);
        if (!g.regex->ok()) throw std::invalid_argument("bad host pattern " + host_pattern + ": " + g.regex->error());
    }
    for (auto& spec : handlers) {
        if (!spec.name().empty()) {
            for (const auto& other : groups_)
                for (const auto& s : other.specs)
                    if (s.name() == spec.name())
                        app_log().logf(LogLevel::warning, "Multiple handlers named %s; replacing previous value",
                                       spec.name().c_str());
        }
        g.specs.push_back(std::move(spec));
    }
    // The catch-all group stays last so that specific hosts are tried first.
    if (!groups_.empty() && !groups_.back().regex) groups_.insert(groups_.end() - 1, std::move(g));
    else groups_.push_back(std::move(g));
}

std::shared_ptr<RequestHandler> Application::find_handler(std::shared_ptr<HTTPServerRequest> request) {
    // Tornado's _get_host_handlers: the groups whose pattern matches the host, in order; when
    // none does (and no proxy set X-Real-Ip), those matching default_host. Walked in place, so
    // routing a request allocates nothing.
    auto serves = [](const HostGroup& g, const std::string& host) { return !g.regex || RE2::FullMatch(host, *g.regex); };
    bool host_known = false;
    auto route = [&](const std::string& host) -> std::shared_ptr<RequestHandler> {
        for (const HostGroup& g : groups_) {
            if (!serves(g, host)) continue;
            host_known = true;
            for (const URLSpec& spec : g.specs) {
                if (auto args = spec.match(request->path)) {
                    auto h = spec.factory()(*this, std::move(request));
                    h->path_args_ = std::move(*args);
                    return h;
                }
            }
        }
        return nullptr;
    };
    if (auto h = route(request->host_name)) return h;
    if (!host_known && !request->headers.contains("X-Real-Ip")) {
        if (auto h = route(default_host_)) return h;
    }
    if (!host_known) return handler<RedirectHandler>("http://" + default_host_ + "/", true)(*this, std::move(request));
    if (settings_.default_handler_class) return settings_.default_handler_class(*this, std::move(request));
    return handler<ErrorHandler>(404)(*this, std::move(request));
}

std::unique_ptr<HTTPMessageDelegate> Application::start_request(std::shared_ptr<HTTP1Connection> connection) {
    return std::make_unique<detail::RequestDispatcher>(*this, std::move(connection));
}

HTTPServer& Application::listen(std::uint16_t port, const std::string& address, HTTPServerOptions options) {
    auto server = std::make_unique<HTTPServer>(*this, std::move(options));
    server->listen(port, address);
    servers_.push_back(std::move(server));
    return *servers_.back();
}

std::vector<HTTPServer*> Application::servers() const {
    std::vector<HTTPServer*> all;
    for (const auto& s : servers_) all.push_back(s.get());
    return all;
}

std::string Application::reverse_url(std::string_view name, const std::vector<std::string>& args) const {
    const URLSpec* found = nullptr;
    for (const auto& g : groups_)
        for (const auto& s : g.specs)
            if (s.name() == name) found = &s;  // the last one named so wins
    if (!found) throw std::invalid_argument(std::string(name) + " not found in named urls");
    return found->reverse(args);
}

void Application::log_request(RequestHandler& handler) const {
    if (settings_.log_function) {
        settings_.log_function(handler);
        return;
    }
    int status = handler.get_status();
    LogLevel level = status < 400 ? LogLevel::info : status < 500 ? LogLevel::warning : LogLevel::error;
    if (!access_log().enabled(level)) return;
    const HTTPServerRequest& r = handler.request();
    access_log().logf(level, "%d %s %s (%s) %.2fms", status, r.method.c_str(), r.uri.c_str(), r.remote_ip.c_str(),
                      r.request_time() * 1000.0);
}

std::optional<std::string> Application::static_content_version(const std::string& absolute_path) {
    struct stat st;
    if (::stat(absolute_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        app_log().logf(LogLevel::error, "Could not open static file %s", absolute_path.c_str());
        return std::nullopt;
    }
    std::int64_t mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    auto size = static_cast<std::uint64_t>(st.st_size);
    const bool cached = settings_.static_hash_cache && !settings_.debug;
    if (cached) {
        std::lock_guard lock(static_versions_mutex_);
        auto it = static_versions_.find(absolute_path);
        if (it != static_versions_.end() && it->second.size == size && it->second.mtime_ns == mtime_ns)
            return it->second.hash;
    }
    std::FILE* f = std::fopen(absolute_path.c_str(), "rb");
    if (!f) {
        app_log().logf(LogLevel::error, "Could not open static file %s", absolute_path.c_str());
        return std::nullopt;
    }
    detail::Hasher h(detail::Digest::md5);
    char buf[64 * 1024];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) h.update(std::string_view(buf, n));
    std::fclose(f);
    std::string hash = h.hex_digest();
    if (cached) {
        std::lock_guard lock(static_versions_mutex_);
        static_versions_[absolute_path] = CachedVersion{size, mtime_ns, hash};
    }
    return hash;
}

}  // namespace squall
