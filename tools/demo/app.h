// The demo application's handlers and settings (the endpoints its front page lists).
// Part of squall-demo.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "squall/application.h"
#include "stats.h"

namespace squall::demo {

struct DemoOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8888;
    std::size_t max_header_size = 16384;
    std::uint64_t max_body_size = 2097152;
    double idle_connection_timeout = 5;  // seconds; also bounds the time to read the headers
    double body_timeout = 5;
    double write_timeout = 30;  // a client that reads nothing of a response for this long is cut off
    bool decompress_request = true;
    bool compress_response = true;
    std::uint64_t websocket_max_message_size = 2097152;
    std::size_t chat_max_backlog = 1048576;  // a chat member with more unflushed bytes is closed (1008)
    std::string cookie_secret = "demo-cookie-secret";
    double shutdown_grace = 30;  // seconds requests in flight get after SIGTERM or SIGINT
    std::string site;  // empty: a temporary directory made at start
    bool debug = false;  // Tornado's debug mode: templates re-read, tracebacks shown, autoreload
};

/// The Application; `stats` counts its requests for the /stats panel.
std::unique_ptr<Application> make_application(const DemoOptions& options, std::shared_ptr<DemoStats> stats);
HTTPServerOptions server_options(const DemoOptions& options);

}  // namespace squall::demo
