// squall-ws-interop-client PORT: squall's WebSocket client against a real server library's peer
// script on ws://127.0.0.1:PORT (interop.py starts one and passes its port). Runs a fixed list of
// checks, prints `ok NAME` or `FAIL NAME: reason` for each and exits 1 if any failed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "squall/concurrent.h"
#include "squall/ioloop.h"
#include "squall/websocket_client.h"

namespace {

using namespace squall;
using namespace std::chrono_literals;
using Connection = std::shared_ptr<WebSocketClientConnection>;
/// (data, binary) of each message a check sends.
using Messages = std::vector<std::pair<std::string, bool>>;

constexpr auto kCheckTimeout = 20s;
int port = 0;

/// A check's mismatch: what differed.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void expect(bool condition, const std::string& what) {
    if (!condition) throw Failure(what);
}

/// A short view of a message for a failure line (ASCII only).
std::string describe(const std::string& data) {
    std::string head = data.substr(0, 24);
    for (char& c : head)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '.';
    return std::to_string(data.size()) + " bytes \"" + head + (data.size() > 24 ? "...\"" : "\"");
}

// Text with one-, two-, three- and four-byte UTF-8 characters (as interop_common.py).
const std::string kUtf8Text = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x80\x94 \xe2\x98\x83 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
                              "\xf0\x9f\x8e\x89 \xe2\x88\x91";

/// `n` bytes of every value in a pattern that deflate cannot shrink much.
std::string noise(std::size_t n) {
    std::string out(n, '\0');
    std::uint32_t x = 2463534242u;
    for (char& c : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xff);
    }
    return out;
}

/// 1 MiB of text that deflate shrinks a thousandfold.
std::string compressible_mib() {
    std::string out;
    while (out.size() < (1u << 20)) out += "squall compresses this line again and again. ";
    out.resize(1u << 20);
    return out;
}

WebSocketCompressionOptions deflate(bool no_context_takeover) {
    WebSocketCompressionOptions options;
    options.no_context_takeover = no_context_takeover;
    return options;
}

Future<Connection> open(const std::string& path, WebSocketConnectOptions options) {
    HTTPRequest request("ws://127.0.0.1:" + std::to_string(port) + path);
    request.connect_timeout = 10s;
    request.request_timeout = 10s;
    return websocket_connect(std::move(request), std::move(options));
}

/// The next message, which must come.
Future<WebSocketMessage> next(Connection ws, std::string what) {
    auto reading = ws->read_message();
    std::optional<WebSocketMessage> m = co_await std::move(reading);
    expect(m.has_value(), "the connection closed (code " + std::to_string(ws->close_code().value_or(0)) +
                              ") where " + what + " was due");
    co_return std::move(*m);
}

void expect_message(const WebSocketMessage& got, const std::string& data, bool binary, const std::string& what) {
    expect(got.binary == binary && got.data == data, what + ": got " + (got.binary ? "binary " : "text ") +
                                                         describe(got.data) + ", want " +
                                                         (binary ? "binary " : "text ") + describe(data));
}

Future<void> expect_echo(Connection ws, std::string data, bool binary, std::string what) {
    auto writing = ws->write_message(data, binary);
    co_await std::move(writing);
    auto reading = next(ws, "the echo of " + what);
    WebSocketMessage echo = co_await std::move(reading);
    expect_message(echo, data, binary, "echo of " + what);
}

/// Sends the text `query`; the server must answer with the text `want`.
Future<void> expect_reply(Connection ws, std::string query, std::string want) {
    auto writing = ws->write_message(query, false);
    co_await std::move(writing);
    auto reading = next(ws, "the answer to " + query);
    WebSocketMessage answer = co_await std::move(reading);
    expect_message(answer, want, false, "the server's answer to " + query);
}

/// Asks the server whether "compressed?" arrived with RSV1 set; must answer `want`.
Future<void> expect_compressed(Connection ws, bool want) { return expect_reply(ws, "compressed?", want ? "yes" : "no"); }

/// Closes with 1000; the server must answer in kind.
Future<void> finish(Connection ws) {
    ws->close(1000, "done");
    auto reading = ws->read_message();
    std::optional<WebSocketMessage> end = co_await std::move(reading);
    expect(!end, "a message (" + (end ? describe(end->data) : "") + ") after our close");
    expect(ws->close_code() == 1000, "the server answered our close with code " +
                                         std::to_string(ws->close_code().value_or(0)) + ", want 1000");
}

/// Connects to `path` and runs `talk` on the connection, then closes it cleanly.
Future<void> session(std::string path, WebSocketConnectOptions options, std::function<Future<void>(Connection)> talk) {
    auto connecting = open(path, std::move(options));
    Connection ws = co_await std::move(connecting);
    auto talking = talk(ws);
    co_await std::move(talking);
    auto finishing = finish(ws);
    co_await std::move(finishing);
}

/// Each of `messages` echoed on `ws`, in turn.
Future<void> echo_all(Connection ws, Messages messages) {
    for (const auto& m : messages) {
        auto echoing = expect_echo(ws, m.first, m.second, describe(m.first));
        co_await std::move(echoing);
    }
}

/// echo_all as a session's talk (not a coroutine lambda: its captures would die with it).
std::function<Future<void>(Connection)> echoes(Messages messages) {
    return [messages](Connection ws) { return echo_all(ws, messages); };
}

Future<void> echo_session(std::string path, Messages messages) {
    return session(std::move(path), {}, echoes(std::move(messages)));
}

// ---- The checks ------------------------------------------------------------------------------

Future<void> text_echo() { return echo_session("/echo", {{"hello, squall", false}}); }

Future<void> binary_echo() {
    std::string all_bytes;
    for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
    return echo_session("/echo", {{all_bytes, true}, {noise(70000), true}});
}

Future<void> empty_messages() { return echo_session("/echo", {{"", false}, {"", true}}); }

Future<void> utf8_text() { return echo_session("/echo", {{kUtf8Text, false}}); }

Future<void> mib_message() { return echo_session("/echo", {{noise(1u << 20), true}}); }

/// 1,000 messages written back to back, then their echoes read: all there, in order.
Future<void> many_messages() {
    return session("/echo", {}, [](Connection ws) -> Future<void> {
        for (int i = 0; i < 1000; ++i) {
            auto writing = ws->write_message("message " + std::to_string(i), false);
            co_await std::move(writing);
        }
        for (int i = 0; i < 1000; ++i) {
            auto reading = next(ws, "echo " + std::to_string(i));
            WebSocketMessage m = co_await std::move(reading);
            expect_message(m, "message " + std::to_string(i), false, "echo " + std::to_string(i) + " of 1000");
        }
    });
}

Future<void> subprotocol() {
    WebSocketConnectOptions options;
    options.subprotocols = {"chat", "superchat"};
    return session("/subprotocol", std::move(options), [](Connection ws) -> Future<void> {
        expect(ws->selected_subprotocol() == "superchat", "selected subprotocol \"" + ws->selected_subprotocol() +
                                                              "\", want superchat");
        auto echoing = expect_echo(ws, "with a subprotocol", false, "a message");
        co_await std::move(echoing);
    });
}

Future<void> no_subprotocol_offered() {
    return session("/subprotocol", {}, [](Connection ws) -> Future<void> {
        expect(ws->selected_subprotocol().empty(), "subprotocol \"" + ws->selected_subprotocol() + "\" unoffered");
        expect(!ws->headers().contains("Sec-WebSocket-Protocol"), "a Sec-WebSocket-Protocol answer to no offer");
        co_return;
    });
}

/// What the server sends in three frames when asked "fragments?".
std::string fragmented_message() {
    std::string out;
    for (int i = 0; i < 300; ++i) out += "fragmented message ";
    return out;
}

/// The server's message in three frames is one message here.
Future<void> fragmented() {
    return session("/echo", {}, [](Connection ws) { return expect_reply(ws, "fragments?", fragmented_message()); });
}

/// Compression offered (with `no_context_takeover` for our side) on `path`; `check` runs once
/// the headers are checked: negotiated or not as `want` says.
Future<void> compressed_session(std::string path, bool no_context_takeover, bool want,
                                std::function<Future<void>(Connection)> check) {
    WebSocketConnectOptions options;
    options.compression_options = deflate(no_context_takeover);
    return session(std::move(path), std::move(options), [want, check](Connection ws) -> Future<void> {
        std::string answer = ws->headers().get("Sec-WebSocket-Extensions");
        expect(want ? answer.starts_with("permessage-deflate") : answer.empty(),
               "Sec-WebSocket-Extensions: \"" + answer + "\"");
        auto asking = expect_compressed(ws, want);
        co_await std::move(asking);
        auto checking = check(ws);
        co_await std::move(checking);
    });
}

Future<void> compression_refused() {
    return compressed_session("/echo", false, false, echoes({{"uncompressed", false}, {noise(1u << 20), true}}));
}

Future<void> compression_negotiated() {
    return compressed_session("/deflate", false, true,
                              echoes({{"hello, compressed", false}, {noise(300), true}, {"", false}, {"", true},
                                      {kUtf8Text, false}}));
}

Future<void> compressed_mib() {
    return compressed_session("/deflate", false, true,
                              echoes({{compressible_mib(), false}, {noise(1u << 20), true}, {"after", false}}));
}

/// Similar messages one after another: each compressed against the ones before (our context
/// kept, as the server must keep its decompressor's), or each on its own.
Messages similar_messages() {
    Messages out;
    for (int i = 0; i < 20; ++i)
        out.emplace_back("the same long sentence, sent again and again: number " + std::to_string(i), false);
    out.emplace_back(compressible_mib().substr(0, 100000), false);
    return out;
}

/// 2,000 letters that deflate shrinks by a quarter at most, unless it has seen them before.
std::string random_letters() {
    std::string out = noise(2000);
    for (char& c : out) c = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"[c & 63];
    return out;
}

/// The server's count of the payload bytes of the message we sent last, as they came.
Future<long> wire_size(Connection ws) {
    auto writing = ws->write_message("wire size?", false);
    co_await std::move(writing);
    auto reading = next(ws, "the answer to wire size?");
    WebSocketMessage answer = co_await std::move(reading);
    expect(!answer.binary && !answer.data.empty() && answer.data.find_first_not_of("0123456789") == std::string::npos,
           "the server's answer to wire size? was " + describe(answer.data));
    co_return std::stol(answer.data);
}

/// The similar messages echoed, then random_letters() twice: the wire sizes of the two.
Future<std::pair<long, long>> repeat_sizes(Connection ws) {
    auto echoing = echo_all(ws, similar_messages());
    co_await std::move(echoing);
    std::string letters = random_letters();
    long sizes[2] = {0, 0};
    for (long& size : sizes) {
        auto echo = expect_echo(ws, letters, false, "2,000 random letters");
        co_await std::move(echo);
        auto asking = wire_size(ws);
        size = co_await std::move(asking);
    }
    co_return std::make_pair(sizes[0], sizes[1]);
}

std::string sizes_text(std::pair<long, long> sizes) {
    return std::to_string(sizes.first) + " then " + std::to_string(sizes.second) + " bytes";
}

/// The server's fragmented message, compressed as one (RSV1 on its first frame only).
Future<void> compressed_fragmented() {
    return compressed_session("/deflate", false, true,
                              [](Connection ws) { return expect_reply(ws, "fragments?", fragmented_message()); });
}

/// With our context kept, the second copy is a back-reference to the first: far smaller.
Future<void> context_takeover() {
    return compressed_session("/deflate", false, true, [](Connection ws) -> Future<void> {
        auto repeating = repeat_sizes(ws);
        std::pair<long, long> sizes = co_await std::move(repeating);
        expect(sizes.first > 1000 && sizes.second * 10 < sizes.first,
               "the same message twice came as " + sizes_text(sizes) + ": the second not compressed against the first");
    });
}

/// Our compressor forgets its window after each message (client_no_context_takeover offered):
/// the second copy costs as much as the first.
Future<void> no_context_takeover() {
    return compressed_session("/deflate", true, true, [](Connection ws) -> Future<void> {
        auto repeating = repeat_sizes(ws);
        std::pair<long, long> sizes = co_await std::move(repeating);
        expect(sizes.first > 1000 && sizes.second == sizes.first,
               "the same message twice came as " + sizes_text(sizes) + ", want the same size twice");
    });
}

/// We close with 4001 "client bye": the server's answer echoes both (Autobahn told to).
Future<void> client_close() {
    auto connecting = open("/echo", {});
    Connection ws = co_await std::move(connecting);
    ws->close(4001, "client bye");
    auto reading = ws->read_message();
    std::optional<WebSocketMessage> end = co_await std::move(reading);
    expect(!end, "a message after our close");
    expect(ws->close_code() == 4001 && ws->close_reason() == "client bye",
           "the server answered with " + std::to_string(ws->close_code().value_or(0)) + " \"" + ws->close_reason() +
               "\", want 4001 \"client bye\"");
}

/// The server closes with 4000 "bye" right after the handshake.
Future<void> server_close() {
    auto connecting = open("/close", {});
    Connection ws = co_await std::move(connecting);
    auto reading = ws->read_message();
    std::optional<WebSocketMessage> end = co_await std::move(reading);
    expect(!end, "a message (" + (end ? describe(end->data) : "") + ") where the close was due");
    expect(ws->close_code() == 4000 && ws->close_reason() == "bye",
           "close " + std::to_string(ws->close_code().value_or(0)) + " \"" + ws->close_reason() +
               "\", want 4000 \"bye\"");
}

/// We ping; the pong carries the same data.
Future<void> client_ping() {
    Promise<std::string> ponged;
    WebSocketConnectOptions options;
    options.on_pong = [ponged](std::string_view data) mutable {
        if (!ponged.done()) ponged.set_result(std::string(data));
    };
    return session("/echo", std::move(options), [ponged](Connection ws) -> Future<void> {
        ws->ping("squall ping");
        auto waiting = ponged.get_future();
        std::string data = co_await std::move(waiting);
        expect(data == "squall ping", "pong data " + describe(data) + ", want \"squall ping\"");
    });
}

/// The server pings "server ping" once open and tells, in a text message, what our pong said.
Future<void> server_ping() {
    auto pings = std::make_shared<std::vector<std::string>>();
    WebSocketConnectOptions options;
    options.on_ping = [pings](std::string_view data) { pings->emplace_back(data); };
    return session("/ping", std::move(options), [pings](Connection ws) -> Future<void> {
        auto reading = next(ws, "the server's report of our pong");
        WebSocketMessage report = co_await std::move(reading);
        expect_message(report, "pong server ping", false, "the server's report of our pong");
        expect(*pings == std::vector<std::string>(1, "server ping"), "on_ping saw " + std::to_string(pings->size()) +
                                                                        " pings, want one \"server ping\"");
    });
}

struct Check {
    const char* name;
    Future<void> (*run)();
};

const Check kChecks[] = {
    {"text echo", text_echo},
    {"binary echo", binary_echo},
    {"empty messages", empty_messages},
    {"utf-8 text", utf8_text},
    {"1 MiB message", mib_message},
    {"1000 messages in order", many_messages},
    {"fragmented message", fragmented},
    {"subprotocol", subprotocol},
    {"no subprotocol offered", no_subprotocol_offered},
    {"compression refused", compression_refused},
    {"compression negotiated", compression_negotiated},
    {"compressed 1 MiB messages", compressed_mib},
    {"compressed fragmented message", compressed_fragmented},
    {"compression with context takeover", context_takeover},
    {"compression without context takeover", no_context_takeover},
    {"client close", client_close},
    {"server close", server_close},
    {"client ping", client_ping},
    {"server ping", server_ping},
};

/// Runs one check on `loop`, printing its line; false when it failed.
bool run_check(IOLoop& loop, const Check& check) {
    try {
        loop.run_sync(check.run, kCheckTimeout);
        std::printf("ok %s\n", check.name);
        std::fflush(stdout);
        return true;
    } catch (const TimeoutError&) {
        std::printf("FAIL %s: not done within %lld s\n", check.name, static_cast<long long>(kCheckTimeout.count()));
    } catch (...) {
        std::printf("FAIL %s: %s\n", check.name, detail::describe_exception(std::current_exception()).c_str());
    }
    std::fflush(stdout);
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 || std::atoi(argv[1]) <= 0) {
        std::fprintf(stderr, "usage: squall-ws-interop-client PORT\n");
        return 2;
    }
    port = std::atoi(argv[1]);
    IOLoop& loop = IOLoop::current();
    int failures = 0;
    for (const Check& check : kChecks)
        if (!run_check(loop, check)) ++failures;
    std::printf("%d passed, %d failed\n", static_cast<int>(std::size(kChecks)) - failures, failures);
    return failures ? 1 : 0;
}
