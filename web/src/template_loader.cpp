// TemplateLoader: template names checked against the root, files read and compiled (cached
// under a mutex), partials resolved as files with a nesting limit, and json → mustache data.
// Internal. Models tornado/template.py (4.0) Loader (resolve_path, load, the template cache).
#include "template_loader.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "squall/web_errors.h"

namespace squall::detail {
namespace {

namespace mustache = kainjow::mustache;

// Partials nest this deep at most: a partial that includes itself without a section that
// ends would otherwise recurse until the stack runs out.
constexpr int max_partial_depth = 64;
// Values nest this deep at most: converting and destroying them recurses.
constexpr int max_value_depth = 512;
// Appended to every partial's source: the engine looks this variable up when the partial is
// done, which is how the nesting depth goes down again (the engine has no hook for it).
constexpr const char* partial_end_tag = "squall-partial-end";

std::string read_file(const std::string& name, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TemplateError(name, "cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::shared_ptr<const CompiledTemplate> compile(const std::string& name, std::string source) {
    mustache::mustache compiled(source);
    if (!compiled.is_valid()) throw TemplateError(name, compiled.error_message());
    return std::make_shared<const CompiledTemplate>(CompiledTemplate{std::move(source), std::move(compiled)});
}

/// The engine's lookup with partials taken from files under the root instead of from the
/// values (a value must never become template source) and their nesting counted.
class RenderContext : public mustache::context<std::string> {
public:
    RenderContext(TemplateLoader& loader, const TemplateLoader::Origin& origin, const mustache::data& values)
        : context(&values), loader_(loader), origin_(origin) {}

    const mustache::data* get(const std::string& name) const override {
        if (name == partial_end_tag) {
            --depth_;
            return nullptr;
        }
        return context::get(name);
    }

    const mustache::data* get_partial(const std::string& name) const override {
        if (++depth_ > max_partial_depth)
            throw TemplateError(name, "partials nested deeper than " + std::to_string(max_partial_depth) +
                                          " (a partial including itself?)");
        auto it = partials_.find(name);
        if (it == partials_.end()) it = partials_.emplace(name, mustache::data(partial_source(name))).first;
        return &it->second;
    }

private:
    std::string partial_source(const std::string& name) const {
        auto partial = loader_.load(origin_, name);
        // A partial that changed the delimiters would leave the end tag unrecognised.
        if (partial->source.find("{{=") != std::string::npos)
            throw TemplateError(name, "set-delimiter tags are not supported in partials");
        return partial->source + "{{" + partial_end_tag + "}}";
    }

    TemplateLoader& loader_;
    const TemplateLoader::Origin& origin_;
    mutable int depth_ = 0;
    mutable std::map<std::string, mustache::data> partials_;  // this render's, by name
};

mustache::data convert(const nlohmann::json& value, int depth) {
    if (depth > max_value_depth)
        throw std::invalid_argument("template values nested deeper than " + std::to_string(max_value_depth));
    switch (value.type()) {
    case nlohmann::json::value_t::object: {
        mustache::data out(mustache::data::type::object);
        for (const auto& [key, item] : value.items()) out[key] = convert(item, depth + 1);
        return out;
    }
    case nlohmann::json::value_t::array: {
        mustache::data out(mustache::data::type::list);
        for (const auto& item : value) out.push_back(convert(item, depth + 1));
        return out;
    }
    case nlohmann::json::value_t::string:
        return mustache::data(value.get_ref<const std::string&>());
    case nlohmann::json::value_t::boolean:
        return mustache::data(value.get<bool>());
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
        return mustache::data(false);
    default:  // numbers, binary
        return mustache::data(value.dump());
    }
}

}  // namespace

std::string resolve_template_name(const std::string& root, const std::string& name) {
    std::filesystem::path p(name);
    bool bad = name.empty() || p.is_absolute() || name.find('\0') != std::string::npos;
    for (const auto& part : p) bad = bad || part == "..";
    if (bad) throw TemplateError(name, "the name must be a relative path inside template_path");
    std::string normal = p.lexically_normal().generic_string();
    if (normal.empty() || normal == "." || normal.back() == '/')
        throw TemplateError(name, "the name must be a file inside template_path");
    return root.empty() ? normal : root + "/" + normal;
}

std::shared_ptr<const CompiledTemplate> TemplateLoader::load(const Origin& origin, const std::string& name) {
    std::string path = resolve_template_name(origin.root, name);
    if (!origin.use_cache) return compile(name, read_file(name, path));
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(path); it != cache_.end()) return it->second;
    }
    // Read and compiled unlocked: two threads may both do it once, and the first one stays.
    auto made = compile(name, read_file(name, path));
    std::lock_guard lock(mutex_);
    return cache_.emplace(path, std::move(made)).first->second;
}

std::string TemplateLoader::render(const Origin& origin, const std::string& name, const mustache::data& values) {
    // A copy per render: the engine writes its error state into the template it renders.
    mustache::mustache page = load(origin, name)->compiled;
    RenderContext context(*this, origin, values);
    std::string out = page.render(context);
    if (!page.is_valid()) throw TemplateError(name, page.error_message());
    return out;
}

mustache::data to_mustache(const nlohmann::json& value) { return convert(value, 0); }

}  // namespace squall::detail
