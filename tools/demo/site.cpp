// Creates the demo's site directory. Part of squall-demo.
#include "site.h"

#include "assets.h"
#include "page.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace squall::demo {
namespace fs = std::filesystem;

static void write_file(const fs::path& p, const std::string& content) {
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

void populate_site(const std::string& dir) {
    fs::path root(dir);
    write_file(root / "static" / "hello.txt", "Hello, static world\n");
    std::string big(1024 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i % 251);
    write_file(root / "static" / "big.bin", big);
    write_file(root / "static" / "sub" / "nested.txt", "Nested static file\n");
    write_file(root / "static" / "style.css", style_css);
    write_file(root / "static" / "tour.js", tour_js);
    write_file(root / "templates" / "head.html", head_template);
    write_file(root / "templates" / "foot.html", foot_template);
    write_file(root / "templates" / "cookie_missing.html", cookie_missing_template);
    write_file(root / "templates" / "index.html", index_template);
    write_file(root / "templates" / "xsrf.html", xsrf_template);
    write_file(root / "templates" / "form_upload.html", form_upload_template);
    write_file(root / "secret.txt", "This file is outside the static root and must never be served.\n");
}

std::string make_temporary_site() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/squall-demo-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    populate_site(pattern);
    return pattern;
}

bool is_temporary_site(const std::string& dir) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(dir, ec);
    if (ec) return false;
    const std::string name = p.filename().string();
    return name.rfind("squall-demo-", 0) == 0 && name.size() == std::string("squall-demo-XXXXXX").size() &&
           fs::is_regular_file(p / "templates" / "head.html", ec) && fs::is_regular_file(p / "secret.txt", ec);
}

void remove_site(const std::string& dir) {
    std::error_code ec;
    fs::remove_all(dir, ec);
}

}  // namespace squall::demo
