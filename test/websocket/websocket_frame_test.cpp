// Tests of the WebSocket frame codec: RFC 6455's examples (section 5.7), every strict failure
// with its close code, lengths at each encoding's boundary, max_message_size at and past the
// limit, UTF-8 across fragments, close frames, and masking against a byte-at-a-time reference.
// Every transcript is fed whole, byte by byte and split at every offset.
#include <string>
#include <vector>

#include "catch.h"
#include "squall/websocket_frame.h"

using namespace squall;
using Status = WebSocketParser::Status;

namespace {

struct Event {
    Status status;
    WebSocketOpcode opcode = WebSocketOpcode::continuation;
    std::string payload;
    std::uint16_t code = 0;  // close code, or the error's close code
    bool operator==(const Event&) const = default;
};

std::vector<Event> feed(WebSocketParserOptions options, const std::vector<std::string_view>& pieces) {
    WebSocketParser p(options);
    std::vector<Event> events;
    std::string buffer;
    for (std::string_view piece : pieces) {
        buffer.append(piece);
        while (true) {
            auto r = p.parse(buffer);
            REQUIRE(r.consumed <= buffer.size());
            buffer.erase(0, r.consumed);
            if (r.status == Status::incomplete) break;
            Event e{r.status, WebSocketOpcode::continuation, {}, 0};
            if (r.status == Status::error) {
                e.code = p.error_code();
                CHECK_FALSE(p.error_message().empty());
                events.push_back(e);
                return events;
            }
            e.payload = p.payload();
            if (r.status == Status::message) e.opcode = p.opcode();
            if (r.status == Status::close) e.code = p.close_code();
            if (r.status == Status::close) CHECK(p.close_reason() == e.payload.substr(std::min<std::size_t>(2, e.payload.size())));
            events.push_back(e);
        }
    }
    return events;
}

/// The events of `data`, after checking that byte-by-byte and two-piece feeding agree.
std::vector<Event> parse_every_way(std::string_view data, WebSocketParserOptions options) {
    auto whole = feed(options, {data});
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < data.size(); ++i) bytes.push_back(data.substr(i, 1));
    CHECK(feed(options, bytes) == whole);
    for (std::size_t split = 1; split < data.size(); ++split) {
        INFO("split at " << split);
        REQUIRE(feed(options, {data.substr(0, split), data.substr(split)}) == whole);
    }
    return whole;
}

WebSocketParserOptions server() { return {}; }
WebSocketParserOptions client() {
    WebSocketParserOptions o;
    o.expect_masked = false;
    return o;
}

const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};

std::string frame(WebSocketOpcode op, std::string_view payload, bool fin = true, bool masked = false, bool rsv1 = false) {
    std::string out;
    write_websocket_frame(out, op, payload, fin, masked ? key : nullptr, rsv1);
    return out;
}

std::uint16_t error_of(std::string_view data, WebSocketParserOptions options) {
    auto events = parse_every_way(data, options);
    REQUIRE_FALSE(events.empty());
    CHECK(events.back().status == Status::error);
    return events.back().status == Status::error ? events.back().code : 0;
}

}  // namespace

TEST_CASE("websocket frames: the examples of RFC 6455 section 5.7", "[websocket][frame]") {
    auto hello = parse_every_way("\x81\x05\x48\x65\x6c\x6c\x6f", client());
    REQUIRE(hello.size() == 1);
    CHECK(hello[0] == Event{Status::message, WebSocketOpcode::text, "Hello"});
    auto masked = parse_every_way("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", server());
    REQUIRE(masked.size() == 1);
    CHECK(masked[0].payload == "Hello");
    auto fragmented = parse_every_way(std::string("\x01\x03Hel\x80\x02lo", 9), client());
    REQUIRE(fragmented.size() == 1);
    CHECK(fragmented[0].payload == "Hello");
    auto ping = parse_every_way("\x89\x05Hello", client());
    CHECK(ping == std::vector<Event>{{Status::ping, WebSocketOpcode::continuation, "Hello"}});
    auto pong = parse_every_way("\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", server());
    CHECK(pong == std::vector<Event>{{Status::pong, WebSocketOpcode::continuation, "Hello"}});
    std::string bin256 = std::string("\x82\x7e\x01\x00", 4) + std::string(256, 'b');
    CHECK(feed(client(), {bin256}) == std::vector<Event>{{Status::message, WebSocketOpcode::binary, std::string(256, 'b')}});
    std::string bin64k = std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10) + std::string(65536, 'k');
    CHECK(feed(client(), {bin64k}) == std::vector<Event>{{Status::message, WebSocketOpcode::binary, std::string(65536, 'k')}});
}

TEST_CASE("websocket frames: written frames parse back at each length encoding's boundary", "[websocket][frame]") {
    for (std::size_t n : {0, 1, 125, 126, 127, 65535, 65536, 100000}) {
        CAPTURE(n);
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(i * 7);
        for (bool masked : {false, true}) {
            auto events = feed(masked ? server() : client(), {frame(WebSocketOpcode::binary, payload, true, masked)});
            CHECK(events == std::vector<Event>{{Status::message, WebSocketOpcode::binary, payload}});
        }
        const std::size_t header = frame(WebSocketOpcode::binary, payload).size() - n;
        CHECK(header == (n < 126 ? 2u : n <= 65535 ? 4u : 10u));
    }
}

TEST_CASE("websocket frames: control frames between the fragments of a message", "[websocket][frame]") {
    std::string stream = frame(WebSocketOpcode::text, "frag", false, true) +
                         frame(WebSocketOpcode::ping, "p", true, true) +
                         frame(WebSocketOpcode::continuation, "ment", false, true) +
                         frame(WebSocketOpcode::pong, "", true, true) +
                         frame(WebSocketOpcode::continuation, "ed", true, true) +
                         frame(WebSocketOpcode::close, websocket_close_payload(1000, "done"), true, true);
    auto events = parse_every_way(stream, server());
    std::vector<Event> expected = {{Status::ping, WebSocketOpcode::continuation, "p"},
                                   {Status::pong, WebSocketOpcode::continuation, ""},
                                   {Status::message, WebSocketOpcode::text, "fragmented"},
                                   {Status::close, WebSocketOpcode::continuation, websocket_close_payload(1000, "done"), 1000}};
    CHECK(events == expected);
}

TEST_CASE("websocket frames: protocol errors fail the connection with 1002", "[websocket][frame]") {
    const std::string rsv2("\xa1\x80\0\0\0\0", 6), rsv3("\x91\x80\0\0\0\0", 6);
    CHECK(error_of(rsv2, server()) == 1002);
    CHECK(error_of(rsv3, server()) == 1002);
    CHECK(error_of(std::string("\xc1\x80\0\0\0\0", 6), server()) == 1002);  // RSV1 without an extension
    for (std::uint8_t op : {0x3, 0x7, 0xB, 0xF}) {
        std::string f("\x80\x80\0\0\0\0", 6);
        f[0] = static_cast<char>(0x80 | op);
        CAPTURE(op);
        CHECK(error_of(f, server()) == 1002);
    }
    CHECK(error_of(frame(WebSocketOpcode::text, "unmasked"), server()) == 1002);
    CHECK(error_of(frame(WebSocketOpcode::text, "masked", true, true), client()) == 1002);
    CHECK(error_of(frame(WebSocketOpcode::ping, std::string(126, 'p')), client()) == 1002);
    CHECK(error_of(frame(WebSocketOpcode::ping, "x", false), client()) == 1002);  // fragmented control
    CHECK(error_of(frame(WebSocketOpcode::continuation, "x"), client()) == 1002);
    CHECK(error_of(frame(WebSocketOpcode::text, "a", false) + frame(WebSocketOpcode::text, "b"), client()) == 1002);
    CHECK(error_of(std::string("\x82\x7e\x00\x7d", 4) + std::string(125, 'x'), client()) == 1002);  // not shortest
    CHECK(error_of(std::string("\x82\x7f\0\0\0\0\0\0\xff\xff", 10), client()) == 1002);
    CHECK(error_of(std::string("\x82\x7f\x80\0\0\0\0\0\0\0", 10), client()) == 1002);  // top bit
    CHECK(error_of(frame(WebSocketOpcode::close, "x"), client()) == 1002);               // 1-byte close
    for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
        CAPTURE(code);
        const std::string raw_code{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};  // 1005 too
        CHECK(error_of(frame(WebSocketOpcode::close, raw_code), client()) == 1002);
    }
    WebSocketParserOptions deflate = client();
    deflate.compression = true;
    CHECK(error_of(frame(WebSocketOpcode::ping, "", true, false, true), deflate) == 1002);
    CHECK(error_of(frame(WebSocketOpcode::text, "a", false, false, true) +
                       frame(WebSocketOpcode::continuation, "b", true, false, true), deflate) == 1002);
}

TEST_CASE("websocket frames: valid close codes and reasons", "[websocket][frame]") {
    for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                                3000, 3999, 4000, 4999}) {
        CAPTURE(code);
        auto events = parse_every_way(frame(WebSocketOpcode::close, websocket_close_payload(code, "r\xc3\xa9")), client());
        REQUIRE(events.size() == 1);
        CHECK(events[0].status == Status::close);
        CHECK(events[0].code == code);
    }
    auto empty = parse_every_way(frame(WebSocketOpcode::close, ""), client());
    REQUIRE(empty.size() == 1);
    CHECK(empty[0].code == websocket_close::no_status);
    CHECK(error_of(frame(WebSocketOpcode::close, websocket_close_payload(1000, "\xff")), client()) == 1007);
}

TEST_CASE("websocket frames: a close reason is cut to fit a control frame on a character boundary", "[websocket][frame]") {
    std::string reason;
    while (reason.size() < 200) reason += "\xc3\xa9";  // two bytes each: 123 falls inside one
    auto payload = websocket_close_payload(4000, reason);
    CHECK(payload.size() == 2 + 122);
    auto events = feed(client(), {frame(WebSocketOpcode::close, payload)});
    REQUIRE(events.size() == 1);
    CHECK(events[0].code == 4000);
    CHECK(websocket_close_payload(websocket_close::no_status, "ignored").empty());
}

TEST_CASE("websocket frames: UTF-8 is checked across fragments and fails at the first bad byte", "[websocket][frame]") {
    // "é" split between two fragments is fine.
    auto split = parse_every_way(frame(WebSocketOpcode::text, "caf\xc3", false) +
                                 frame(WebSocketOpcode::continuation, "\xa9"), client());
    REQUIRE(split.size() == 1);
    CHECK(split[0].payload == "caf\xc3\xa9");
    CHECK(error_of(frame(WebSocketOpcode::text, "ends inside \xc3"), client()) == 1007);
    CHECK(error_of(frame(WebSocketOpcode::text, "\xed\xa0\x80"), client()) == 1007);
    // Fail fast: the first fragment's bad byte fails before the message ends (it never does here).
    auto early = feed(client(), {frame(WebSocketOpcode::text, "ok \xff then more", false)});
    REQUIRE(early.size() == 1);
    CHECK(early[0] == Event{Status::error, WebSocketOpcode::continuation, "", 1007});
    // Binary messages are not text.
    CHECK(feed(client(), {frame(WebSocketOpcode::binary, "\xff")}).front().status == Status::message);
    // A compressed text message is checked once inflated, not here.
    WebSocketParserOptions deflate = client();
    deflate.compression = true;
    auto compressed = feed(deflate, {frame(WebSocketOpcode::text, "\xff\x00", true, false, true)});
    REQUIRE(compressed.size() == 1);
    CHECK(compressed[0].status == Status::message);
}

TEST_CASE("websocket frames: max_message_size at the limit, one past, across fragments and announced", "[websocket][frame][limits]") {
    WebSocketParserOptions small = client();
    small.max_message_size = 100;
    CHECK(parse_every_way(frame(WebSocketOpcode::binary, std::string(100, 'x')), small).front().status == Status::message);
    CHECK(error_of(frame(WebSocketOpcode::binary, std::string(101, 'x')), small) == 1009);
    CHECK(error_of(frame(WebSocketOpcode::binary, std::string(60, 'x'), false) +
                       frame(WebSocketOpcode::continuation, std::string(41, 'x')), small) == 1009);
    // The largest announced length fails at once, before any payload arrives.
    auto huge = feed(small, {std::string("\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff", 10)});
    CHECK(huge == std::vector<Event>{{Status::error, WebSocketOpcode::continuation, "", 1009}});
    // Control frames do not count against it.
    CHECK(feed(small, {frame(WebSocketOpcode::ping, std::string(125, 'p'))}).front().status == Status::ping);
}

TEST_CASE("websocket_mask agrees with a byte-at-a-time XOR at every length and key offset", "[websocket][mask]") {
    const unsigned char k[4] = {0x01, 0x80, 0xfe, 0x5a};
    for (std::size_t n = 0; n <= 200; ++n) {
        for (std::uint64_t offset = 0; offset < 4; ++offset) {
            std::string data(n + 3, '\0');
            for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + 7);
            std::string expected = data;
            for (std::size_t i = 0; i < n; ++i) expected[1 + i] = static_cast<char>(expected[1 + i] ^ k[(offset + i) & 3]);
            websocket_mask(data.data() + 1, n, k, offset);  // unaligned on purpose
            INFO("n " << n << " offset " << offset);
            REQUIRE(data == expected);
        }
    }
}
