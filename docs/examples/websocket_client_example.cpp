// The client example of docs/websocket.md: websocket_connect to an in-process echo server on a
// kernel-picked port, a message each way, then the closing handshake. Built and run by the
// tests. Models the websocket_connect usage of tornado/websocket.py (4.0).
#include <squall/web.h>
#include <squall/websocket.h>
#include <squall/websocket_client.h>

#include <cstdio>
#include <string>

class EchoHandler : public squall::WebSocketHandler {
public:
    squall::Future<void> on_message(std::string message, bool binary) override {
        return write_message("you said: " + message, binary);
    }
};

squall::Future<std::string> say_hello(int port) {
    squall::WebSocketConnectOptions options;
    options.subprotocols = {"chat"};  // offered; this server picks none
    auto connecting = squall::websocket_connect("ws://127.0.0.1:" + std::to_string(port) + "/echo", options);
    std::shared_ptr<squall::WebSocketClientConnection> ws = co_await std::move(connecting);
    co_await ws->write_message("hello", false);
    std::optional<squall::WebSocketMessage> reply = co_await ws->read_message();
    ws->close(1000, "done");
    std::optional<squall::WebSocketMessage> end = co_await ws->read_message();  // nullopt: closed
    std::printf("closed with %d\n", ws->close_code().value_or(0));
    co_return reply && !end ? reply->data : "no reply";
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
