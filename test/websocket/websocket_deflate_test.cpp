// Tests of permessage-deflate's sans-I/O half: the Sec-WebSocket-Extensions grammar and its
// limits, the negotiation rules of RFC 7692 section 7.1 from both sides, RFC 7692's example
// payloads (section 7.2.3), round trips with and without context takeover, and the
// decompression budget at, one past and far past its limit.
#include <zlib.h>

#include <string>
#include <vector>

#include "catch.h"
#include "squall/websocket_deflate.h"

using namespace squall;
using Result = WebSocketInflater::Result;

namespace {

std::vector<WebSocketExtension> parsed(std::string_view header) {
    auto extensions = parse_websocket_extensions(header);
    REQUIRE(extensions);
    return *extensions;
}

std::string bytes(std::initializer_list<unsigned char> list) { return std::string(list.begin(), list.end()); }

std::optional<std::string> server_answer(std::string_view offer, WebSocketCompressionOptions options = {}) {
    auto terms = accept_deflate_offer(parsed(offer), options);
    if (!terms) return std::nullopt;
    return deflate_response(*terms);
}

std::string inflate_one(WebSocketInflater& inflater, std::string_view data, std::uint64_t max = 1 << 20) {
    std::string out;
    REQUIRE(inflater.decompress(data, max, out) == Result::ok);
    return out;
}

/// Raw deflate of `data` ending with BFINAL set, as a peer that does not flush might send it.
std::string final_block_deflate(std::string_view data) {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    return out;
}

}  // namespace

TEST_CASE("Sec-WebSocket-Extensions values parse into names and parameters", "[websocket][deflate]") {
    auto e = parsed("permessage-deflate; client_max_window_bits, permessage-deflate;server_max_window_bits=\"10\" ,x-foo");
    REQUIRE(e.size() == 3);
    CHECK(e[0].name == "permessage-deflate");
    REQUIRE(e[0].params.size() == 1);
    CHECK(e[0].params[0].first == "client_max_window_bits");
    CHECK_FALSE(e[0].params[0].second);
    REQUIRE(e[1].params.size() == 1);
    CHECK(e[1].params[0].second == "10");
    CHECK(e[2].name == "x-foo");
    CHECK(e[2].params.empty());
    CHECK(parsed("").empty());
    CHECK(parsed(" , ,permessage-deflate,").size() == 1);
    CHECK(parsed("a; b=c\t;\td").at(0).params.size() == 2);
}

TEST_CASE("malformed Sec-WebSocket-Extensions values are refused", "[websocket][deflate]") {
    for (std::string_view bad : {"permessage-deflate;", "permessage-deflate; =1", "permessage-deflate; a=",
                                 "permessage-deflate; a=\"unterminated", "permessage-deflate; a=\"two words\"",
                                 "permessage-deflate; a=\"\"", "a b", ";a", "a;b=c d", "a=b", "a; b=\"x\\",
                                 "a; b=\"\x01\"", "\"quoted\"", "a; b==c"}) {
        INFO(bad);
        CHECK_FALSE(parse_websocket_extensions(bad));
    }
    CHECK(parsed("a; b=\"x\\yz\"").at(0).params.at(0).second == "xyz");  // a quoted-pair unescapes
}

TEST_CASE("Sec-WebSocket-Extensions holds at most 32 extensions of 16 parameters", "[websocket][deflate]") {
    std::string list = "e";
    for (int i = 1; i < 32; ++i) list += ", e";
    CHECK(parsed(list).size() == 32);
    CHECK_FALSE(parse_websocket_extensions(list + ", e"));
    std::string params = "e";
    for (int i = 0; i < 16; ++i) params += "; p" + std::to_string(i);
    CHECK(parsed(params).at(0).params.size() == 16);
    CHECK_FALSE(parse_websocket_extensions(params + "; p"));
}

TEST_CASE("the server accepts the first permessage-deflate offer it can honour", "[websocket][deflate]") {
    CHECK(server_answer("permessage-deflate") == "permessage-deflate");
    CHECK(server_answer("permessage-deflate; client_max_window_bits") == "permessage-deflate");
    CHECK(server_answer("permessage-deflate; client_max_window_bits=10") ==
          "permessage-deflate; client_max_window_bits=10");
    CHECK(server_answer("permessage-deflate; server_max_window_bits=10") ==
          "permessage-deflate; server_max_window_bits=10");
    CHECK(server_answer("permessage-deflate; server_no_context_takeover; client_no_context_takeover") ==
          "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    // zlib cannot compress with an 8-bit window: that offer is declined, the next one taken.
    CHECK(server_answer("permessage-deflate; server_max_window_bits=8, permessage-deflate") == "permessage-deflate");
    CHECK_FALSE(server_answer("permessage-deflate; server_max_window_bits=8"));
    CHECK(server_answer("permessage-deflate; client_max_window_bits=8") ==
          "permessage-deflate; client_max_window_bits=8");
    CHECK(server_answer("x-webkit-deflate-frame, permessage-deflate") == "permessage-deflate");
    CHECK_FALSE(server_answer("x-webkit-deflate-frame"));
}

TEST_CASE("the server's own options shape its answer", "[websocket][deflate]") {
    WebSocketCompressionOptions options;
    options.no_context_takeover = true;
    options.max_window_bits = 11;
    CHECK(server_answer("permessage-deflate", options) ==
          "permessage-deflate; server_no_context_takeover; server_max_window_bits=11");
    CHECK(server_answer("permessage-deflate; server_max_window_bits=9", options) ==
          "permessage-deflate; server_no_context_takeover; server_max_window_bits=9");
    CHECK(server_answer("permessage-deflate; server_max_window_bits=15", options) ==
          "permessage-deflate; server_no_context_takeover; server_max_window_bits=11");
}

TEST_CASE("offers with unknown, repeated or invalid parameters are declined", "[websocket][deflate]") {
    for (std::string_view offer :
         {"permessage-deflate; foo", "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
          "permessage-deflate; client_max_window_bits; client_max_window_bits=9",
          "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; server_max_window_bits",
          "permessage-deflate; server_max_window_bits=7", "permessage-deflate; server_max_window_bits=16",
          "permessage-deflate; server_max_window_bits=010", "permessage-deflate; client_max_window_bits=0x0f",
          "permessage-deflate; client_max_window_bits=99999999999999999999",
          "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"}) {
        INFO(offer);
        CHECK_FALSE(server_answer(offer));
    }
}

TEST_CASE("the client checks the server's answer against its offer", "[websocket][deflate]") {
    WebSocketCompressionOptions options;
    CHECK(deflate_offer(options) == "permessage-deflate; client_max_window_bits");
    auto terms = accept_deflate_response(parsed("permessage-deflate; server_max_window_bits=10"), options);
    REQUIRE(terms);
    CHECK(terms->server_max_window_bits == 10);
    CHECK(terms->client_max_window_bits == 15);
    terms = accept_deflate_response(parsed("permessage-deflate; client_max_window_bits=12"), options);
    REQUIRE(terms);
    CHECK(terms->client_max_window_bits == 12);
    for (std::string_view bad : {"permessage-deflate, permessage-deflate", "x-other", "permessage-deflate; foo",
                                 "permessage-deflate; client_max_window_bits",
                                 "permessage-deflate; client_max_window_bits=8"}) {
        INFO(bad);
        CHECK_FALSE(accept_deflate_response(parsed(bad), options));
    }
    options.max_window_bits = 10;
    options.no_context_takeover = true;
    CHECK(deflate_offer(options) == "permessage-deflate; client_no_context_takeover; client_max_window_bits=10");
    CHECK_FALSE(accept_deflate_response(parsed("permessage-deflate; client_max_window_bits=11"), options));
    terms = accept_deflate_response(parsed("permessage-deflate"), options);
    REQUIRE(terms);
    CHECK(terms->client_no_context_takeover);
    CHECK(terms->client_max_window_bits == 10);
}

TEST_CASE("RFC 7692's example payloads inflate to Hello", "[websocket][deflate]") {
    WebSocketInflater shared(15, false);
    CHECK(inflate_one(shared, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})) == "Hello");  // 7.2.3.1
    CHECK(inflate_one(shared, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})) == "Hello");  // 7.2.3.2, shared window
    WebSocketInflater fresh(15, false);
    CHECK(inflate_one(fresh, bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00})) ==
          "Hello");  // 7.2.3.3, a stored block
    CHECK(inflate_one(fresh, bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00})) == "Hello");  // 7.2.3.4
    CHECK(inflate_one(fresh, bytes({0x00})) == "");  // 7.2.3.6, an empty message
}

TEST_CASE("the compressor writes RFC 7692's Hello and shares its window across messages", "[websocket][deflate]") {
    WebSocketDeflater deflater(15, false);
    CHECK(deflater.compress("Hello") == bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
    std::string second = deflater.compress("Hello");
    CHECK(second.size() < 7);  // a back-reference into the first message
    WebSocketInflater inflater(15, false);
    CHECK(inflate_one(inflater, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})) == "Hello");
    CHECK(inflate_one(inflater, second) == "Hello");
}

TEST_CASE("messages round-trip with and without context takeover", "[websocket][deflate]") {
    for (bool no_takeover : {false, true}) {
        for (int bits : {9, 12, 15}) {
            INFO("no_context_takeover " << no_takeover << " bits " << bits);
            WebSocketDeflater deflater(bits, no_takeover, 6, 8);
            WebSocketInflater inflater(bits, no_takeover);
            std::string big;
            for (int i = 0; i < 20000; ++i) big += std::to_string(i * 7919 % 1000) + ",";
            for (const std::string& message : {std::string("Hello"), std::string(), big, std::string("Hello"), big}) {
                std::string compressed = deflater.compress(message);
                CHECK(inflate_one(inflater, compressed, big.size()) == message);
            }
            CHECK(deflater.compress("") == std::string(1, '\0'));
            if (no_takeover) CHECK(deflater.compress("Hello") == bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
        }
    }
}

TEST_CASE("a final block resets the stream for the next message", "[websocket][deflate]") {
    WebSocketInflater inflater(15, false);
    CHECK(inflate_one(inflater, final_block_deflate("first")) == "first");
    CHECK(inflate_one(inflater, final_block_deflate("second")) == "second");
    WebSocketDeflater deflater(15, false);
    CHECK(inflate_one(inflater, deflater.compress("third")) == "third");
}

TEST_CASE("decompression stops at the budget: at it, one past it and for a bomb", "[websocket][deflate]") {
    WebSocketDeflater deflater(15, true);
    const std::string exact(100000, 'a');
    const std::string compressed = deflater.compress(exact);
    std::string out;
    WebSocketInflater at(15, true);
    CHECK(at.decompress(compressed, exact.size(), out) == Result::ok);
    CHECK(out == exact);
    WebSocketInflater below(15, true);
    CHECK(below.decompress(compressed, exact.size() - 1, out) == Result::too_big);
    CHECK(out.size() <= exact.size());
    CHECK(below.decompress(compressed, 0, out) != Result::ok);  // unusable after, still safe
    // 64 MiB of zeros deflate to about 64 KiB; a 1 MiB budget stops inflating at 1 MiB + 1 byte.
    const std::string bomb = deflater.compress(std::string(64 << 20, '\0'));
    CHECK(bomb.size() < 100000);
    WebSocketInflater victim(15, true);
    CHECK(victim.decompress(bomb, 1 << 20, out) == Result::too_big);
    CHECK(out.size() == (1 << 20) + 1);
    WebSocketInflater huge_budget(15, true);
    CHECK(huge_budget.decompress(compressed, UINT64_MAX, out) == Result::ok);
    CHECK(out == exact);
}

TEST_CASE("data that is not deflate fails as invalid", "[websocket][deflate]") {
    std::string out;
    for (const std::string& bad : {bytes({0xff, 0xff, 0xff}), bytes({0x07}), std::string("hello world")}) {
        WebSocketInflater inflater(15, false);
        CHECK(inflater.decompress(bad, 1 << 20, out) == Result::invalid);
    }
    WebSocketInflater empty(15, false);
    CHECK(empty.decompress("", 1 << 20, out) == Result::invalid);  // the empty message is 0x00
    WebSocketDeflater deflater(15, false);
    std::string whole = deflater.compress(std::string(5000, 'x') + "tail of a message cut short");
    WebSocketInflater cut(15, false);
    CHECK(cut.decompress(std::string_view(whole).substr(0, whole.size() - 3), 1 << 20, out) == Result::invalid);
    CHECK_THROWS_AS(WebSocketDeflater(8, false), std::invalid_argument);
    CHECK_THROWS_AS(WebSocketInflater(16, false), std::invalid_argument);
    CHECK_THROWS_AS(WebSocketDeflater(15, false, 42), std::invalid_argument);
}
