// A static file server: serves a directory over HTTP with StaticFileHandler, the handler behind
// Tornado's static_path setting (Tornado's demos serve their static/ folders this way). It
// answers conditional requests (ETag, 304) and byte ranges, and refuses paths outside the root.
#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <squall/web.h>

int main(int argc, char** argv) {
    int port = 8888;
    std::string root = ".";
    CLI::App cli{"Serves the files of a directory"};
    cli.add_option("--port", port, "port to listen on (0: any free port)")->capture_default_str();
    cli.add_option("--root", root, "directory to serve")->check(CLI::ExistingDirectory)->capture_default_str();
    CLI11_PARSE(cli, argc, argv);

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
}
