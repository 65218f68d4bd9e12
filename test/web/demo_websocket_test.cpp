// The demo's WebSocket endpoints as users reach them: squall-demo on a kernel-picked port, a
// raw WebSocket client on /ws (echo, origin check, close frames seen by /ws-last-close),
// /ws-close, the /chat room (broadcast, members leaving, a member too slow to read) and the
// /stats feed of the front page's live panel.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "demo_process.h"
#include "squall/httpclient.h"
#include "web_support.h"
#include "websocket_client.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::RawWebSocketClient;
using squall::testing::ServerFrame;
using Status = WebSocketParser::Status;
using Client = std::unique_ptr<RawWebSocketClient>;

#ifdef SQUALL_DEMO_TOOL
using squall::testing::DemoProcess;

namespace {

Future<Client> open_socket(int port, std::string path) {
    auto connecting = RawWebSocketClient::connect(port, std::move(path));
    Client client = co_await std::move(connecting);
    REQUIRE(client->status() == 101);
    co_return client;
}

/// Our close frame, the server's answer (its code returned), then the end of the stream.
Future<std::uint16_t> close_handshake(RawWebSocketClient& client, std::uint16_t code, std::string reason) {
    co_await client.send_close(code, reason);
    ServerFrame answer = co_await client.next();
    CHECK(answer.status == Status::close);
    try {
        co_await client.wait_for_eof();
    } catch (const StreamClosedError&) {
        // The end of the stream came with the close frame: next() saw it already.
    }
    co_return answer.code;
}

Future<nlohmann::json> last_close(AsyncHTTPClient& http, const DemoProcess& demo) {
    auto fetching = http.fetch(testing::raw_request(demo.base_url() + "/ws-last-close"), false);
    HTTPResponse response = co_await std::move(fetching);
    CHECK(response.code == 200);
    co_return nlohmann::json::parse(response.body);
}

/// Message `i` of a flood: its number, then filler up to `size` bytes.
std::string numbered(int i, std::size_t size) {
    std::string message = std::to_string(i) + ":";
    message.resize(size, static_cast<char>('a' + i % 26));
    return message;
}

/// Messages from `client` until a frame that is not one: how many, whether they were
/// numbered 0, 1, 2... in order, and the frame that ended them.
struct Received {
    int messages = 0;
    bool in_order = true;
    ServerFrame last;
};
Future<Received> read_until_not_a_message(RawWebSocketClient& client, std::size_t size) {
    Received received;
    while (true) {
        ServerFrame frame = co_await client.next();
        if (frame.status != Status::message) {
            received.last = std::move(frame);
            co_return received;
        }
        received.in_order = received.in_order && frame.payload == numbered(received.messages, size);
        ++received.messages;
    }
}

/// Every client in `members` receives `text` as a text message.
Future<void> expect_everyone_gets(std::vector<RawWebSocketClient*> members, std::string text) {
    for (RawWebSocketClient* member : members) {
        ServerFrame frame = co_await member->next();
        CHECK(frame.status == Status::message);
        CHECK(frame.opcode == WebSocketOpcode::text);
        CHECK(frame.payload == text);
    }
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "squall-demo /ws: text echoed as text, binary as binary; other origins refused",
                 "[web][demo][websocket][net]") {
    DemoProcess demo(*this);
    run_sync([&]() -> Future<void> {
        Client client = co_await open_socket(demo.port(), "/ws");
        co_await client->send(WebSocketOpcode::text, "héllo");
        ServerFrame text = co_await client->next();
        CHECK(text.opcode == WebSocketOpcode::text);
        CHECK(text.payload == "héllo");
        std::string bytes("\x00\xff\x80 binary", 10);
        co_await client->send(WebSocketOpcode::binary, bytes);
        ServerFrame binary = co_await client->next();
        CHECK(binary.opcode == WebSocketOpcode::binary);
        CHECK(binary.payload == bytes);
        std::uint16_t echoed_code = co_await close_handshake(*client, 1000, "");
        CHECK(echoed_code == 1000);

        HTTPHeaders same_origin = testing::upgrade_headers(demo.port());
        same_origin.set("Origin", "http://127.0.0.1:" + std::to_string(demo.port()));
        auto connecting = RawWebSocketClient::connect(demo.port(), "/ws", same_origin);
        Client accepted = co_await std::move(connecting);
        CHECK(accepted->status() == 101);
        HTTPHeaders other_origin = testing::upgrade_headers(demo.port());
        other_origin.set("Origin", "http://evil.example");
        auto refused = RawWebSocketClient::connect(demo.port(), "/ws", other_origin);
        Client refusal = co_await std::move(refused);
        CHECK(refusal->status() == 403);
    });
    CHECK(demo.stop() == 0);
}

TEST_CASE_METHOD(AsyncTest, "squall-demo /ws: permessage-deflate accepted and used when offered",
                 "[web][demo][websocket][net]") {
    DemoProcess demo(*this);
    run_sync([&]() -> Future<void> {
        HTTPHeaders offer = testing::upgrade_headers(demo.port());
        offer.set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        auto connecting = RawWebSocketClient::connect(demo.port(), "/ws", offer);
        Client client = co_await std::move(connecting);
        REQUIRE(client->status() == 101);
        CHECK(client->response_headers().get("Sec-WebSocket-Extensions") == "permessage-deflate");
        client->allow_compressed();
        const std::string hello("\xf2\x48\xcd\xc9\xc9\x07\x00", 7);  // "Hello", RFC 7692 section 7.2.3.1
        co_await client->send(WebSocketOpcode::text, hello, true, true);
        ServerFrame echo = co_await client->next();
        CHECK(echo.opcode == WebSocketOpcode::text);
        CHECK(echo.payload == hello);  // deflated again, the same way
        std::uint16_t echoed_code = co_await close_handshake(*client, 1000, "");
        CHECK(echoed_code == 1000);
    });
    CHECK(demo.stop() == 0);
}

TEST_CASE_METHOD(AsyncTest, "squall-demo /ws-close: closed at once with 4000 \"bye\"", "[web][demo][websocket][net]") {
    DemoProcess demo(*this);
    run_sync([&]() -> Future<void> {
        Client client = co_await open_socket(demo.port(), "/ws-close");
        ServerFrame frame = co_await client->next();
        CHECK(frame.status == Status::close);
        CHECK(frame.code == 4000);
        CHECK(frame.reason == "bye");
        co_await client->send_close(4000, "");
        co_await client->wait_for_eof();
    });
}

TEST_CASE_METHOD(AsyncTest, "squall-demo /stats: the live panel's figures at once and every second",
                 "[web][demo][websocket][net]") {
    DemoProcess demo(*this);
    AsyncHTTPClient http({}, io_loop());
    run_sync(
        [&]() -> Future<void> {
            for (int i = 0; i < 3; ++i) {
                HTTPResponse hello = co_await http.fetch(demo.base_url() + "/hello");
                CHECK(hello.code == 200);
            }
            Client client = co_await open_socket(demo.port(), "/stats");
            ServerFrame first = co_await client->next();
            REQUIRE(first.opcode == WebSocketOpcode::text);
            auto figures = nlohmann::json::parse(first.payload);
            CHECK(figures["requests"].get<int>() >= 3);
            CHECK(figures["connections"].get<int>() >= 1);  // this socket at least
            CHECK_FALSE(figures["poller"].get<std::string>().empty());
            CHECK(figures["rss_bytes"].get<std::int64_t>() > 1000000);
            ServerFrame second = co_await client->next();  // a second later
            auto later = nlohmann::json::parse(second.payload);
            CHECK(later["uptime_s"].get<double>() > figures["uptime_s"].get<double>());
            CHECK(later["requests"].get<int>() >= figures["requests"].get<int>());
            // A figure may still come before the answer to our close frame.
            co_await client->send_close(1000, "");
            ServerFrame answer = co_await client->next();
            while (answer.status != Status::close && answer.opcode == WebSocketOpcode::text) answer = co_await client->next();
            CHECK(answer.status == Status::close);
            CHECK(answer.code == 1000);
        },
        20s);
}

TEST_CASE_METHOD(AsyncTest, "squall-demo /ws-last-close: the last close frame /ws received", "[web][demo][websocket][net]") {
    DemoProcess demo(*this);
    AsyncHTTPClient http({}, io_loop());
    run_sync([&]() -> Future<void> {
        nlohmann::json before = co_await last_close(http, demo);
        CHECK(before == nlohmann::json::parse(R"({"code": null, "reason": null})"));
        Client first = co_await open_socket(demo.port(), "/ws");
        std::uint16_t first_code = co_await close_handshake(*first, 4321, "x");
        CHECK(first_code == 4321);
        nlohmann::json after = co_await last_close(http, demo);
        CHECK(after == nlohmann::json::parse(R"({"code": 4321, "reason": "x"})"));

        Client second = co_await open_socket(demo.port(), "/ws");
        std::uint16_t second_code = co_await close_handshake(*second, 1001, "going away");
        CHECK(second_code == 1001);
        nlohmann::json latest = co_await last_close(http, demo);
        CHECK(latest == nlohmann::json::parse(R"({"code": 1001, "reason": "going away"})"));
    });
}

TEST_CASE_METHOD(AsyncTest, "squall-demo /chat: every message reaches every member; members leave",
                 "[web][demo][websocket][net]") {
    DemoProcess demo(*this);
    run_sync([&]() -> Future<void> {
        Client alice = co_await open_socket(demo.port(), "/chat");
        Client bob = co_await open_socket(demo.port(), "/chat");
        Client carol = co_await open_socket(demo.port(), "/chat");
        Client dave = co_await open_socket(demo.port(), "/chat");
        std::vector<RawWebSocketClient*> everyone = {alice.get(), bob.get(), carol.get(), dave.get()};
        co_await alice->send(WebSocketOpcode::text, "hi from alice");
        co_await expect_everyone_gets(everyone, "hi from alice");
        co_await bob->send(WebSocketOpcode::text, "<b>bob</b>");
        co_await expect_everyone_gets(everyone, "<b>bob</b>");

        std::uint16_t carol_code = co_await close_handshake(*carol, 1000, "");
        CHECK(carol_code == 1000);
        dave->close();  // vanishes without a close frame
        co_await bob->send(WebSocketOpcode::text, "still here?");
        std::vector<RawWebSocketClient*> remaining = {alice.get(), bob.get()};
        co_await expect_everyone_gets(remaining, "still here?");
        Client erin = co_await open_socket(demo.port(), "/chat");
        remaining.push_back(erin.get());
        co_await erin->send(WebSocketOpcode::text, "erin joined");
        co_await expect_everyone_gets(remaining, "erin joined");
    });
    CHECK(demo.stop() == 0);
}

TEST_CASE_METHOD(AsyncTest, "squall-demo /chat: a message past websocket_max_message_size closes with 1009",
                 "[web][demo][websocket][net]") {
    DemoProcess demo(*this, {"--websocket-max-message-size", "1000"});
    run_sync([&]() -> Future<void> {
        Client alice = co_await open_socket(demo.port(), "/chat");
        co_await alice->send(WebSocketOpcode::text, std::string(1000, 'a'));
        ServerFrame echoed = co_await alice->next();
        CHECK(echoed.payload == std::string(1000, 'a'));
        co_await alice->send(WebSocketOpcode::text, std::string(1001, 'a'));
        ServerFrame refused = co_await alice->next();
        CHECK(refused.status == Status::close);
        CHECK(refused.code == 1009);
    });
}
TEST_CASE_METHOD(AsyncTest, "squall-demo /chat: a member that stops reading is closed with 1008, the others go on",
                 "[web][demo][websocket][net]") {
    // A small bound, so that what the flood must exceed is mostly the kernel's socket buffers
    // for the sleeping member (at most 4 MiB to send and a few hundred KiB to receive here).
    DemoProcess demo(*this, {"--chat-max-backlog", "65536"});
    constexpr int flood = 96;
    constexpr std::size_t size = 128 * 1024;  // 12 MiB in all
    run_sync(
        [&]() -> Future<void> {
            Client sender = co_await open_socket(demo.port(), "/chat");
            Client reader = co_await open_socket(demo.port(), "/chat");
            Client sleeper = co_await open_socket(demo.port(), "/chat");  // reads nothing until the flood is over
            std::vector<RawWebSocketClient*> readers = {sender.get(), reader.get()};
            bool all_delivered = true;
            for (int i = 0; i < flood; ++i) {
                // In step: the members that read never have more than one message unflushed.
                std::string message = numbered(i, size);
                co_await sender->send(WebSocketOpcode::binary, message);
                for (RawWebSocketClient* member : readers) {
                    ServerFrame frame = co_await member->next();
                    all_delivered = all_delivered && frame.opcode == WebSocketOpcode::binary && frame.payload == message;
                }
            }
            CHECK(all_delivered);

            Received slept = co_await read_until_not_a_message(*sleeper, size);
            CHECK(slept.in_order);
            CHECK(slept.messages < flood);
            CHECK(slept.last.status == Status::close);
            CHECK(slept.last.code == 1008);
            co_await sleeper->send_close(1008, "");
            co_await sleeper->wait_for_eof();
            co_await sender->send(WebSocketOpcode::text, "after the sleeper");
            co_await expect_everyone_gets(readers, "after the sleeper");
        },
        30s);
}
#endif
