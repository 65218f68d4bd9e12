// squall-demo: the demo application on 127.0.0.1:8888, every setting a
// command-line flag. `tools/dev demo` runs it. With --port 0 the kernel picks the port; the
// first line printed names it. Under systemd socket activation it serves the sockets passed.
// SIGTERM or SIGINT shuts it down gracefully.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app.h"
#include "site.h"
#include "squall/graceful_shutdown.h"
#include "squall/httpserver.h"
#include "squall/ioloop.h"
#include "squall/log.h"
#include "squall/netutil.h"
#include "squall/socket_activation.h"

int main(int argc, char** argv) {
    squall::demo::DemoOptions o;
    CLI::App cli{"squall's demo application: hello world, echo, uploads, static files, cookies, XSRF, redirects, gzip, "
                 "a WebSocket echo (/ws, /ws-close, /ws-last-close) and a chat room (/chat, on the page at /)", "squall-demo"};
    cli.add_option("--address", o.address, "address to listen on")->capture_default_str();
    cli.add_option("--port", o.port, "port to listen on (0: any free port; systemd's sockets instead when it passes some)")->capture_default_str();
    cli.add_option("--max-header-size", o.max_header_size, "largest request line and headers, bytes")->capture_default_str();
    cli.add_option("--max-body-size", o.max_body_size, "largest request body, bytes (after gzip decoding, streamed too)")
        ->capture_default_str();
    cli.add_option("--idle-connection-timeout", o.idle_connection_timeout,
                   "seconds a connection may wait for a request's headers")->capture_default_str();
    cli.add_option("--body-timeout", o.body_timeout, "seconds to receive a request body")->capture_default_str();
    cli.add_option("--write-timeout", o.write_timeout, "seconds a client may take none of a response (0: forever)")
        ->capture_default_str();
    cli.add_option("--decompress-request", o.decompress_request, "decode gzip request bodies")->capture_default_str();
    cli.add_option("--compress-response", o.compress_response, "gzip responses for clients that accept it")
        ->capture_default_str();
    cli.add_option("--websocket-max-message-size", o.websocket_max_message_size, "largest WebSocket message, bytes")
        ->capture_default_str();
    cli.add_option("--chat-max-backlog", o.chat_max_backlog,
                   "bytes a chat member may leave unread before it is closed with 1008")->capture_default_str();
    cli.add_option("--cookie-secret", o.cookie_secret, "key for signed cookies")->capture_default_str();
    cli.add_option("--shutdown-grace", o.shutdown_grace,
                   "seconds requests in flight may take to finish after SIGTERM or SIGINT (a second signal: none)")
        ->capture_default_str();
    cli.add_option("--site", o.site, "site directory (default: a temporary one with the demo files)");
    std::string logging = "info";
    cli.add_option("--logging", logging, "log level: debug, info, warning, error or none (Tornado's --logging)")
        ->check(CLI::IsMember({"debug", "info", "warning", "error", "none"}))
        ->capture_default_str();
    CLI11_PARSE(cli, argc, argv);

    squall::set_logging_level(logging == "debug"     ? squall::LogLevel::debug
                              : logging == "info"    ? squall::LogLevel::info
                              : logging == "warning" ? squall::LogLevel::warning
                              : logging == "error"   ? squall::LogLevel::error
                                                     : squall::LogLevel::none);
    bool temporary = o.site.empty();
    try {
        if (temporary) o.site = squall::demo::make_temporary_site();
        squall::IOLoop& loop = squall::IOLoop::current();
        auto app = squall::demo::make_application(o);
        // Sockets from systemd (socket activation) replace --address and --port.
        std::vector<int> passed = squall::systemd_listen_fds();
        auto server = std::make_unique<squall::HTTPServer>(*app, squall::demo::server_options(o));
        if (passed.empty()) server->listen(o.port, o.address);
        else server->add_sockets(passed);
        std::string address = passed.empty() ? o.address : squall::local_address(passed.front()).ip();
        squall::GracefulShutdownOptions shutdown_options;
        shutdown_options.grace = std::chrono::duration_cast<squall::Duration>(std::chrono::duration<double>(o.shutdown_grace));
        squall::GracefulShutdown shutdown({server.get()}, shutdown_options, loop);
        std::printf("squall-demo listening on http://%s:%d/ (site %s)\n", address.c_str(), server->ports().front(),
                    o.site.c_str());
        std::fflush(stdout);
        loop.start();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "squall-demo: %s\n", e.what());
        if (temporary && !o.site.empty()) squall::demo::remove_site(o.site);
        return 1;
    }
    if (temporary) squall::demo::remove_site(o.site);
    return 0;
}
