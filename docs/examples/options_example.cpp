// The example of docs/options.md: options defined where they are used, read from a config
// file and then the command line (which wins), with the logging options. Run with no
// arguments, it parses a sample command line of its own. Built and run by the tests.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <squall/options.h>

int main(int argc, char** argv) {
    const int& port = squall::define("port", 8888, "port to listen on", "Server");
    const std::string& address = squall::define("address", "127.0.0.1", "address to listen on", "Server");
    const bool& debug = squall::define("debug", false, "reload templates, show tracebacks");
    const auto& origins = squall::define("origins", std::vector<std::string>{}, "allowed WebSocket origins");

    std::vector<const char*> sample = {argv[0], "--port=9000", "--debug", "--logging=warning", "extra.txt"};
    if (argc == 1) {
        argc = static_cast<int>(sample.size());
        argv = const_cast<char**>(sample.data());
    }
    const char* config = "/tmp/squall-options-example.conf";
    std::ofstream(config) << "port = 8000\norigins = https://a.example,https://b.example\n";
    try {
        squall::parse_config_file(config, false);  // not final: the command line comes next
        std::vector<std::string> rest = squall::parse_command_line(argc, argv);
        std::printf("listening on %s:%d, debug %s, %zu origins, %zu other arguments\n", address.c_str(), port,
                    debug ? "on" : "off", origins.size(), rest.size());
    } catch (const squall::OptionError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    std::remove(config);
    return port == 9000 && debug && origins.size() == 2 ? 0 : 1;
}
