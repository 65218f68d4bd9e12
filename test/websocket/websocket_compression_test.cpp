// permessage-deflate through WebSocketHandler over loopback, with the raw client sending
// deflated frames by hand: negotiation in the handshake, RFC 7692's payloads, the shared and
// reset windows, bombs against websocket_max_message_size (1009), bad deflate data and bad
// UTF-8 once inflated (1007), and handlers that do not compress. Ports the compression cases
// of tornado/test/websocket_test.py (4.0).
#include <string>

#include "async_test.h"
#include "catch.h"
#include "squall/web.h"
#include "squall/websocket.h"
#include "web_support.h"
#include "websocket_client.h"

using namespace squall;
using squall::testing::AppServer;
using squall::testing::AsyncTest;
using squall::testing::RawWebSocketClient;
using squall::testing::ServerFrame;
using Status = WebSocketParser::Status;

namespace {

const std::string rfc_hello("\xf2\x48\xcd\xc9\xc9\x07\x00", 7);  // RFC 7692 section 7.2.3.1
const std::string rfc_second_hello("\xf2\x00\x11\x00\x00", 5);  // 7.2.3.2: the shared window

class PlainEcho : public WebSocketHandler {
public:
    Future<void> on_message(std::string message, bool binary) override {
        co_await write_message(message, binary);
    }
};

class CompressingEcho : public PlainEcho {
public:
    void initialize(WebSocketCompressionOptions options) { options_ = options; }
    std::optional<WebSocketCompressionOptions> get_compression_options() override { return options_; }

private:
    WebSocketCompressionOptions options_;
};

AppServer server(ApplicationSettings settings = {}) {
    WebSocketCompressionOptions resetting;
    resetting.no_context_takeover = true;
    return AppServer({url<CompressingEcho>("/deflate", WebSocketCompressionOptions{}),
                      url<CompressingEcho>("/reset", resetting), url<PlainEcho>("/plain")},
                     std::move(settings));
}

/// Connects to `path` offering `offer` (none when empty).
Future<std::unique_ptr<RawWebSocketClient>> connect(int port, std::string path, std::string offer) {
    HTTPHeaders headers = testing::upgrade_headers(port);
    if (!offer.empty()) headers.set("Sec-WebSocket-Extensions", offer);
    auto connecting = RawWebSocketClient::connect(port, std::move(path), std::move(headers));
    auto client = co_await std::move(connecting);
    client->allow_compressed();
    co_return client;
}

/// Sends `payload` as one compressed text frame and returns the server's answer.
Future<ServerFrame> round_trip(RawWebSocketClient& client, std::string payload,
                               WebSocketOpcode opcode = WebSocketOpcode::text) {
    co_await client.send(opcode, payload, true, true);
    co_return co_await client.next();
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "permessage-deflate: negotiated, and RFC 7692's messages echoed compressed",
                 "[websocket][deflate][net]") {
    AppServer s = server();
    run_sync([&]() -> Future<void> {
        auto connecting = connect(s.port, "/deflate", "permessage-deflate; client_max_window_bits");
        auto client = co_await std::move(connecting);
        CHECK(client->status() == 101);
        CHECK(client->response_headers().get("Sec-WebSocket-Extensions") == "permessage-deflate");
        WebSocketInflater inflater(15, false);
        std::string text;
        ServerFrame first = co_await round_trip(*client, rfc_hello);
        CHECK(first.status == Status::message);
        CHECK(first.opcode == WebSocketOpcode::text);
        CHECK(first.payload == rfc_hello);  // the server compresses "Hello" the same way
        CHECK(inflater.decompress(first.payload, 1 << 20, text) == WebSocketInflater::Result::ok);
        CHECK(text == "Hello");
        ServerFrame second = co_await round_trip(*client, rfc_second_hello);  // needs the first's window
        CHECK(inflater.decompress(second.payload, 1 << 20, text) == WebSocketInflater::Result::ok);
        CHECK(text == "Hello");
        CHECK(second.payload.size() < rfc_hello.size());  // the server kept its window too
        co_await client->send(WebSocketOpcode::binary, std::string("\x00\xff", 2));  // uncompressed is fine
        ServerFrame binary = co_await client->next();
        CHECK(binary.opcode == WebSocketOpcode::binary);
        CHECK(inflater.decompress(binary.payload, 1 << 20, text) == WebSocketInflater::Result::ok);
        CHECK(text == std::string("\x00\xff", 2));
        co_await client->send_close(1000, "");
        ServerFrame close = co_await client->next();
        CHECK(close.status == Status::close);
    });
}

TEST_CASE_METHOD(AsyncTest, "permessage-deflate: no_context_takeover resets the server's window",
                 "[websocket][deflate][net]") {
    AppServer s = server();
    run_sync([&]() -> Future<void> {
        auto connecting = connect(s.port, "/reset", "permessage-deflate; client_no_context_takeover");
        auto client = co_await std::move(connecting);
        CHECK(client->response_headers().get("Sec-WebSocket-Extensions") ==
              "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        for (int i = 0; i < 3; ++i) {
            ServerFrame echo = co_await round_trip(*client, rfc_hello);  // a fresh window each time
            CHECK(echo.payload == rfc_hello);
        }
        client->close();
    });
}

TEST_CASE_METHOD(AsyncTest, "permessage-deflate: offers are declined where they cannot be honoured",
                 "[websocket][deflate][net]") {
    AppServer s = server();
    auto extensions = [&](std::string path, std::string offer) {
        return run_sync([&]() -> Future<std::string> {
            auto connecting = connect(s.port, path, offer);
            auto client = co_await std::move(connecting);
            CHECK(client->status() == 101);
            co_return client->response_headers().get("Sec-WebSocket-Extensions", "none");
        });
    };
    CHECK(extensions("/plain", "permessage-deflate") == "none");  // the handler does not compress
    CHECK(extensions("/deflate", "") == "none");
    CHECK(extensions("/deflate", "permessage-deflate; server_max_window_bits=8") == "none");
    CHECK(extensions("/deflate", "permessage-deflate; bogus") == "none");
    CHECK(extensions("/deflate", "permessage-deflate; a=\"unterminated") == "none");  // malformed: ignored
    CHECK(extensions("/deflate", "x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=10") ==
          "permessage-deflate; server_max_window_bits=10");
}

TEST_CASE_METHOD(AsyncTest, "permessage-deflate: compressed frames fail the connection where they are wrong",
                 "[websocket][deflate][net]") {
    std::string path = "/deflate", offer = "permessage-deflate", payload = rfc_hello;
    std::uint16_t expected = 0;
    ApplicationSettings settings;
    WebSocketDeflater deflater(15, false);
    SECTION("RSV1 without the extension: 1002") {
        path = "/plain";
        expected = websocket_close::protocol_error;
    }
    SECTION("RSV1 when the client offered nothing: 1002") {
        offer = "";
        expected = websocket_close::protocol_error;
    }
    SECTION("a bomb past websocket_max_message_size: 1009") {
        settings.websocket_max_message_size = 2048;
        payload = deflater.compress(std::string(1 << 20, '\0'));
        REQUIRE(payload.size() < 2048);  // the frame passes, its inflation does not
        expected = websocket_close::message_too_big;
    }
    SECTION("not deflate data: 1007") {
        payload = "\xff\xff\xff";
        expected = websocket_close::invalid_data;
    }
    SECTION("invalid UTF-8 once inflated: 1007") {
        payload = deflater.compress("\xc3\x28");
        expected = websocket_close::invalid_data;
    }
    AppServer s = server(settings);
    run_sync([&]() -> Future<void> {
        auto connecting = connect(s.port, path, offer);
        auto client = co_await std::move(connecting);
        ServerFrame answer = co_await round_trip(*client, payload);
        CHECK(answer.status == Status::close);
        CHECK(answer.code == expected);
        co_await client->wait_for_eof();
    });
}

TEST_CASE_METHOD(AsyncTest, "permessage-deflate: a message just inside websocket_max_message_size passes",
                 "[websocket][deflate][net]") {
    ApplicationSettings settings;
    settings.websocket_max_message_size = 4096;
    AppServer s = server(settings);
    run_sync([&]() -> Future<void> {
        auto connecting = connect(s.port, "/deflate", "permessage-deflate");
        auto client = co_await std::move(connecting);
        WebSocketDeflater deflater(15, false);
        ServerFrame echo = co_await round_trip(*client, deflater.compress(std::string(4096, 'z')));
        REQUIRE(echo.status == Status::message);
        WebSocketInflater inflater(15, false);
        std::string text;
        CHECK(inflater.decompress(echo.payload, 4096, text) == WebSocketInflater::Result::ok);
        CHECK(text == std::string(4096, 'z'));
        client->close();
    });
}
