// A chat room over WebSocket, a port of Tornado's demos/websocket (its chatdemo.py): the page
// at / opens a WebSocket to /chatsocket; every message goes to everyone in the room, and a
// newcomer first gets the last messages. Run it and open http://127.0.0.1:8888/ in two tabs.
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <squall/options.h>
#include <squall/web.h>
#include <squall/websocket.h>

#include "page.h"

const int& port = squall::define("port", 8888, "port to listen on (0: any free port)");

class ChatSocket;

// What Tornado keeps in class attributes (waiters, cache), kept here in one object that the
// route hands to each handler, so that nothing is global.
struct Room {
    std::vector<std::weak_ptr<ChatSocket>> members;  // weak: a member is owned by its connection
    std::deque<std::string> history;                 // the last messages, as sent
    static constexpr std::size_t history_size = 200;
    int next_id = 1;
};

class MainHandler : public squall::RequestHandler {
public:
    squall::Future<void> get() override {
        write(chat_page);
        return {};
    }
};

class ChatSocket : public squall::WebSocketHandler {
public:
    void initialize(std::shared_ptr<Room> room) { room_ = std::move(room); }

    squall::Future<void> open() override {
        for (const std::string& message : room_->history) send(message);
        room_->members.push_back(std::static_pointer_cast<ChatSocket>(shared_from_this()));
        return {};
    }

    // Messages come as {"body": "..."}; they go out as {"id": n, "body": "..."}.
    squall::Future<void> on_message(std::string message, bool) override {
        auto parsed = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
        if (!parsed.is_object() || !parsed["body"].is_string()) {
            close(1003, "expected {\"body\": \"...\"}");
            return {};
        }
        std::string chat = nlohmann::json{{"id", room_->next_id++}, {"body", parsed["body"]}}.dump();
        room_->history.push_back(chat);
        if (room_->history.size() > Room::history_size) room_->history.pop_front();
        // A copy of the list: a send can fail and close a member, which then leaves the room.
        const auto members = room_->members;
        for (const auto& weak : members)
            if (auto member = weak.lock()) member->send(chat);
        return {};
    }

    void on_close() override {
        std::erase_if(room_->members, [this](const auto& weak) {
            auto member = weak.lock();
            return !member || member.get() == this;
        });
    }

private:
    void send(const std::string& message) {
        // Not awaited: one slow member must not hold up the room. A member that has gone
        // fails the write; its on_close() cleans up, so the failure is only acknowledged.
        // (A member that stays but reads nothing lets its messages pile up in memory; a
        // real room would close it past some backlog, as squall-demo's /chat does.)
        write_message(message, false).add_done_callback([](squall::Future<void> f) { (void)f.exception(); });
    }

    std::shared_ptr<Room> room_;
};

int main(int argc, char** argv) try {
    squall::parse_command_line(argc, argv);
    auto room = std::make_shared<Room>();
    squall::Application app({
        squall::url<MainHandler>("/"),
        squall::url<ChatSocket>("/chatsocket", room),  // room is passed to initialize()
    });
    squall::HTTPServer& server = app.listen(static_cast<std::uint16_t>(port), "127.0.0.1");
    std::printf("listening on http://127.0.0.1:%d/\n", server.ports().front());
    std::fflush(stdout);
    squall::IOLoop::current().start();
} catch (const std::exception& e) {  // a bad option, a port in use...
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
}
