// OptionParser: typed options from the command line (both spellings, bare bools, multiple
// values, positional arguments left over), from a config file, callbacks, errors, print_help,
// and the logging options writing to a file that rotates. Ports tornado/test/options_test.py.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "catch.h"
#include "squall/log.h"
#include "squall/options.h"

using namespace squall;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> parse(OptionParser& p, std::vector<const char*> args) {
    args.insert(args.begin(), "/usr/bin/prog");
    return p.parse_command_line(static_cast<int>(args.size()), args.data());
}

struct TempDir {
    fs::path root;
    TempDir() {
        char tmpl[] = "/tmp/squall-options-test-XXXXXX";
        root = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

std::string help_text(const OptionParser& p) {
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* out = ::open_memstream(&buffer, &size);
    p.print_help(out);
    std::fclose(out);
    std::string text(buffer, size);
    std::free(buffer);
    return text;
}

}  // namespace

TEST_CASE("options: the command line fills typed options", "[core][options]") {
    OptionParser p;
    const int& port = p.define("port", 8000, "port to listen on");
    const std::string& name = p.define<std::string>("name", "default");
    const bool& debug = p.define("debug", false);
    const double& ratio = p.define("ratio", 0.5);
    const auto& ports = p.define("ports", std::vector<int>{1}, "several", "Network");
    std::vector<int> seen_by_callback;
    p.define<long>("big", 0, "", "", [&](const long& v) { seen_by_callback.push_back(static_cast<int>(v)); });
    auto rest = parse(p, {"--port=80", "--name", "squall", "--debug", "--ratio=0.25", "--ports=80,443", "file1",
                          "--big=7", "file2"});
    CHECK(port == 80);
    CHECK(name == "squall");
    CHECK(debug);
    CHECK(ratio == 0.25);
    CHECK(ports == std::vector<int>{80, 443});
    CHECK(rest == std::vector<std::string>{"file1", "file2"});
    CHECK(seen_by_callback == std::vector<int>{7});
    CHECK(p.get<int>("port") == 80);
    CHECK_THROWS_AS(p.get<std::string>("port"), OptionError);

    parse(p, {"--debug=false", "--port", "81"});  // dashes and underscores alike; later parses override
    CHECK_FALSE(debug);
    CHECK(port == 81);
    CHECK(seen_by_callback.size() == 1);  // --big was not given this time
    p.set<int>("port", 82);
    CHECK(port == 82);
}

TEST_CASE("options: unknown options, bad values and double definitions are errors", "[core][options]") {
    OptionParser p;
    p.define("port", 8000);
    p.define<std::string>("log_file_prefix", "");
    CHECK_THROWS_WITH(parse(p, {"--nope=1"}), Catch::Contains("--nope"));
    CHECK_THROWS_AS(parse(p, {"--port=eighty"}), OptionError);
    CHECK_THROWS_AS(p.define("port", 1), OptionError);
    parse(p, {"--log-file-prefix=/tmp/x"});
    CHECK(p.get<std::string>("log_file_prefix") == "/tmp/x");
}

TEST_CASE("options: a config file of name = value lines", "[core][options]") {
    TempDir dir;
    fs::path config = dir.root / "app.conf";
    std::ofstream(config) << "# the app's settings\nport = 81\nname = \"with spaces\"\nunrelated = 3\nports = 5,6\n";
    OptionParser p;
    const int& port = p.define("port", 8000);
    const std::string& name = p.define<std::string>("name", "");
    const auto& ports = p.define("ports", std::vector<int>{});
    p.parse_config_file(config.string());
    CHECK(port == 81);
    CHECK(name == "with spaces");
    CHECK(ports == std::vector<int>{5, 6});
    parse(p, {"--port=90"});  // the command line after the file wins
    CHECK(port == 90);
    CHECK(name == "with spaces");
    CHECK_THROWS_AS(p.parse_config_file((dir.root / "missing.conf").string()), OptionError);
}

TEST_CASE("options: print_help lists the options by group with their defaults", "[core][options]") {
    OptionParser p;
    p.define("port", 8000, "port to listen on");
    p.define("ports", std::vector<int>{80, 443}, "ports", "Network");
    std::string help = help_text(p);
    CHECK(help.find("Usage: ") == 0);
    CHECK(help.find("--help") != std::string::npos);
    CHECK(help.find("--port=int") != std::string::npos);
    CHECK(help.find("port to listen on (default 8000)") != std::string::npos);
    CHECK(help.find("Network options:") != std::string::npos);
    CHECK(help.find("(default 80,443)") != std::string::npos);
}

TEST_CASE("options: --log_file_prefix writes to a file that rotates by size", "[core][options]") {
    TempDir dir;
    std::string prefix = (dir.root / "app.log").string();
    OptionParser p;
    define_logging_options(p);
    LogLevel level_before = logging_level();
    parse(p, {"--logging=warning", ("--log_file_prefix=" + prefix).c_str(), "--log_file_max_size=200",
              "--log_file_num_backups=2"});
    CHECK(logging_level() == LogLevel::warning);
    gen_log().info("not at warning level");
    for (int i = 0; i < 20; ++i) gen_log().warning("line " + std::to_string(i) + " " + std::string(60, 'x'));
    reset_log_sink();
    set_logging_level(level_before);
    CHECK(fs::exists(prefix));
    CHECK(fs::exists(prefix + ".1"));
    CHECK(fs::exists(prefix + ".2"));
    CHECK_FALSE(fs::exists(prefix + ".3"));  // two backups kept
    CHECK(fs::file_size(prefix) <= 200);
    std::ifstream newest(prefix);
    std::string all((std::istreambuf_iterator<char>(newest)), std::istreambuf_iterator<char>());
    CHECK(all.find("line 19") != std::string::npos);
    CHECK(all.find("not at warning level") == std::string::npos);
    CHECK_THROWS_AS(parse(p, {"--log_rotate_mode=weekly"}), OptionError);
    reset_log_sink();
    set_logging_level(level_before);
}
