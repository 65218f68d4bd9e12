// TemplateLoader: finds mustache templates under a root directory, compiles them once (a cache
// shared by the threads serving one Application) and renders them with partials read from the
// same root. Internal. Models tornado/template.py (4.0) Loader, on kainjow's mustache engine.
#pragma once

#include <kainjow/mustache.hpp>
#include <nlohmann/json_fwd.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace squall::detail {

/// A template file, read and compiled; never changed after it is made, so threads share it.
struct CompiledTemplate {
    std::string source;
    kainjow::mustache::mustache compiled;
};

class TemplateLoader {
public:
    /// Where a template comes from: the directory, and whether compiled ones may be reused.
    struct Origin {
        std::string root;
        bool use_cache = true;
    };

    /// The template `name` under origin.root; TemplateError when the name leaves the root,
    /// the file cannot be read or the engine refuses it.
    std::shared_ptr<const CompiledTemplate> load(const Origin& origin, const std::string& name);
    /// The page: `name` rendered with `values`, `{{> partial}}` read from origin.root.
    std::string render(const Origin& origin, const std::string& name, const kainjow::mustache::data& values);

private:
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const CompiledTemplate>> cache_;  // by path
};

/// `root/name` in its normal form, or TemplateError when the name is empty, absolute or climbs
/// out with "..": names may come from requests (render(get_argument("page"))). The normal form
/// is the cache's key, so "./a", "a//b" and "a/./b" cannot fill the cache with copies of one file.
std::string resolve_template_name(const std::string& root, const std::string& name);

/// nlohmann::json as mustache data: objects, arrays, strings, numbers (as JSON writes them),
/// booleans; null is false. std::invalid_argument past a sane nesting depth.
kainjow::mustache::data to_mustache(const nlohmann::json& value);

}  // namespace squall::detail
