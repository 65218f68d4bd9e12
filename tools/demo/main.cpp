// squall-demo: the demo application on 127.0.0.1:8888, every setting a
// command-line flag (squall/options.h). `tools/dev demo` runs it. With --port 0 the kernel picks the port; the
// first line printed names it. Under systemd socket activation it serves the sockets passed.
// SIGTERM or SIGINT shuts it down gracefully.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app.h"
#include "site.h"
#include "squall/autoreload.h"
#include "squall/graceful_shutdown.h"
#include "squall/httpserver.h"
#include "squall/ioloop.h"
#include "squall/log.h"
#include "squall/netutil.h"
#include "squall/options.h"
#include "squall/socket_activation.h"

namespace {

/// Names the temporary site of the process that restarted into this one (squall-demo --debug).
constexpr const char* kOldSiteVariable = "SQUALL_DEMO_RESTARTED_FROM_SITE";

/// The demo's flags, defined with squall::define (Tornado's options: --max_body_size and
/// --max-body-size alike; --logging and the log file options come with them), read into `o`.
/// False when the command line was refused (the reason printed).
bool parse_flags(int argc, char** argv, squall::demo::DemoOptions& o) {
    const std::string server = "Server";
    const std::string limits = "Limits";
    const auto& address = squall::define("address", o.address, "address to listen on", server);
    const auto& port = squall::define(
        "port", static_cast<int>(o.port), "port to listen on (0: any free port; systemd's sockets instead when it passes some)",
        server);
    const auto& shutdown_grace = squall::define(
        "shutdown_grace", o.shutdown_grace,
        "seconds requests in flight may take to finish after SIGTERM or SIGINT (a second signal: none)", server);
    const auto& site = squall::define("site", o.site, "site directory with static/ and templates/ (default: a temporary one with the demo files)", server);
    const auto& cookie_secret = squall::define("cookie_secret", o.cookie_secret, "key for signed cookies", server);
    const auto& debug = squall::define("debug", o.debug,
                                       "development mode: templates re-read at every render, error pages with the "
                                       "exception, and a restart (same pid and flags) when the executable is rebuilt",
                                       server);
    const auto& decompress = squall::define("decompress_request", o.decompress_request, "decode gzip request bodies", server);
    const auto& compress = squall::define("compress_response", o.compress_response,
                                          "gzip responses for clients that accept it", server);
    const auto& max_header = squall::define("max_header_size", static_cast<long>(o.max_header_size),
                                            "largest request line and headers, bytes", limits);
    const auto& max_body = squall::define("max_body_size", static_cast<long>(o.max_body_size),
                                          "largest request body, bytes (after gzip decoding, streamed too)", limits);
    const auto& idle = squall::define("idle_connection_timeout", o.idle_connection_timeout,
                                      "seconds a connection may wait for a request's headers", limits);
    const auto& body_timeout = squall::define("body_timeout", o.body_timeout, "seconds to receive a request body", limits);
    const auto& write_timeout = squall::define("write_timeout", o.write_timeout,
                                               "seconds a client may take none of a response (0: forever)", limits);
    const auto& ws_max = squall::define("websocket_max_message_size", static_cast<long>(o.websocket_max_message_size),
                                        "largest WebSocket message, bytes", limits);
    const auto& backlog = squall::define("chat_max_backlog", static_cast<long>(o.chat_max_backlog),
                                         "bytes a chat member may leave unread before it is closed with 1008", limits);
    try {
        squall::parse_command_line(argc, argv);
    } catch (const squall::OptionError& e) {
        std::fprintf(stderr, "squall-demo: %s (--help lists the options)\n", e.what());
        return false;
    }
    if (port < 0 || port > 65535 || max_header < 0 || max_body < 0 || ws_max < 0 || backlog < 0) {
        std::fprintf(stderr, "squall-demo: a port or size out of range\n");
        return false;
    }
    o.address = address;
    o.port = static_cast<std::uint16_t>(port);
    o.shutdown_grace = shutdown_grace;
    o.site = site;
    o.cookie_secret = cookie_secret;
    o.debug = debug;
    o.decompress_request = decompress;
    o.compress_response = compress;
    o.max_header_size = static_cast<std::size_t>(max_header);
    o.max_body_size = static_cast<std::uint64_t>(max_body);
    o.idle_connection_timeout = idle;
    o.body_timeout = body_timeout;
    o.write_timeout = write_timeout;
    o.websocket_max_message_size = static_cast<std::uint64_t>(ws_max);
    o.chat_max_backlog = static_cast<std::size_t>(backlog);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    squall::demo::DemoOptions o;
    if (!parse_flags(argc, argv, o)) return 2;
    bool temporary = o.site.empty();
    if (const char* old_site = std::getenv(kOldSiteVariable)) {  // left by the process before a restart
        if (squall::demo::is_temporary_site(old_site)) squall::demo::remove_site(old_site);
        ::unsetenv(kOldSiteVariable);
    }
    try {
        if (temporary) o.site = squall::demo::make_temporary_site();
        squall::IOLoop& loop = squall::IOLoop::current();
        auto stats = std::make_shared<squall::demo::DemoStats>();
        auto app = squall::demo::make_application(o, stats);  // with --debug, autoreload starts here
        // A restart runs no destructors: the new process removes this one's temporary site once it
        // runs (a restart that fails leaves the old process serving it).
        if (o.debug && temporary)
            squall::autoreload::add_reload_hook([&o] { ::setenv(kOldSiteVariable, o.site.c_str(), 1); });
        // Sockets from systemd (socket activation) replace --address and --port.
        std::vector<int> passed = squall::systemd_listen_fds();
        auto server = std::make_unique<squall::HTTPServer>(*app, squall::demo::server_options(o));
        stats->server = server.get();
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
