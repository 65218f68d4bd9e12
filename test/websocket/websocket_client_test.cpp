// websocket_connect and WebSocketClientConnection over loopback: against squall's own
// WebSocketHandler (echo, closes both ways, subprotocols, pings, refusals, wss://) and against
// raw TCP servers that answer the handshake by hand (frames with the 101 head, a wrong accept
// value, a masked frame, silence). Ports tornado/test/websocket_test.py (4.0)'s client half.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "async_test.h"
#include "handler_record.h"
#include "catch.h"
#include "squall/detail/ascii.h"
#include "squall/gen.h"
#include "squall/tcpserver.h"
#include "squall/web.h"
#include "squall/websocket.h"
#include "squall/websocket_client.h"
#include "squall/websocket_handshake.h"
#include "test_certs.h"
#include "web_support.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AppServer;
using squall::testing::AsyncTest;

namespace {

using Record = squall::testing::HandlerRecord;

/// Echoes; "close" closes with 4000 "bye", "ping" pings the client, "big" sends 17 bytes.
class EchoHandler : public WebSocketHandler {
public:
    void initialize(Record* record) { record_ = record; }
    Future<void> on_message(std::string message, bool binary) override {
        record_->events.push_back((binary ? "binary " : "text ") + message);
        if (message == "close") {
            close(4000, "bye");
            return {};
        }
        if (message == "ping") {
            ping("server ping");
            return {};
        }
        return write_message(std::move(message), binary);
    }
    void on_ping(std::string_view data) override { record_->events.push_back("ping " + std::string(data)); }
    void on_close() override {
        ++record_->closes;
        record_->close_code = close_code();
        record_->close_reason = close_reason();
        if (!record_->closed.done()) record_->closed.set_result();
    }
    std::optional<std::string> select_subprotocol(const std::vector<std::string>& offered) override {
        for (const std::string& p : offered)
            if (p == "chat") return p;
        return std::nullopt;
    }

private:
    Record* record_ = nullptr;
};

class DeflatingEchoHandler : public EchoHandler {
public:
    std::optional<WebSocketCompressionOptions> get_compression_options() override {
        return WebSocketCompressionOptions();
    }
};

/// Answers each message with the size of the client's certificate, read from the request after
/// the upgrade has let go of its HTTP connection.
class CertificateHandler : public EchoHandler {
public:
    Future<void> on_message(std::string, bool) override {
        std::string answer = std::to_string(request().ssl_certificate_der().size());
        return write_message(request().connection ? "connection kept" : answer, false);
    }
};

class ForbiddenHandler : public EchoHandler {
public:
    Future<void> prepare() override { throw HTTPError(403); }
};

class PlainHandler : public RequestHandler {
public:
    Future<void> get() override {
        write("not a websocket");
        return {};
    }
};

AppServer echo_server(Record& record, HTTPServerOptions options = {}) {
    return AppServer({url<EchoHandler>("/echo", &record), url<DeflatingEchoHandler>("/deflate", &record),
                      url<ForbiddenHandler>("/forbidden", &record), url<CertificateHandler>("/certificate", &record),
                      url<PlainHandler>("/plain")},
                     {}, std::move(options));
}

std::string ws_url(int port, const std::string& path) { return "ws://127.0.0.1:" + std::to_string(port) + path; }

using Connection = std::shared_ptr<WebSocketClientConnection>;

// No default arguments and no temporaries in a co_await's expression: GCC 12 mishandles them.
Future<Connection> connect_to(std::string url, WebSocketConnectOptions options) {
    return websocket_connect(HTTPRequest(std::move(url)), std::move(options));
}
Future<Connection> connect_to(std::string url) { return connect_to(std::move(url), WebSocketConnectOptions()); }

/// The connection must fail: `check` gets the exception.
template <class Check>
Future<void> expect_failure(Future<Connection> connecting, Check check) {
    std::exception_ptr error;
    try {
        co_await std::move(connecting);
    } catch (...) {
        error = std::current_exception();
    }
    REQUIRE(error);
    check(error);
}

/// squall's echo server, and sessions with it.
class EchoTest : public AsyncTest {
protected:
    /// Connects to /echo with `options`, runs `talk` with the connection, then waits for the
    /// handler's on_close.
    template <class Talk>
    void session(WebSocketConnectOptions options, Talk talk) {
        run_sync([&]() -> Future<void> {
            auto connecting = connect_to(ws_url(server.port, "/echo"), options);
            Connection ws = co_await std::move(connecting);
            auto talking = talk(ws);
            co_await std::move(talking);
            co_await record.closed.get_future();
        });
    }
    template <class Talk>
    void session(Talk talk) {
        session(WebSocketConnectOptions(), std::move(talk));
    }

    Record record;
    AppServer server = echo_server(record);
};

int client_error_code(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const HTTPClientError& error) {
        return error.code();
    } catch (...) {
        return -1;
    }
}

std::string error_text(const std::exception_ptr& e) { return detail::describe_exception(e); }

/// A raw TCP server that answers each connection with `script`, for answers squall's handler
/// would never give. It closes the streams it holds when destroyed, which ends the scripts.
class ScriptedServer : public TCPServer {
public:
    using Script = std::function<Future<void>(std::shared_ptr<IOStream>)>;
    explicit ScriptedServer(Script script, std::optional<SSLContext> ssl = std::nullopt)
        : TCPServer(IOLoop::current(), {}, std::move(ssl)), script_(std::move(script)) {
        listen(0, "127.0.0.1");
        port = ports().front();
    }
    ~ScriptedServer() override {
        for (auto& stream : streams_) stream->close();
    }
    int port = 0;

protected:
    void handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress&) override {
        std::shared_ptr<IOStream> shared = std::move(stream);
        streams_.push_back(shared);
        run(script_, std::move(shared));
    }

private:
    static Future<void> run(Script script, std::shared_ptr<IOStream> stream) {
        try {
            auto scripted = script(std::move(stream));
            co_await std::move(scripted);
        } catch (const StreamClosedError&) {
        }
    }
    Script script_;
    std::vector<std::shared_ptr<IOStream>> streams_;
};

/// Reads the upgrade request (into `head` when given); the accept value its key asks for.
Future<std::string> read_upgrade(IOStream& stream, std::string* request) {
    std::string head = co_await stream.read_until("\r\n\r\n");
    if (request) *request = head;
    std::size_t at = detail::ascii_lowercase(head).find("sec-websocket-key:") + 18;
    at = head.find_first_not_of(' ', at);
    co_return websocket_accept_value(head.substr(at, head.find("\r\n", at) - at));
}

std::string switching_protocols(const std::string& accept) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
           accept + "\r\n\r\n";
}

/// A script answering the upgrade with a 101 that carries `extra` (header lines) too.
ScriptedServer::Script upgrade_with(const std::string& extra) {
    return [&extra](std::shared_ptr<IOStream> stream) -> Future<void> {
        auto reading = read_upgrade(*stream, nullptr);
        std::string accept = co_await std::move(reading);
        std::string head = switching_protocols(accept);
        co_await stream->write(head.insert(head.size() - 2, extra));
        co_await stream->read_until_close();
    };
}

std::string server_frame(WebSocketOpcode opcode, std::string_view payload, const unsigned char* mask = nullptr) {
    std::string frame;
    write_websocket_frame(frame, opcode, payload, true, mask);
    return frame;
}

/// The next frame the client sent, read as a server reads (masked frames only).
Future<std::pair<WebSocketParser::Status, std::uint16_t>> next_client_frame(IOStream& stream) {
    WebSocketParser parser;
    while (true) {
        auto r = parser.parse(stream.buffered());
        stream.consume(r.consumed);
        if (r.status != WebSocketParser::Status::incomplete) co_return std::make_pair(r.status, parser.close_code());
        co_await stream.fill_buffer(stream.buffered().size() + 1);
    }
}

}  // namespace

TEST_CASE_METHOD(EchoTest, "websocket_connect: echo of text and binary; nullopt once closed",
                 "[websocket][client][net]") {
    session([](Connection& ws) -> Future<void> {
        CHECK(ws->selected_subprotocol().empty());
        co_await ws->write_message("héllo", false);
        auto text = co_await ws->read_message();
        REQUIRE(text.has_value());
        CHECK(text->data == "héllo");
        CHECK_FALSE(text->binary);
        co_await ws->write_message(std::string("\x00\xff\x01", 3), true);
        auto binary = co_await ws->read_message();
        REQUIRE(binary.has_value());
        CHECK(binary->data == std::string("\x00\xff\x01", 3));
        CHECK(binary->binary);
        co_await ws->write_message(std::string(70000, 'x'), false);  // a 64-bit length, masked
        auto large = co_await ws->read_message();
        REQUIRE(large.has_value());
        CHECK(large->data.size() == 70000);
        ws->close();
        auto end = co_await ws->read_message();
        CHECK_FALSE(end.has_value());
        auto after = co_await ws->read_message();  // and so on, once closed
        CHECK_FALSE(after.has_value());
        bool refused = false;
        try {
            co_await ws->write_message("late", false);
        } catch (const WebSocketClosedError&) {
            refused = true;
        }
        CHECK(refused);
    });
    CHECK(record.closes == 1);
}

namespace {
/// `n` bytes that differ from position to position, so a mask applied wrongly shows.
std::string patterned(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
    return s;
}
}  // namespace

TEST_CASE_METHOD(EchoTest, "websocket_connect: messages given up (std::move) and viewed, each side of the size "
                           "where the payload is queued apart from its header", "[websocket][client][net]") {
    session([](Connection& ws) -> Future<void> {
        const std::vector<std::size_t> sizes = {0, 1, 4095, 4096, 4097, 65535, 65536, (1u << 20) + 3};
        for (std::size_t n : sizes) {
            for (int pass = 0; pass < 2; ++pass) {
                const bool moved = pass == 0;
                INFO("size " << n << (moved ? " moved" : " viewed"));
                std::string message = patterned(n);
                auto written = moved ? ws->write_message(patterned(n), true)
                                     : ws->write_message(std::string_view(message), true);
                co_await std::move(written);
                auto echo = co_await ws->read_message();
                REQUIRE(echo.has_value());
                CHECK(echo->binary);
                CHECK(echo->data == message);
            }
        }
        ws->close(1000);
    });
    CHECK(record.close_code == 1000);
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: messages that arrive before read_message wait in order",
                 "[websocket][client][net]") {
    session([this](Connection& ws) -> Future<void> {
        const std::vector<std::string> sent = {"one", "two", "three"};
        for (const std::string& m : sent) co_await ws->write_message(m, false);
        while (record.events.size() < 3) co_await squall::moment;  // all three echoed meanwhile
        std::vector<std::string> read;
        for (std::size_t i = 0; i < sent.size(); ++i) {
            auto m = co_await ws->read_message();
            REQUIRE(m.has_value());
            read.push_back(m->data);
        }
        CHECK(read == sent);
        ws->close(1000);
    });
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: the server closes with a code and reason", "[websocket][client][net]") {
    session([](Connection& ws) -> Future<void> {
        co_await ws->write_message("close", false);
        auto end = co_await ws->read_message();
        CHECK_FALSE(end.has_value());
        CHECK(ws->close_code() == 4000);
        CHECK(ws->close_reason() == "bye");
    });
    CHECK(record.close_code == 4000);  // the client echoed the code
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: the client closes with a code and reason", "[websocket][client][net]") {
    session([](Connection& ws) -> Future<void> {
        ws->close(4001, "done");
        auto end = co_await ws->read_message();
        CHECK_FALSE(end.has_value());
        CHECK(ws->close_code() == 4001);  // the server's answer echoes it
    });
    CHECK(record.closes == 1);
    CHECK(record.close_code == 4001);
    CHECK(record.close_reason == "done");
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: dropping the last reference closes the connection",
                 "[websocket][client][net]") {
    session([this](Connection& ws) -> Future<void> {
        co_await ws->write_message("unread", false);  // its echo is still waiting when the client goes
        while (record.events.empty()) co_await squall::moment;
        ws.reset();
    });
    CHECK(record.closes == 1);
    CHECK_FALSE(record.close_code.has_value());  // a close frame without a code
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: a subprotocol from the offered list",
                 "[websocket][client][handshake][net]") {
    WebSocketConnectOptions options;
    options.subprotocols = {"superchat", "chat"};
    session(options, [](Connection& ws) -> Future<void> {
        CHECK(ws->selected_subprotocol() == "chat");
        CHECK(ws->headers().get("Sec-WebSocket-Protocol") == "chat");
        ws->close();
        co_return;
    });
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: a refusal fails with its status", "[websocket][client][handshake][net]") {
    auto status_of = [&](const std::string& path) {
        int code = 0;
        run_sync([&]() -> Future<void> {
            co_await expect_failure(connect_to(ws_url(server.port, path)),
                                    [&](const std::exception_ptr& e) { code = client_error_code(e); });
        });
        return code;
    };
    CHECK(status_of("/plain") == 200);
    CHECK(status_of("/forbidden") == 403);
    CHECK(status_of("/nowhere") == 404);
    CHECK(record.closes == 0);
    CHECK_THROWS_AS(websocket_connect(HTTPRequest("http://127.0.0.1/echo")), std::invalid_argument);
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: pings and pongs both ways", "[websocket][client][net]") {
    std::vector<std::string> seen;
    Promise<void> pinged, ponged;
    WebSocketConnectOptions options;
    options.on_ping = [&](std::string_view data) {
        seen.push_back("ping " + std::string(data));
        pinged.set_result();
    };
    options.on_pong = [&](std::string_view data) {
        seen.push_back("pong " + std::string(data));
        ponged.set_result();
    };
    session(options, [&](Connection& ws) -> Future<void> {
        ws->ping("are you there");
        co_await ponged.get_future();
        co_await ws->write_message("ping", false);
        co_await pinged.get_future();
        CHECK_THROWS_AS(ws->ping(std::string(126, 'x')), std::invalid_argument);
        ws->close();
    });
    CHECK(seen == std::vector<std::string>{"pong are you there", "ping server ping"});
    CHECK(record.events.front() == "ping are you there");
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: ping_interval pings the server", "[websocket][client][net]") {
    WebSocketConnectOptions options;
    options.ping_interval = 10ms;
    int pongs = 0;
    Promise<void> third_pong;
    options.on_pong = [&](std::string_view) {
        if (++pongs == 3) third_pong.set_result();
    };
    session(options, [&](Connection& ws) -> Future<void> {
        co_await third_pong.get_future();
        ws->close();
    });
    CHECK(record.events.front() == "ping ");
    CHECK(record.close_code == std::nullopt);
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: the on_message callback form", "[websocket][client][net]") {
    std::vector<std::string> received;
    Promise<void> ended;
    WebSocketConnectOptions options;
    options.on_message = [&](std::optional<WebSocketMessage> m) {
        if (m) received.push_back(m->data);
        else ended.set_result();
    };
    session(options, [&](Connection& ws) -> Future<void> {
        co_await ws->write_message("a", false);
        co_await ws->write_message("b", false);
        co_await ws->write_message("close", false);
        co_await ended.get_future();
        bool refused = false;
        try {
            co_await ws->read_message();
        } catch (const std::logic_error&) {
            refused = true;
        }
        CHECK(refused);
    });
    CHECK(received == std::vector<std::string>{"a", "b"});
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: a message over max_message_size closes with 1009",
                 "[websocket][client][net]") {
    WebSocketConnectOptions options;
    options.max_message_size = 16;
    session(options, [](Connection& ws) -> Future<void> {
        co_await ws->write_message(std::string(16, 'x'), false);
        auto fits = co_await ws->read_message();
        CHECK((fits && fits->data.size() == 16));
        co_await ws->write_message(std::string(17, 'x'), false);  // the server may send it; we may not take it
        auto end = co_await ws->read_message();
        CHECK_FALSE(end.has_value());
    });
    CHECK(record.close_code == websocket_close::message_too_big);
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: frames in the same packet as the 101 head are kept",
                 "[websocket][client][net]") {
    ScriptedServer server([](std::shared_ptr<IOStream> stream) -> Future<void> {
        auto reading = read_upgrade(*stream, nullptr);
        std::string accept = co_await std::move(reading);
        co_await stream->write(switching_protocols(accept) + server_frame(WebSocketOpcode::text, "early") +
                               server_frame(WebSocketOpcode::binary, "bird"));
        co_await stream->read_until_close();
    });
    run_sync([&]() -> Future<void> {
        auto connecting = connect_to(ws_url(server.port, "/"));
        Connection ws = co_await std::move(connecting);
        auto first = co_await ws->read_message();
        REQUIRE(first.has_value());
        CHECK(first->data == "early");
        auto second = co_await ws->read_message();
        REQUIRE(second.has_value());
        CHECK(second->data == "bird");
        CHECK(second->binary);
    });
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: the upgrade request, with the HTTPRequest's headers",
                 "[websocket][client][handshake][net]") {
    std::string request;
    ScriptedServer server([&request](std::shared_ptr<IOStream> stream) -> Future<void> {
        auto reading = read_upgrade(*stream, &request);
        std::string accept = co_await std::move(reading);
        co_await stream->write(switching_protocols(accept));
        co_await stream->read_until_close();
    });
    run_sync([&]() -> Future<void> {
        HTTPRequest r(ws_url(server.port, "/chat?room=1"));
        r.headers.set("Origin", "http://example.com");
        WebSocketConnectOptions options;
        options.subprotocols = {"a", "b"};
        auto connecting = websocket_connect(r, options);
        Connection ws = co_await std::move(connecting);
        ws->close();
    });
    CHECK(request.rfind("GET /chat?room=1 HTTP/1.1\r\n", 0) == 0);
    std::string lower = detail::ascii_lowercase(request);
    for (std::string line : {"host: 127.0.0.1:" + std::to_string(server.port), std::string("upgrade: websocket"),
                             std::string("connection: upgrade"), std::string("sec-websocket-version: 13"),
                             std::string("sec-websocket-protocol: a, b"), std::string("origin: http://example.com")})
        CHECK(lower.find("\r\n" + line + "\r\n") != std::string::npos);
    CHECK(lower.find("sec-websocket-extensions") == std::string::npos);
    std::size_t key = lower.find("sec-websocket-key: ") + 19;
    CHECK(valid_websocket_key(request.substr(key, request.find("\r\n", key) - key)));
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: a wrong Sec-WebSocket-Accept fails", "[websocket][client][handshake][net]") {
    ScriptedServer server([](std::shared_ptr<IOStream> stream) -> Future<void> {
        auto reading = read_upgrade(*stream, nullptr);
        co_await std::move(reading);
        co_await stream->write(switching_protocols(websocket_accept_value("dGhlIHNhbXBsZSBub25jZQ==")));
        co_await stream->read_until_close();
    });
    run_sync([&]() -> Future<void> {
        co_await expect_failure(connect_to(ws_url(server.port, "/")), [](const std::exception_ptr& e) {
            CHECK_THROWS_AS(std::rethrow_exception(e), WebSocketHandshakeError);
            CHECK(error_text(e).find("Sec-WebSocket-Accept") != std::string::npos);
        });
    });
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: a subprotocol or extension not offered fails",
                 "[websocket][client][handshake][net]") {
    std::string extra;
    ScriptedServer server(upgrade_with(extra));
    for (std::string header : {"Sec-WebSocket-Protocol: other\r\n", "Sec-WebSocket-Extensions: permessage-deflate\r\n"}) {
        extra = header;
        run_sync([&]() -> Future<void> {
            WebSocketConnectOptions options;
            options.subprotocols = {"chat"};
            co_await expect_failure(connect_to(ws_url(server.port, "/"), options), [](const std::exception_ptr& e) {
                CHECK_THROWS_AS(std::rethrow_exception(e), WebSocketHandshakeError);
            });
        });
    }
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: permessage-deflate with squall's server, offered and accepted",
                 "[websocket][client][deflate][net]") {
    WebSocketConnectOptions options;
    options.compression_options = WebSocketCompressionOptions();
    run_sync([&]() -> Future<void> {
        auto connecting = connect_to(ws_url(server.port, "/deflate"), options);
        Connection ws = co_await std::move(connecting);
        CHECK(ws->headers().get("Sec-WebSocket-Extensions") == "permessage-deflate");
        std::string big;
        for (int i = 0; i < 30000; ++i) big += std::to_string(i % 977) + " ";
        std::vector<std::string> messages;  // no braced list across a co_await (GCC 12)
        messages.push_back("héllo");
        messages.push_back(big);
        messages.push_back("");
        messages.push_back(big);
        for (const std::string& message : messages) {
            co_await ws->write_message(message, false);
            auto echo = co_await ws->read_message();
            REQUIRE(echo.has_value());
            CHECK(echo->data == message);
        }
        ws->close(1000);
        co_await record.closed.get_future();
    });
    CHECK(record.close_code == 1000);
}

TEST_CASE_METHOD(EchoTest, "websocket_connect: permessage-deflate offered to a server that declines it",
                 "[websocket][client][deflate][net]") {
    WebSocketConnectOptions options;
    options.compression_options = WebSocketCompressionOptions();
    session(options, [](Connection& ws) -> Future<void> {
        CHECK_FALSE(ws->headers().contains("Sec-WebSocket-Extensions"));
        co_await ws->write_message("plain", false);
        auto echo = co_await ws->read_message();
        REQUIRE(echo.has_value());
        CHECK(echo->data == "plain");
        ws->close();
    });
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: compressed frames on the wire both ways", "[websocket][client][deflate][net]") {
    std::string offer;
    bool client_frame_compressed = false;
    std::string client_message;
    Promise<void> received;
    ScriptedServer server([&](std::shared_ptr<IOStream> stream) -> Future<void> {
        std::string request;
        auto reading = read_upgrade(*stream, &request);
        std::string accept = co_await std::move(reading);
        offer = HTTPHeaders::parse(request.substr(request.find("\r\n") + 2)).get("Sec-WebSocket-Extensions");
        std::string head = switching_protocols(accept);
        std::string frame;
        write_websocket_frame(frame, WebSocketOpcode::text, std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7), true,
                              nullptr, true);  // "Hello" deflated (RFC 7692 section 7.2.3.1)
        co_await stream->write(head.insert(head.size() - 2, "Sec-WebSocket-Extensions: permessage-deflate\r\n") + frame);
        WebSocketParserOptions parser_options;
        parser_options.compression = true;
        WebSocketParser parser(parser_options);
        while (true) {
            auto r = parser.parse(stream->buffered());
            stream->consume(r.consumed);
            if (r.status == WebSocketParser::Status::message) break;
            co_await stream->fill_buffer(stream->buffered().size() + 1);
        }
        client_frame_compressed = parser.compressed();
        WebSocketInflater inflater(15, false);
        inflater.decompress(parser.payload(), 1 << 20, client_message);
        received.set_result();
        co_await stream->read_until_close();
    });
    WebSocketConnectOptions options;
    options.compression_options = WebSocketCompressionOptions();
    run_sync([&]() -> Future<void> {
        auto connecting = connect_to(ws_url(server.port, "/"), options);
        Connection ws = co_await std::move(connecting);
        auto hello = co_await ws->read_message();
        REQUIRE(hello.has_value());
        CHECK(hello->data == "Hello");
        co_await ws->write_message("compressed, please", false);
        co_await received.get_future();
        ws->close();
    });
    CHECK(offer == "permessage-deflate; client_max_window_bits");
    CHECK(client_frame_compressed);
    CHECK(client_message == "compressed, please");
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: a permessage-deflate answer the offer does not allow fails",
                 "[websocket][client][deflate][handshake][net]") {
    std::string extra;
    ScriptedServer server(upgrade_with(extra));
    for (std::string answer : {"permessage-deflate; client_max_window_bits", "permessage-deflate; foo",
                               "permessage-deflate, permessage-deflate", "x-other",
                               "permessage-deflate; server_max_window_bits=16"}) {
        extra = "Sec-WebSocket-Extensions: " + answer + "\r\n";
        run_sync([&]() -> Future<void> {
            WebSocketConnectOptions options;
            options.compression_options = WebSocketCompressionOptions();
            co_await expect_failure(connect_to(ws_url(server.port, "/"), options), [&](const std::exception_ptr& e) {
                INFO(answer);
                CHECK_THROWS_AS(std::rethrow_exception(e), WebSocketHandshakeError);
            });
        });
    }
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: a masked frame from the server fails the connection with 1002",
                 "[websocket][client][net]") {
    std::uint16_t client_code = 0;
    Promise<void> answered;
    ScriptedServer server([&](std::shared_ptr<IOStream> stream) -> Future<void> {
        auto reading = read_upgrade(*stream, nullptr);
        std::string accept = co_await std::move(reading);
        static const unsigned char key[4] = {1, 2, 3, 4};
        co_await stream->write(switching_protocols(accept) + server_frame(WebSocketOpcode::text, "masked", key));
        auto [status, code] = co_await next_client_frame(*stream);
        if (status == WebSocketParser::Status::close) client_code = code;
        co_await stream->read_until_close();  // the client closes TCP itself
        answered.set_result();
    });
    run_sync([&]() -> Future<void> {
        auto connecting = connect_to(ws_url(server.port, "/"));
        Connection ws = co_await std::move(connecting);
        auto end = co_await ws->read_message();
        CHECK_FALSE(end.has_value());
        co_await answered.get_future();
    });
    CHECK(client_code == websocket_close::protocol_error);
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: after the closing handshake the client waits for the server's EOF",
                 "[websocket][client][net]") {
    Duration waited{};
    Promise<void> ended;
    ScriptedServer server([&](std::shared_ptr<IOStream> stream) -> Future<void> {
        auto reading = read_upgrade(*stream, nullptr);
        std::string accept = co_await std::move(reading);
        co_await stream->write(switching_protocols(accept));
        auto [status, code] = co_await next_client_frame(*stream);
        CHECK(status == WebSocketParser::Status::close);
        co_await stream->write(server_frame(WebSocketOpcode::close, websocket_close_payload(code)));
        TimePoint answered = stream->io_loop().time();
        co_await stream->read_until_close();  // a server that never closes TCP: the client's timer does
        waited = stream->io_loop().time() - answered;
        ended.set_result();
    });
    run_sync([&]() -> Future<void> {
        WebSocketConnectOptions options;
        options.close_timeout = 100ms;
        auto connecting = connect_to(ws_url(server.port, "/"), options);
        Connection ws = co_await std::move(connecting);
        ws->close(1000);
        auto end = co_await ws->read_message();
        CHECK_FALSE(end.has_value());
        CHECK(ws->close_code() == 1000);
        co_await ended.get_future();
    });
    CHECK(waited >= 90ms);  // not at once: RFC 6455 section 7.1.1 leaves closing TCP to the server
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: request_timeout when the handshake is never answered",
                 "[websocket][client][handshake][net]") {
    ScriptedServer server([](std::shared_ptr<IOStream> stream) -> Future<void> {
        co_await stream->read_until_close();  // reads the request, never answers
    });
    run_sync([&]() -> Future<void> {
        WebSocketConnectOptions options;
        options.request_timeout = 100ms;
        co_await expect_failure(connect_to(ws_url(server.port, "/"), options), [](const std::exception_ptr& e) {
            CHECK(client_error_code(e) == 599);
            CHECK(error_text(e) == "HTTP 599: Timeout");
        });
    });
}

TEST_CASE_METHOD(AsyncTest, "websocket_connect: connect_timeout covers a TLS handshake never answered",
                 "[websocket][client][ssl][net]") {
    ScriptedServer server([](std::shared_ptr<IOStream> stream) -> Future<void> {
        co_await stream->read_until_close();  // a plain TCP server: the ClientHello gets no answer
    });
    run_sync([&]() -> Future<void> {
        WebSocketConnectOptions options;
        options.connect_timeout = 100ms;
        co_await expect_failure(connect_to("wss://127.0.0.1:" + std::to_string(server.port) + "/", options),
                                [](const std::exception_ptr& e) {
                                    CHECK(client_error_code(e) == 599);
                                    CHECK(error_text(e) == "HTTP 599: Timeout while connecting");
                                });
    });
}

namespace {
HTTPServerOptions tls_server(CertRequirements client_certificates = CertRequirements::none) {
    const auto& certs = squall::testing::test_certificates();
    SSLOptions so;
    so.certfile = certs.localhost.certfile;
    so.keyfile = certs.localhost.keyfile;
    if (client_certificates != CertRequirements::none) {
        so.cert_reqs = client_certificates;
        so.ca_certs = certs.ca_file();
    }
    HTTPServerOptions options;
    options.ssl_options = SSLContext::server(so);
    return options;
}
}  // namespace

TEST_CASE_METHOD(AsyncTest, "websocket_connect: wss:// with the certificate verified", "[websocket][client][ssl][net]") {
    Record record;
    AppServer s = echo_server(record, tls_server());
    std::string url = "wss://localhost:" + std::to_string(s.port) + "/echo";
    run_sync([&]() -> Future<void> {
        HTTPRequest trusted(url);
        trusted.ca_certs = squall::testing::test_certificates().ca_file();
        auto connecting = websocket_connect(trusted, WebSocketConnectOptions());
        Connection ws = co_await std::move(connecting);
        co_await ws->write_message("secret", false);
        auto echo = co_await ws->read_message();
        CHECK((echo && echo->data == "secret"));
        ws->close(1000);
        co_await record.closed.get_future();

        SSLOptions ca;
        ca.ca_pem = squall::testing::test_certificates().ca.cert_pem;
        WebSocketConnectOptions options;
        options.ssl_options = SSLContext::client(ca);
        auto reconnecting = connect_to(url, options);
        Connection again = co_await std::move(reconnecting);
        again->close(1000);
        auto end = co_await again->read_message();
        CHECK_FALSE(end.has_value());

        co_await expect_failure(connect_to(url), [](const std::exception_ptr& e) {  // the system store lacks our CA
            CHECK(client_error_code(e) == 599);
            CHECK(error_text(e).find("certificate verify failed") != std::string::npos);
        });
    });
    CHECK(record.closes >= 1);
}

TEST_CASE_METHOD(AsyncTest, "WebSocketHandler: the client's certificate stays readable after the upgrade",
                 "[websocket][client][ssl][net]") {
    Record record;
    AppServer s = echo_server(record, tls_server(CertRequirements::required));
    run_sync([&]() -> Future<void> {
        const auto& certs = squall::testing::test_certificates();
        HTTPRequest request("wss://localhost:" + std::to_string(s.port) + "/certificate");
        request.ca_certs = certs.ca_file();
        request.client_cert = certs.client.certfile;
        request.client_key = certs.client.keyfile;
        auto connecting = websocket_connect(request, WebSocketConnectOptions());
        Connection ws = co_await std::move(connecting);
        co_await ws->write_message("whose?", false);
        auto answer = co_await ws->read_message();
        REQUIRE(answer.has_value());
        CHECK(answer->data != "connection kept");
        CHECK(std::stoul(answer->data) > 100);  // a DER certificate, not nothing
        ws->close(1000);
        co_await record.closed.get_future();
    });
}
