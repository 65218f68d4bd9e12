// WebSocketHandler over loopback, with a raw client writing masked frames: the handshake and
// each way it is refused, subprotocols, echo, open() and on_message() as coroutines, pings
// and pongs, both closing handshakes, the parser's failures as close frames, and a client that
// vanishes. Ports tornado/test/websocket_test.py (4.0) and adds RFC 6455's failure codes.
#include <string>
#include <vector>

#include "async_test.h"
#include "handler_record.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/web.h"
#include "squall/websocket.h"
#include "squall/websocket_handshake.h"
#include "web_support.h"
#include "websocket_client.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AppServer;
using squall::testing::AsyncTest;
using squall::testing::RawWebSocketClient;
using squall::testing::ServerFrame;
using Status = WebSocketParser::Status;

namespace {

using Record = squall::testing::HandlerRecord;

/// Echoes messages once written (counting flushed writes); "close" closes with 4000 "bye",
/// "ping" pings the client.
class EchoHandler : public WebSocketHandler {
public:
    void initialize(Record* record) { record_ = record; }
    Future<void> open() override {
        record_->events.push_back("open " + (path_args().empty() ? std::string() : path_args()[0].value_or("")));
        return {};
    }
    Future<void> on_message(std::string message, bool binary) override {
        record_->events.push_back((binary ? "binary " : "text ") + message);
        if (message == "close") {
            close(4000, "bye");
            co_return;
        }
        if (message == "ping") {
            ping("server ping");
            co_return;
        }
        auto written = write_message(message, binary);
        co_await written;
        record_->events.push_back("flushed");
    }
    void on_ping(std::string_view data) override { record_->events.push_back("ping " + std::string(data)); }
    void on_pong(std::string_view data) override { record_->events.push_back("pong " + std::string(data)); }
    void on_close() override {
        ++record_->closes;
        record_->close_code = close_code();
        record_->close_reason = close_reason();
        record_->write_after_close_failed = write_message("late").exception() != nullptr;
        if (!record_->closed.done()) record_->closed.set_result();  // one Record may serve several
    }

protected:
    Record* record_ = nullptr;
};

/// open() is a coroutine that takes a while: messages must wait for it.
class SlowOpenHandler : public EchoHandler {
public:
    Future<void> open() override {
        co_await squall::sleep(20ms);
        record_->events.push_back("opened");
    }
};

class SubprotocolHandler : public EchoHandler {
public:
    std::optional<std::string> select_subprotocol(const std::vector<std::string>& offered) override {
        for (const std::string& p : offered)
            if (p == "chat") return p;
        return std::nullopt;
    }
};

class ThrowingOpenHandler : public EchoHandler {
public:
    Future<void> open() override { throw std::runtime_error("no room"); }
};

/// open() tries RequestHandler's output methods, which the upgrade has made unusable, and
/// records each that refused; the request stays readable without its HTTP connection.
class HTTPOutputHandler : public EchoHandler {
public:
    Future<void> open() override {
        try_method("set_status", [this] { set_status(404); });
        try_method("set_header", [this] { set_header("X-A", "1"); });
        try_method("add_header", [this] { add_header("X-A", "1"); });
        try_method("clear_header", [this] { clear_header("Server"); });
        try_method("set_cookie", [this] { set_cookie("a", "1"); });
        try_method("clear_cookie", [this] { clear_cookie("a"); });
        try_method("write", [this] { write("x"); });
        try_method("flush", [this] { (void)flush(); });
        try_method("finish", [this] { (void)finish(); });
        try_method("redirect", [this] { redirect("/elsewhere"); });
        try_method("clear", [this] { clear(); });
        record_->events.push_back(std::string("connection ") + (request().connection ? "kept" : "released"));
        record_->events.push_back("upgrade " + request().headers.get("Upgrade"));
        record_->events.push_back("response headers " + std::to_string(response_headers().size()));
        return {};
    }

private:
    template <class F>
    void try_method(const char* name, F call) {
        try {
            call();
            record_->events.push_back(std::string(name) + " allowed");
        } catch (const std::logic_error& e) {
            record_->events.push_back(std::string(name) + " refused: " + e.what());
        }
    }
};

class RefusingHandler : public EchoHandler {
public:
    Future<void> prepare() override { throw HTTPError(401); }
};

AppServer echo_server(Record& record, ApplicationSettings settings = {}) {
    return AppServer({url<EchoHandler>("/echo(?:/(.*))?", &record), url<SlowOpenHandler>("/slow", &record),
                      url<SubprotocolHandler>("/sub", &record), url<RefusingHandler>("/refuse", &record),
                      url<ThrowingOpenHandler>("/throw", &record),
                      url<HTTPOutputHandler>("/http-output", &record)},
                     std::move(settings));
}

/// The status of an upgrade request to /echo whose headers `edit` changed.
template <class Edit>
int handshake_status(AsyncTest& test, int port, Edit edit, HTTPHeaders* response = nullptr) {
    return test.run_sync([&]() -> Future<int> {
        HTTPHeaders headers = testing::upgrade_headers(port);
        edit(headers);
        auto connecting = RawWebSocketClient::connect(port, "/echo", headers);
        auto client = co_await std::move(connecting);
        if (response) *response = client->response_headers();
        co_return client->status();
    });
}

/// Connects a raw client to `path`, runs `talk` with it, then waits for the handler's on_close.
template <class Talk>
void session(AsyncTest& test, Record& record, int port, std::string path, Talk talk) {
    test.run_sync([&]() -> Future<void> {
        auto connecting = RawWebSocketClient::connect(port, path);
        auto client = co_await std::move(connecting);
        auto talking = talk(*client);
        co_await std::move(talking);
        co_await record.closed.get_future();
    });
}

}  // namespace

TEST_CASE("websocket_accept_value: RFC 6455's example", "[websocket][handshake]") {
    CHECK(websocket_accept_value(testing::rfc_key) == testing::rfc_accept);
    CHECK(valid_websocket_key(testing::rfc_key));
    CHECK_FALSE(valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ"));    // unpadded
    CHECK_FALSE(valid_websocket_key("dGhlIHNhbXBsZSBub25jZXM="));  // 17 bytes
    CHECK_FALSE(valid_websocket_key(""));
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: a handshake answered with 101 and the RFC's accept value",
                 "[websocket][handshake][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/echo/room", [](RawWebSocketClient& client) -> Future<void> {
        CHECK(client.status() == 101);
        CHECK(client.response_headers().get("Sec-WebSocket-Accept") == testing::rfc_accept);
        CHECK(client.response_headers().get("Upgrade") == "websocket");
        CHECK_FALSE(client.response_headers().contains("Sec-WebSocket-Protocol"));
        co_await client.send_close(1000, "");
    });
    CHECK(record.events.front() == "open room");
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: refused handshakes", "[websocket][handshake][net]") {
    Record record;
    AppServer s = echo_server(record);
    auto status_with = [&](auto edit) { return handshake_status(*this, s.port, edit); };
    CHECK(status_with([](HTTPHeaders& h) { h.erase("Upgrade"); }) == 400);
    CHECK(status_with([](HTTPHeaders& h) { h.set("Upgrade", "h2c"); }) == 400);
    CHECK(status_with([](HTTPHeaders& h) { h.set("Connection", "keep-alive"); }) == 400);
    CHECK(status_with([](HTTPHeaders& h) { h.erase("Sec-WebSocket-Key"); }) == 400);
    CHECK(status_with([](HTTPHeaders& h) { h.set("Sec-WebSocket-Key", "c2hvcnQ="); }) == 400);
    CHECK(status_with([&](HTTPHeaders& h) { h.set("Origin", "http://evil.example"); }) == 403);
    CHECK(status_with([&](HTTPHeaders& h) { h.set("Origin", "127.0.0.1:" + std::to_string(s.port)); }) == 403);
    HTTPHeaders answer;
    CHECK(handshake_status(*this, s.port, [](HTTPHeaders& h) { h.set("Sec-WebSocket-Version", "8"); }, &answer) ==
          426);
    CHECK(answer.get("Sec-WebSocket-Version") == "13");
    CHECK(record.closes == 0);
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: accepted variations of the handshake", "[websocket][handshake][net]") {
    Record record;
    AppServer s = echo_server(record);
    auto status_with = [&](auto edit) { return handshake_status(*this, s.port, edit); };
    CHECK(status_with([](HTTPHeaders& h) { h.set("Connection", "keep-alive, Upgrade"); }) == 101);
    CHECK(status_with([](HTTPHeaders& h) { h.set("Upgrade", "WebSocket"); }) == 101);
    CHECK(status_with([&](HTTPHeaders& h) { h.set("Origin", "http://127.0.0.1:" + std::to_string(s.port)); }) == 101);
    run_sync([&]() -> Future<void> {  // the three clients have gone: each on_close ran
        while (record.closes < 3) co_await squall::moment;
    });
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: prepare() refuses with an HTTP error; other verbs get 405",
                 "[websocket][handshake][net]") {
    Record record;
    AppServer s = echo_server(record);
    run_sync([&]() -> Future<void> {
        auto connecting = RawWebSocketClient::connect(s.port, "/refuse");
        auto refused = co_await std::move(connecting);
        CHECK(refused->status() == 401);
    });
    AsyncHTTPClient client({}, io_loop());
    HTTPResponse posted = run_sync([&] { return client.fetch(testing::raw_request(s.url("/echo"), "POST"), false); });
    CHECK(posted.code == 405);
    CHECK(record.events.empty());
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: select_subprotocol", "[websocket][handshake][net]") {
    Record record;
    AppServer s = echo_server(record);
    run_sync([&]() -> Future<void> {
        HTTPHeaders headers = testing::upgrade_headers(s.port);
        headers.set("Sec-WebSocket-Protocol", "superchat, chat");
        auto connecting = RawWebSocketClient::connect(s.port, "/sub", headers);
        auto client = co_await std::move(connecting);
        CHECK(client->status() == 101);
        CHECK(client->response_headers().get("Sec-WebSocket-Protocol") == "chat");
        co_await client->send_close(1000, "");
        co_await record.closed.get_future();
    });
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: echo of text and binary; write_message's Future completes",
                 "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/echo", [](RawWebSocketClient& client) -> Future<void> {
        co_await client.send(WebSocketOpcode::text, "héllo");
        ServerFrame text = co_await client.next();
        CHECK(text.status == Status::message);
        CHECK(text.opcode == WebSocketOpcode::text);
        CHECK(text.payload == "héllo");
        co_await client.send(WebSocketOpcode::binary, std::string("\x00\xff\x01", 3));
        ServerFrame binary = co_await client.next();
        CHECK(binary.opcode == WebSocketOpcode::binary);
        CHECK(binary.payload == std::string("\x00\xff\x01", 3));
        co_await client.send(WebSocketOpcode::text, "frag", false);  // a fragmented message
        co_await client.send(WebSocketOpcode::continuation, "mented");
        ServerFrame joined = co_await client.next();
        CHECK(joined.payload == "fragmented");
        co_await client.send_close(1000, "");
    });
    std::vector<std::string> expected = {"open ",    "text héllo",      "flushed", std::string("binary \x00\xff\x01", 10),
                                         "flushed", "text fragmented", "flushed"};
    CHECK(record.events == expected);
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: messages wait for a coroutine open()", "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/slow", [](RawWebSocketClient& client) -> Future<void> {
        co_await client.send(WebSocketOpcode::text, "early");  // arrives while open() sleeps
        ServerFrame echo = co_await client.next();
        CHECK(echo.payload == "early");
        co_await client.send_close(1000, "");
    });
    REQUIRE(record.events.size() >= 2);
    CHECK(record.events[0] == "opened");
    CHECK(record.events[1] == "text early");
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: pings answered with pongs; on_ping and on_pong",
                 "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/echo", [](RawWebSocketClient& client) -> Future<void> {
        co_await client.send(WebSocketOpcode::ping, "are you there");
        ServerFrame pong = co_await client.next();
        CHECK(pong.status == Status::pong);
        CHECK(pong.payload == "are you there");
        co_await client.send(WebSocketOpcode::text, "ping");
        ServerFrame ping = co_await client.next();
        CHECK(ping.status == Status::ping);
        CHECK(ping.payload == "server ping");
        co_await client.send(WebSocketOpcode::pong, "server ping");
        co_await client.send_close(1000, "");
    });
    std::vector<std::string> expected = {"open ", "ping are you there", "text ping", "pong server ping"};
    CHECK(record.events == expected);
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: the client closes; the server echoes its code", "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/echo", [](RawWebSocketClient& client) -> Future<void> {
        co_await client.send_close(1001, "going away");
        ServerFrame answer = co_await client.next();
        CHECK(answer.status == Status::close);
        CHECK(answer.code == 1001);
        co_await client.wait_for_eof();
    });
    CHECK(record.closes == 1);
    CHECK(record.close_code == 1001);
    CHECK(record.close_reason == "going away");
    CHECK(record.write_after_close_failed);
}

// Python websockets and Node ws send these (Autobahn|Python 1012 and 1013): IANA's Service
// Restart, Try Again Later and Bad Gateway. They are not protocol errors.
TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: the client closes with 1012, 1013 or 1014; the server echoes it",
                 "[websocket][net]") {
    for (std::uint16_t code : {1012, 1013, 1014}) {
        CAPTURE(code);
        Record record;
        AppServer s = echo_server(record);
        session(*this, record, s.port, "/echo", [code](RawWebSocketClient& client) -> Future<void> {
            co_await client.send_close(code, "restarting");
            ServerFrame answer = co_await client.next();
            CHECK(answer.status == Status::close);
            CHECK(answer.code == code);
            co_await client.wait_for_eof();
        });
        CHECK(record.close_code == code);
        CHECK(record.close_reason == "restarting");
    }
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: close(4000, \"bye\") from inside on_message", "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/echo", [](RawWebSocketClient& client) -> Future<void> {
        co_await client.send(WebSocketOpcode::text, "close");
        ServerFrame closing = co_await client.next();
        CHECK(closing.status == Status::close);
        CHECK(closing.code == 4000);
        CHECK(closing.reason == "bye");
        co_await client.send_close(4000, "");  // the client's answer ends the handshake
        co_await client.wait_for_eof();
    });
    CHECK(record.closes == 1);
    CHECK(record.close_code == 4000);
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: a graceful server shutdown closes with 1001 and waits for the handshake",
                 "[websocket][shutdown][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/echo", [&](RawWebSocketClient& client) -> Future<void> {
        co_await client.send(WebSocketOpcode::text, "before");
        ServerFrame echo = co_await client.next();
        CHECK(echo.payload == "before");
        CHECK(s.server->connection_count() == 1);  // upgraded, and still counted
        s.server->stop();
        Future<void> closing = s.server->close_all_connections(60s);
        ServerFrame going = co_await client.next();
        CHECK(going.status == Status::close);
        CHECK(going.code == websocket_close::going_away);
        CHECK_FALSE(closing.done());  // the closing handshake is not over
        co_await client.send_close(websocket_close::going_away, "");
        co_await client.wait_for_eof();
        co_await std::move(closing);
        CHECK(record.closes == 1);  // on_close ran before the shutdown was done
        CHECK(s.server->connection_count() == 0);
    });
    CHECK(record.close_code == websocket_close::going_away);
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: a client that ignores the 1001 is cut off when the grace ends",
                 "[websocket][shutdown][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/echo", [&](RawWebSocketClient& client) -> Future<void> {
        co_await client.send(WebSocketOpcode::text, "hello");
        co_await client.next();
        co_await s.server->close_all_connections(100ms);
        co_await client.wait_for_eof();
    });
    CHECK(record.closes == 1);
    CHECK_FALSE(record.close_code.has_value());
}

namespace {

/// Sends `bytes` after the handshake; expects a close frame with `code`, then the end.
void expect_failure(AsyncTest& test, std::string bytes, std::uint16_t code, ApplicationSettings settings = {}) {
    Record record;
    AppServer s = echo_server(record, std::move(settings));
    session(test, record, s.port, "/echo", [&bytes, code](RawWebSocketClient& client) -> Future<void> {
        co_await client.send_raw(std::move(bytes));
        ServerFrame closing = co_await client.next();
        CHECK(closing.status == Status::close);
        CHECK(closing.code == code);
        co_await client.wait_for_eof();
    });
    CHECK(record.closes == 1);
    CHECK_FALSE(record.close_code.has_value());
}

std::string masked(WebSocketOpcode opcode, std::string_view payload) {
    static const unsigned char key[4] = {1, 2, 3, 4};
    std::string frame;
    write_websocket_frame(frame, opcode, payload, true, key);
    return frame;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: the parser's failures close with their code", "[websocket][net]") {
    SECTION("an unmasked frame: 1002") {
        std::string frame;
        write_websocket_frame(frame, WebSocketOpcode::text, "not masked");
        expect_failure(*this, frame, websocket_close::protocol_error);
    }
    SECTION("invalid UTF-8: 1007") { expect_failure(*this, masked(WebSocketOpcode::text, "\xc3\x28"), 1007); }
    SECTION("past websocket_max_message_size: 1009") {
        ApplicationSettings settings;
        settings.websocket_max_message_size = 16;
        expect_failure(*this, masked(WebSocketOpcode::text, std::string(17, 'x')), 1009, settings);
    }
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: a client vanishing without a close frame", "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/echo", [](RawWebSocketClient& client) -> Future<void> {
        co_await client.send(WebSocketOpcode::text, "hi");
        ServerFrame echo = co_await client.next();
        CHECK(echo.payload == "hi");
        client.close();
    });
    CHECK(record.closes == 1);
    CHECK_FALSE(record.close_code.has_value());
    CHECK(record.write_after_close_failed);
}

namespace {
ApplicationSettings pinging(Duration interval, Duration timeout) {
    ApplicationSettings settings;
    settings.websocket_ping_interval = interval;
    settings.websocket_ping_timeout = timeout;
    return settings;
}
}  // namespace

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: websocket_ping_interval pings; no pong within the timeout closes",
                 "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record, pinging(10ms, 50ms));
    session(*this, record, s.port, "/echo", [](RawWebSocketClient& client) -> Future<void> {
        ServerFrame ping = co_await client.next();
        CHECK(ping.status == Status::ping);
        co_await client.wait_for_eof();  // the client never answers
    });
    CHECK(record.closes == 1);
    CHECK_FALSE(record.close_code.has_value());
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: pongs keep a pinged connection open", "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record, pinging(5ms, 40ms));
    session(*this, record, s.port, "/echo", [](RawWebSocketClient& client) -> Future<void> {
        for (int answered = 0; answered < 20; ++answered) {  // 100 ms of pings, past the timeout
            ServerFrame ping = co_await client.next();
            REQUIRE(ping.status == Status::ping);
            co_await client.send(WebSocketOpcode::pong, ping.payload);
        }
        co_await client.send_close(1000, "");
    });
    CHECK(record.close_code == 1000);
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: an exception from open() is logged and closes", "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record);
    testing::LogCapture log;
    session(*this, record, s.port, "/throw", [](RawWebSocketClient& client) -> Future<void> {
        co_await client.wait_for_eof();
    });
    CHECK(record.closes == 1);
    CHECK(log.count("Uncaught exception in GET /throw .*no room") == 1);
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: after the upgrade, HTTP output methods throw and the HTTP connection "
                            "is let go", "[websocket][net]") {
    Record record;
    AppServer s = echo_server(record);
    session(*this, record, s.port, "/http-output", [](RawWebSocketClient& client) -> Future<void> {
        co_await client.send(WebSocketOpcode::text, "still open");
        ServerFrame echo = co_await client.next();
        CHECK(echo.payload == "still open");
        co_await client.send_close(1000, "");
    });
    const std::vector<std::string> methods = {"set_status", "set_header", "add_header", "clear_header",
                                              "set_cookie", "clear_cookie", "write", "flush",
                                              "finish", "redirect", "clear"};
    REQUIRE(record.events.size() >= methods.size() + 3);
    for (std::size_t i = 0; i < methods.size(); ++i) {
        INFO(record.events[i]);
        CHECK(record.events[i].rfind(methods[i] + " refused: ", 0) == 0);
        CHECK(record.events[i].find("handed over") != std::string::npos);
    }
    CHECK(record.events[methods.size()] == "connection released");
    CHECK(record.events[methods.size() + 1] == "upgrade websocket");
    CHECK(record.events[methods.size() + 2] == "response headers 0");
    CHECK(record.events[methods.size() + 3] == "text still open");
    CHECK(record.close_code == 1000);
}
