// squall-bench-tls: squall's side of the TLS benchmark. `server` is a TCPServer with TLS that
// reads each connection to its end and discards it (the work `openssl s_server -quiet` does);
// `client` streams bytes over one verified TLS connection (the work of `s_client` fed from a
// pipe). tools/bench/run-tlsbench runs both against OpenSSL's own tools, and measures full
// handshakes per second with `openssl s_time` against either server.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "squall/log.h"
#include "squall/ssliostream.h"
#include "squall/tcpclient.h"
#include "squall/tcpserver.h"

namespace {

class DiscardServer : public squall::TCPServer {
    using TCPServer::TCPServer;
    void handle_stream(std::unique_ptr<squall::IOStream> stream, const squall::SocketAddress&) override {
        drain(std::move(stream));
    }
    static squall::Future<void> drain(std::unique_ptr<squall::IOStream> stream) {
        try {
            std::size_t total = 0;
            squall::Streaming discard([&total](std::string_view chunk) { total += chunk.size(); });
            co_await stream->read_until_close(std::move(discard));
        } catch (const squall::StreamClosedError&) {
        }
    }
};

int run_server(const char* cert, const char* key) {
    squall::set_logging_level(squall::LogLevel::error);
    squall::IOLoop loop;
    squall::SSLOptions options;
    options.certfile = cert;
    options.keyfile = key;
    DiscardServer server(loop, {}, squall::SSLContext::server(options));
    server.listen(0, "127.0.0.1");
    std::printf("ready %d\n", server.ports().front());
    std::fflush(stdout);
    loop.start();
    return 0;
}

squall::Future<void> send_all(squall::TCPClient& client, int port, const char* ca, std::size_t total,
                              double& seconds) {
    squall::SSLOptions options;
    options.ca_certs = ca;
    squall::ConnectOptions connect;
    connect.ssl_options = squall::SSLContext::client(options);
    connect.server_hostname = "localhost";
    auto start = std::chrono::steady_clock::now();
    auto stream = co_await client.connect("127.0.0.1", port, connect);
    // Keep a few chunks in flight, as a pipe feeding s_client would.
    const std::string chunk(256 * 1024, 'b');
    std::size_t sent = 0;
    std::vector<squall::Future<void>> in_flight;
    while (sent < total) {
        std::size_t n = std::min(chunk.size(), total - sent);
        in_flight.push_back(stream->write(chunk.substr(0, n)));
        sent += n;
        if (in_flight.size() == 8) {
            co_await std::move(in_flight.front());
            in_flight.erase(in_flight.begin());
        }
    }
    for (auto& f : in_flight) co_await std::move(f);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    stream->close();
}

int run_client(int port, const char* ca, std::size_t total) {
    squall::IOLoop loop;
    squall::TCPClient client(nullptr, loop);
    double seconds = 0;
    loop.run_sync([&] { return send_all(client, port, ca, total, seconds); }, std::chrono::minutes(5));
    std::printf("bytes %zu seconds %.4f gb_per_s %.3f\n", total, seconds, static_cast<double>(total) / seconds / 1e9);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::strcmp(argv[1], "server") == 0) return run_server(argv[2], argv[3]);
    if (argc == 5 && std::strcmp(argv[1], "client") == 0)
        return run_client(std::atoi(argv[2]), argv[3], static_cast<std::size_t>(std::atoll(argv[4])));
    std::fprintf(stderr,
                 "usage: squall-bench-tls server CERT KEY\n"
                 "       squall-bench-tls client PORT CA BYTES\n");
    return 2;
}
