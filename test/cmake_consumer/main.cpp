// The CMake consumer's program: an Application on a kernel-picked loopback port, fetched with
// AsyncHTTPClient and echoed over a WebSocket, so that every one of squall's libraries (and the
// ones they need) has to link and work.
#include <squall/httpclient.h>
#include <squall/web.h>
#include <squall/websocket.h>
#include <squall/websocket_client.h>

#include <cstdio>
#include <string>

class HelloHandler : public squall::RequestHandler {
public:
    squall::Future<void> get() override {
        write(nlohmann::json{{"hello", get_argument("name", "world")}});
        return {};
    }
};

class EchoHandler : public squall::WebSocketHandler {
public:
    squall::Future<void> on_message(std::string message, bool binary) override {
        return write_message("echo: " + message, binary);
    }
};

squall::Future<std::string> exercise(int port) {
    std::string base = "127.0.0.1:" + std::to_string(port);
    squall::AsyncHTTPClient client;
    squall::HTTPResponse page = co_await client.fetch("http://" + base + "/?name=cmake");
    auto connecting = squall::websocket_connect("ws://" + base + "/ws");
    std::shared_ptr<squall::WebSocketClientConnection> ws = co_await std::move(connecting);
    co_await ws->write_message("ping", false);
    std::optional<squall::WebSocketMessage> reply = co_await ws->read_message();
    ws->close(1000);
    co_return page.body + " " + (reply ? reply->data : "no reply");
}

int main() {
    squall::IOLoop loop;
    loop.make_current();
    squall::Application app({squall::url<HelloHandler>("/"), squall::url<EchoHandler>("/ws")});
    auto& server = app.listen(0, "127.0.0.1");  // the Application keeps it
    std::string got = loop.run_sync([&] { return exercise(server.ports().front()); }, std::chrono::seconds(10));
    std::printf("%s\n", got.c_str());
    return got == "{\"hello\":\"cmake\"} echo: ping" ? 0 : 1;
}
