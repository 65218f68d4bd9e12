// RequestHandler's templates: render / render_string and what every template sees besides its
// values (request, current_user, xsrf_form_html, static_url, reverse_url). Internal. Models tornado/web.py
// (4.0) RequestHandler.render, render_string, get_template_namespace and get_template_path.
#include <nlohmann/json.hpp>

#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "squall/application.h"
#include "squall/requesthandler.h"
#include "template_loader.h"

namespace squall {
namespace {

namespace mustache = kainjow::mustache;

std::string trimmed(std::string_view text) {
    constexpr std::string_view space = " \t\r\n";
    auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(space) - first + 1));
}

mustache::data request_data(const HTTPServerRequest& r) {
    mustache::data out(mustache::data::type::object);
    out["method"] = mustache::data(r.method);
    out["uri"] = mustache::data(r.uri);
    out["path"] = mustache::data(r.path);
    out["query"] = mustache::data(r.query);
    out["host"] = mustache::data(r.host);
    out["protocol"] = mustache::data(r.protocol);
    out["remote_ip"] = mustache::data(r.remote_ip);
    return out;
}

/// `{{#static_url}}css/{{name}}.css{{/static_url}}`: the section is rendered first, so values
/// can name the file, and the URL comes out HTML-escaped for an attribute.
mustache::data static_url_lambda(RequestHandler& handler) {
    return mustache::data(mustache::lambda2([&handler](const std::string& text, const mustache::renderer& render) {
        return mustache::html_escape(handler.static_url(trimmed(render(text))));
    }));
}

/// `{{#reverse_url}}name arg1 arg2{{/reverse_url}}`: the section rendered, then split at
/// whitespace into the route's name and its arguments; the path comes out HTML-escaped.
mustache::data reverse_url_lambda(RequestHandler& handler) {
    return mustache::data(mustache::lambda2([&handler](const std::string& text, const mustache::renderer& render) {
        std::istringstream words(render(text));
        std::string name, arg;
        std::vector<std::string> args;
        words >> name;
        while (words >> arg) args.push_back(arg);
        return mustache::html_escape(handler.reverse_url(name, args));
    }));
}

/// A lambda, so that only pages that show the form get the `_xsrf` cookie (Tornado calls it
/// from the template too). Raw HTML: the template writes `{{{xsrf_form_html}}}`.
mustache::data xsrf_lambda(RequestHandler& handler) {
    return mustache::data(mustache::lambda([&handler](const std::string&) { return handler.xsrf_form_html(); }));
}

/// Tornado's get_template_namespace with the values on top (a value named like a built-in wins,
/// as keyword arguments do in Tornado).
mustache::data template_namespace(RequestHandler& handler, const nlohmann::json& values) {
    if (!values.is_object() && !values.is_null())
        throw std::invalid_argument("render: the values must be a JSON object");
    mustache::data ns = values.is_null() ? mustache::data(mustache::data::type::object) : detail::to_mustache(values);
    auto add = [&ns](const std::string& name, mustache::data value) {
        if (!ns.get(name)) ns[name] = std::move(value);
    };
    add("request", request_data(handler.request()));
    const auto& user = handler.current_user();
    add("current_user", user ? mustache::data(*user) : mustache::data(false));
    add("xsrf_form_html", xsrf_lambda(handler));
    add("static_url", static_url_lambda(handler));
    add("reverse_url", reverse_url_lambda(handler));
    return ns;
}

}  // namespace

std::string RequestHandler::get_template_path() const { return settings().template_path; }

std::string RequestHandler::render_string(const std::string& template_name) {
    return render_string(template_name, nlohmann::json::object());
}

std::string RequestHandler::render_string(const std::string& template_name, const nlohmann::json& values) {
    const ApplicationSettings& s = settings();
    detail::TemplateLoader::Origin origin{get_template_path(), s.compiled_template_cache && !s.debug};
    return application_->templates_->render(origin, template_name, template_namespace(*this, values));
}

Future<void> RequestHandler::render(const std::string& template_name) {
    return render(template_name, nlohmann::json::object());
}

Future<void> RequestHandler::render(const std::string& template_name, const nlohmann::json& values) {
    return finish(render_string(template_name, values));
}

}  // namespace squall
