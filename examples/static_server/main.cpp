// A static file server: serves a directory over HTTP with StaticFileHandler, the handler behind
// Tornado's static_path setting (Tornado's demos serve their static/ folders this way). It
// answers conditional requests (ETag, 304) and byte ranges, and refuses paths outside the root.
#include <cstdio>
#include <filesystem>
#include <string>

#include <squall/options.h>
#include <squall/web.h>

const int& port = squall::define("port", 8888, "port to listen on (0: any free port)");
const std::string& root = squall::define("root", ".", "directory to serve");

int main(int argc, char** argv) try {
    squall::parse_command_line(argc, argv);
    if (!std::filesystem::is_directory(root)) throw std::invalid_argument("--root " + root + ": not a directory");

    // The route's group is the path below the root; a directory's URL serves its index.html.
    // StaticFileHandler checks each path and opens it beneath the root, so "..", encoded forms
    // and symlinks pointing out of it get 403, never a file from elsewhere.
    squall::Application app({
        squall::url<squall::StaticFileHandler>("/(.*)", std::filesystem::absolute(root).string(), "index.html"),
    });
    squall::HTTPServer& server = app.listen(static_cast<std::uint16_t>(port), "127.0.0.1");
    std::printf("listening on http://127.0.0.1:%d/ serving %s\n", server.ports().front(), root.c_str());
    std::fflush(stdout);
    squall::IOLoop::current().start();
} catch (const std::exception& e) {  // a bad option, a port in use...
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
}
