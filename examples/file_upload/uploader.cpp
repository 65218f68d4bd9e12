// The client side of the file_upload example, a port of Tornado's file_uploader.py: PUTs each
// file to <url>/<file name>, streaming it from disk with a body_producer so that no file is
// ever in memory whole, and prints each answer.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <squall/httpclient.h>
#include <squall/httputil.h>
#include <squall/options.h>

const std::string& url = squall::define("url", "http://127.0.0.1:8888/upload", "where to PUT the files (the name is appended)");

// A free function rather than a lambda coroutine: a coroutine's parameters are copied into
// its frame, while a lambda's captures would die with the std::function that holds it.
squall::Future<void> send_file(std::string path, squall::HTTPRequest::BodyWriter write) {
    std::ifstream in(path, std::ios::binary);
    std::string piece(64 * 1024, '\0');
    while (in.read(piece.data(), static_cast<std::streamsize>(piece.size())) || in.gcount() > 0) {
        piece.resize(static_cast<std::size_t>(in.gcount()));
        co_await write(piece);  // done once the connection has taken it: at most one piece in memory
        piece.resize(64 * 1024);
    }
}

squall::Future<int> upload_all(std::string base_url, std::vector<std::string> paths) {
    squall::AsyncHTTPClient client;
    int failures = 0;
    for (const std::string& path : paths) {
        squall::HTTPRequest request(base_url + "/" + squall::url_escape(std::filesystem::path(path).filename().string(), false));
        request.method = "PUT";
        // With a Content-Length the body goes as it is, not chunked.
        request.headers.set("Content-Length", std::to_string(std::filesystem::file_size(path)));
        request.body_producer = [path](squall::HTTPRequest::BodyWriter write) { return send_file(path, std::move(write)); };
        request.request_timeout = std::chrono::minutes(10);  // large files on slow links
        squall::HTTPResponse response = co_await client.fetch(request, /*raise_error=*/false);
        if (response.error) {
            std::fprintf(stderr, "%s: HTTP %d %s\n", path.c_str(), response.code, response.reason.c_str());
            ++failures;
        } else {
            std::printf("%s\n", response.body.c_str());
        }
    }
    co_return failures;
}

int main(int argc, char** argv) try {
    std::vector<std::string> paths = squall::parse_command_line(argc, argv);  // what is not an option
    if (paths.empty()) {
        std::fprintf(stderr, "usage: %s [--url URL] FILE...\n", argv[0]);
        return 2;
    }
    return squall::IOLoop::current().run_sync([&] { return upload_all(url, paths); }) == 0 ? 0 : 1;
} catch (const std::exception& e) {  // a bad option, a file that is not there...
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
}
