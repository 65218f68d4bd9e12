// The TLS example of docs/iostream.md: a line echo server over TLS (coroutine style) and a TLS
// client that verifies it (callback style), on 127.0.0.1. Usage: tls_example CERT KEY, where
// CERT names localhost and is trusted by the client. Built and run by the tests.
#include <cstdio>
#include <memory>

#include <squall/ssliostream.h>
#include <squall/tcpclient.h>
#include <squall/tcpserver.h>

using squall::Future;
using squall::IOStream;
using squall::StreamClosedError;

class TLSEchoServer : public squall::TCPServer {
    using TCPServer::TCPServer;
    void handle_stream(std::unique_ptr<IOStream> stream, const squall::SocketAddress&) override {
        serve(std::move(stream));
    }
    // The stream arrives with its handshake under way; the first read waits for it.
    static Future<void> serve(std::unique_ptr<IOStream> stream) {
        try {
            while (true) {
                std::string line = co_await stream->read_until("\n", 64 * 1024);
                co_await stream->write(std::move(line));
            }
        } catch (const StreamClosedError&) {  // the client went away, or its handshake failed
        }
    }
};

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s CERT KEY\n", argv[0]);
        return 2;
    }
    squall::IOLoop loop;
    squall::SSLOptions server_options;
    server_options.certfile = argv[1];
    server_options.keyfile = argv[2];
    TLSEchoServer server(loop, {}, squall::SSLContext::server(server_options));
    server.listen(0, "127.0.0.1");

    // The client checks the chain and that the certificate names "localhost".
    squall::SSLOptions client_options;
    client_options.ca_certs = argv[1];
    squall::ConnectOptions connect;
    connect.ssl_options = squall::SSLContext::client(client_options);
    connect.server_hostname = "localhost";

    squall::TCPClient client(nullptr, loop);
    std::unique_ptr<IOStream> stream;
    std::string reply;
    client.connect("127.0.0.1", server.ports().front(), connect)
        .add_done_callback([&](Future<std::unique_ptr<IOStream>> f) {
            if (f.exception()) {
                std::fprintf(stderr, "connect failed: %s\n", squall::detail::describe_exception(f.exception()).c_str());
                loop.stop();
                return;
            }
            stream = std::move(f.result());
            auto& tls = dynamic_cast<squall::SSLIOStream&>(*stream);
            std::printf("%s with %s\n", tls.version().c_str(), tls.cipher().c_str());
            stream->write("hello over TLS\n");
            stream->read_until("\n", [&](std::string line) {
                reply = std::move(line);
                loop.stop();
            });
        });
    loop.call_later(std::chrono::seconds(5), [&] { loop.stop(); });  // never hang
    loop.start();
    std::printf("echoed: %s", reply.c_str());
    return reply == "hello over TLS\n" ? 0 : 1;
}
