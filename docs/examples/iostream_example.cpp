// The example of docs/iostream.md: a line echo server (coroutine style) and a client (callback
// style) on 127.0.0.1. Built and run by the tests so the documentation stays true.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <memory>

#include <squall/iostream.h>
#include <squall/tcpserver.h>

using squall::Future;
using squall::IOStream;
using squall::StreamClosedError;

// Server, coroutine style: one coroutine per connection; the stream closes when it returns.
class EchoServer : public squall::TCPServer {
    using TCPServer::TCPServer;
    void handle_stream(std::unique_ptr<IOStream> stream, const squall::SocketAddress&) override {
        serve(std::move(stream));
    }
    static Future<void> serve(std::unique_ptr<IOStream> stream) {
        try {
            while (true) {
                std::string line = co_await stream->read_until("\n", 64 * 1024);
                co_await stream->write(std::move(line));
            }
        } catch (const StreamClosedError&) {  // the client went away
        }
    }
};

int main() {
    squall::IOLoop loop;
    EchoServer server(loop);
    server.listen(0, "127.0.0.1");

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(server.ports().front()));

    // Client, callback style: each step's callback runs on a later loop iteration.
    IOStream client(loop, ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    std::string reply;
    client.connect(reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    client.write("hello, squall\n");
    client.read_until("\n", [&](std::string line) {
        reply = std::move(line);
        loop.stop();
    });
    loop.call_later(std::chrono::seconds(5), [&] { loop.stop(); });  // never hang
    loop.start();
    std::printf("echoed: %s", reply.c_str());
    return reply == "hello, squall\n" ? 0 : 1;
}
