// Fuzz target: template names as render() receives them, possibly from a request
// (render(get_argument("page"))), resolved under a template_path. An accepted name must stay
// inside the root, in one normal form (no "", "." or ".." components) that resolves to itself;
// anything else is refused with TemplateError.
#include <filesystem>
#include <string>

#include "../../web/src/template_loader.h"
#include "fuzz_input.h"
#include "squall/web_errors.h"

namespace {

const std::string root = "/srv/templates";

void check_normal(const std::string& relative) {
    SQUALL_FUZZ_CHECK(!relative.empty() && relative.front() != '/' && relative.back() != '/');
    SQUALL_FUZZ_CHECK(relative.find('\0') == std::string::npos);
    std::size_t at = 0;
    while (at <= relative.size()) {
        std::size_t end = relative.find('/', at);
        if (end == std::string::npos) end = relative.size();
        std::string part = relative.substr(at, end - at);
        SQUALL_FUZZ_CHECK(!part.empty() && part != "." && part != "..");
        at = end + 1;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    const std::string name(in.rest());
    std::string resolved;
    try {
        resolved = squall::detail::resolve_template_name(root, name);
    } catch (const squall::TemplateError&) {
        return 0;
    }
    SQUALL_FUZZ_CHECK(resolved.compare(0, root.size() + 1, root + "/") == 0);
    const std::string relative = resolved.substr(root.size() + 1);
    check_normal(relative);
    SQUALL_FUZZ_CHECK(squall::detail::resolve_template_name(root, relative) == resolved);
    SQUALL_FUZZ_CHECK(squall::detail::resolve_template_name("", name) == relative);
    const std::string inside = std::filesystem::path(resolved).lexically_normal().generic_string();
    SQUALL_FUZZ_CHECK(inside.compare(0, root.size() + 1, root + "/") == 0);
    return 0;
}
