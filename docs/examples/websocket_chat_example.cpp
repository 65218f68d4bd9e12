// The chat example of docs/websocket.md: a room that sends every message to every member, and
// two members meeting in it, one client written with callbacks and one as a coroutine.
// Built and run by the tests.
#include <squall/web.h>
#include <squall/websocket.h>
#include <squall/websocket_client.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

// ---- The server: members join in open() and leave in on_close().
class ChatHandler;

struct ChatRoom {
    std::vector<std::weak_ptr<ChatHandler>> members;
};

class ChatHandler : public squall::WebSocketHandler {
public:
    void initialize(std::shared_ptr<ChatRoom> room) { room_ = std::move(room); }

    squall::Future<void> open() override {
        room_->members.push_back(std::static_pointer_cast<ChatHandler>(shared_from_this()));
        return {};
    }
    squall::Future<void> on_message(std::string message, bool binary) override {
        const auto members = room_->members;  // a copy: a member may leave while we send
        for (const auto& weak : members)
            if (auto member = weak.lock()) member->send(message, binary);
        return {};
    }
    void on_close() override {
        auto& m = room_->members;
        m.erase(std::remove_if(m.begin(), m.end(), [this](const auto& w) { return w.expired() || w.lock().get() == this; }),
                m.end());
    }

private:
    void send(const std::string& message, bool binary) {
        // A member that has gone fails its write; its on_close has the news, so the failure is dropped.
        write_message(message, binary).add_done_callback([](squall::Future<void> f) { (void)f.exception(); });
    }
    std::shared_ptr<ChatRoom> room_;
};

// ---- A client in callback style: Tornado's on_message_callback and done callbacks.
// Bob says he is here, answers Alice, and reports when the room has closed on him.
class Bob {
public:
    explicit Bob(const std::string& url) {
        squall::WebSocketConnectOptions options;
        options.on_message = [this](std::optional<squall::WebSocketMessage> m) { on_message(std::move(m)); };
        squall::websocket_connect(url, options).add_done_callback([this](auto connected) {
            if (auto error = connected.exception()) return here_.set_exception(error);
            ws_ = connected.result();
            (void)ws_->write_message("bob: here", false);
        });
    }
    squall::Future<void> here() const { return here_.get_future(); }  // Bob's own line came back
    squall::Future<void> gone() const { return gone_.get_future(); }  // the connection has closed
    void leave() { ws_->close(1000, "bye"); }

private:
    void on_message(std::optional<squall::WebSocketMessage> m) {
        if (!m) return gone_.set_result();
        if (m->data == "bob: here") here_.set_result();
        if (m->data == "alice: hi") (void)ws_->write_message("bob: hi alice", false);
    }
    std::shared_ptr<squall::WebSocketClientConnection> ws_;
    squall::Promise<void> here_, gone_;
};

// ---- A client as a coroutine: Alice greets the room and reads until Bob answers.
squall::Future<std::string> alice(std::string url) {
    auto connecting = squall::websocket_connect(url);
    std::shared_ptr<squall::WebSocketClientConnection> ws = co_await std::move(connecting);
    co_await ws->write_message("alice: hi", false);
    std::string heard;
    while (std::optional<squall::WebSocketMessage> m = co_await ws->read_message()) {
        heard += m->data + "\n";  // her own line first: the room sends to everyone
        if (m->data == "bob: hi alice") break;
    }
    ws->close(1000, "bye");
    while (co_await ws->read_message()) {
    }
    co_return heard;
}

squall::Future<std::string> meet(std::string url) {
    Bob bob(url);
    co_await bob.here();  // Bob is in the room before Alice speaks
    std::string heard = co_await alice(url);
    bob.leave();
    co_await bob.gone();
    co_return heard;
}

int main() {
    squall::IOLoop loop;
    loop.make_current();
    squall::Application app({squall::url<ChatHandler>("/chat", std::make_shared<ChatRoom>())});
    auto& server = app.listen(0, "127.0.0.1");
    std::string url = "ws://127.0.0.1:" + std::to_string(server.ports().front()) + "/chat";
    std::string heard = loop.run_sync([&] { return meet(url); }, std::chrono::seconds(5));
    std::fputs(heard.c_str(), stdout);
    return heard == "alice: hi\nbob: hi alice\n" ? 0 : 1;
}
