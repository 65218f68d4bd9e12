// squall-abuse-server: the server the abuse suite attacks (test/abuse/abuse.py). A web
// Application on a kernel-chosen loopback port with short, configurable timeouts and routes that
// make the server touch what a flood sends (headers, arguments, cookies, files); prints
// "port N" once listening.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "squall/ioloop.h"
#include "squall/log.h"
#include "squall/web.h"

namespace {

using namespace squall;

class HelloHandler : public RequestHandler {
public:
    Future<void> get() override {
        write("Hello, world");
        return {};
    }
};

class EchoHandler : public RequestHandler {
public:
    Future<void> post() override {
        set_header("Content-Type", "application/octet-stream");
        set_header("X-Body-Length", static_cast<std::int64_t>(request().body.size()));
        write(request().body);
        return {};
    }
    Future<void> put() override { return post(); }
};

/// Answers how much of the request the server parsed, so a flood test can check it was all read.
class CountHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::size_t args = 0, files = 0;
        for (const auto& [name, values] : request().arguments) args += values.size();
        for (const auto& [name, list] : request().files) files += list.size();
        set_header("Content-Type", "text/plain");
        write("headers=" + std::to_string(request().headers.size()) + " args=" + std::to_string(args) +
              " files=" + std::to_string(files) + " cookies=" + std::to_string(cookies().size()) + "\n");
        return {};
    }
    Future<void> post() override { return get(); }
};

/// A response of ?n= bytes (1 MiB by default): what a client that never reads leaves unsent.
class BigHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::size_t n = std::stoul(get_argument("n", "1048576"));
        set_header("Content-Type", "application/octet-stream");
        write(std::string(n, 'x'));
        return {};
    }
};

struct Settings {
    double idle_timeout = 2, body_timeout = 2, write_timeout = 2;
    std::uint64_t max_body_size = 1 << 20;
    bool decompress = true;
    std::string logging = "none";
};

Duration seconds(double s) { return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

Settings parse_args(int argc, char** argv) {
    Settings s;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--idle-timeout") s.idle_timeout = std::stod(value);
        else if (flag == "--body-timeout") s.body_timeout = std::stod(value);
        else if (flag == "--write-timeout") s.write_timeout = std::stod(value);
        else if (flag == "--max-body-size") s.max_body_size = std::stoull(value);
        else if (flag == "--decompress") s.decompress = value == "1";
        else if (flag == "--logging") s.logging = value;
        else throw std::invalid_argument("unknown flag " + flag);
    }
    if (argc % 2 == 0) throw std::invalid_argument("every flag takes a value");
    return s;
}

HTTPServerOptions server_options(const Settings& s) {
    HTTPServerOptions o;
    o.idle_connection_timeout = seconds(s.idle_timeout);
    o.body_timeout = seconds(s.body_timeout);
    if (s.write_timeout > 0) o.write_timeout = seconds(s.write_timeout);
    o.max_body_size = s.max_body_size;
    o.decompress_request = s.decompress;
    return o;
}

/// Tens of thousands of connections need more descriptors than the usual soft limit of 1,024.
void raise_fd_limit() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return;
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
}

IOLoop* running_loop = nullptr;

extern "C" void on_signal(int) {
    if (running_loop) running_loop->add_callback_from_signal([] { running_loop->stop(); });
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Settings s = parse_args(argc, argv);
        set_logging_level(s.logging == "info" ? LogLevel::info : s.logging == "warning" ? LogLevel::warning
                          : s.logging == "error" ? LogLevel::error : LogLevel::none);
        raise_fd_limit();
        IOLoop& loop = IOLoop::current();
        std::vector<URLSpec> routes;
        routes.push_back(url<HelloHandler>("/hello"));
        routes.push_back(url<EchoHandler>("/echo"));
        routes.push_back(url<CountHandler>("/count"));
        routes.push_back(url<BigHandler>("/big"));
        Application app(std::move(routes));
        HTTPServer server(app, server_options(s), loop);
        // A deep backlog: the attacker opens thousands of connections at once.
        server.bind(0, "127.0.0.1", AF_INET, 4096);
        server.start();
        running_loop = &loop;
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        std::printf("port %d\n", server.ports().front());
        std::fflush(stdout);
        loop.start();
        running_loop = nullptr;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "squall-abuse-server: %s\n", e.what());
        return 1;
    }
    return 0;
}
