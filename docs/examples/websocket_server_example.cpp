// The server example of docs/websocket.md: an echo WebSocketHandler on a kernel-picked port,
// and a client made of a TCP connection and the frame codec that says hello and closes.
// Built and run by the tests.
#include <squall/tcpclient.h>
#include <squall/web.h>
#include <squall/websocket.h>

#include <cstdio>
#include <string>

class EchoHandler : public squall::WebSocketHandler {
public:
    squall::Future<void> open() override {
        set_nodelay(true);
        return {};
    }
    squall::Future<void> on_message(std::string message, bool binary) override {
        return write_message("you said: " + message, binary);  // the next message waits for the write
    }
    void on_close() override { std::printf("closed with %d\n", close_code().value_or(0)); }
};

// The client's side, by hand: the handshake, one masked frame, the close.
squall::Future<std::string> say_hello(int port) {
    squall::TCPClient tcp;
    auto connecting = tcp.connect("127.0.0.1", port);  // apart: GCC 12 mishandles the default argument across co_await
    auto stream = co_await std::move(connecting);
    co_await stream->write("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    std::string head = co_await stream->read_until("\r\n\r\n");
    if (head.rfind("HTTP/1.1 101", 0) != 0) co_return "no upgrade: " + head;
    const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    std::string frames;
    squall::write_websocket_frame(frames, squall::WebSocketOpcode::text, "hello", true, key);
    squall::write_websocket_frame(frames, squall::WebSocketOpcode::close, squall::websocket_close_payload(1000), true, key);
    co_await stream->write(std::move(frames));
    std::string reply = co_await stream->read_until_close();  // the echo, the server's close frame

    squall::WebSocketParserOptions client;
    client.expect_masked = false;
    squall::WebSocketParser parser(client);
    auto r = parser.parse(reply);
    co_return r.status == squall::WebSocketParser::Status::message ? parser.payload() : "no message";
}

int main() {
    squall::IOLoop loop;
    loop.make_current();
    squall::Application app({squall::url<EchoHandler>("/echo")});
    auto& server = app.listen(0, "127.0.0.1");
    std::string echoed = loop.run_sync([&] { return say_hello(server.ports().front()); }, std::chrono::seconds(5));
    std::printf("%s\n", echoed.c_str());
    return echoed == "you said: hello" ? 0 : 1;
}
