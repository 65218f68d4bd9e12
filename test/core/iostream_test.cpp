// Tests of IOStream and PipeIOStream over real loopback sockets and pipes, run under every poller
// backend. Ports tornado/test/iostream_test.py (4.0; write futures from 4.5).
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/iostream.h"
#include "squall/netutil.h"
#include "squall/tcpserver.h"
#include "socket_pair.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;

namespace {

struct StreamPair {
    std::unique_ptr<IOStream> server, client;
};

/// An accepted server stream and a connected client stream on 127.0.0.1.
Future<StreamPair> make_stream_pair(IOLoop& loop, StreamOptions server_options = {},
                                    StreamOptions client_options = {}) {
    BindOptions bind;
    bind.address = "127.0.0.1";
    bind.family = AF_INET;
    int listener = bind_sockets(0, bind).front();
    auto accepted = std::make_shared<Promise<int>>();
    add_accept_handler(loop, listener, [accepted](int fd, const SocketAddress&) {
        if (!accepted->done()) accepted->set_result(fd); else ::close(fd);
    });
    SocketAddress addr = local_address(listener);
    StreamPair pair;
    pair.client = std::make_unique<IOStream>(
        loop, ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), client_options);
    co_await pair.client->connect(addr.get(), addr.length);
    int fd = co_await accepted->get_future();
    loop.remove_handler(listener);
    ::close(listener);
    pair.server = std::make_unique<IOStream>(loop, fd, server_options);
    co_return pair;
}

SocketAddress closed_port_address() {
    BindOptions bind;
    bind.address = "127.0.0.1";
    bind.family = AF_INET;
    int fd = bind_sockets(0, bind).front();
    SocketAddress addr = local_address(fd);
    ::close(fd);  // nothing listens there any more
    return addr;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "write, read_until and read_bytes round trip", "[core][iostream][net]") {
    int before = squall::testing::open_fd_count();
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        co_await p.client->write("GET / HTTP/1.0\r\nContent-Length: 5\r\n\r\nHello");
        auto got1 = co_await p.server->read_until("\r\n");
        CHECK(got1 == "GET / HTTP/1.0\r\n");
        auto got2 = co_await p.server->read_until("\r\n\r\n");
        CHECK(got2 == "Content-Length: 5\r\n\r\n");
        auto got3 = co_await p.server->read_bytes(0);
        CHECK(got3 == "");
        auto got4 = co_await p.server->read_bytes(5);
        CHECK(got4 == "Hello");
        CHECK_FALSE(p.server->reading());
    });
    CHECK(squall::testing::open_fd_count() == before);  // both streams closed their sockets
}

TEST_CASE_METHOD(AsyncTest, "writes made while connecting are sent once connected",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        BindOptions bind;
        bind.address = "127.0.0.1";
        int listener = bind_sockets(0, bind).front();
        SocketAddress addr = local_address(listener);
        Promise<int> accepted;
        add_accept_handler(io_loop(), listener, [&](int fd, const SocketAddress&) { accepted.set_result(fd); });
        IOStream client(io_loop(), ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        auto connected = client.connect(addr.get(), addr.length);
        auto written = client.write("early");
        co_await connected;
        co_await written;
        int fd = co_await accepted.get_future();
        IOStream server(io_loop(), fd);
        auto got5 = co_await server.read_bytes(5);
        CHECK(got5 == "early");
        io_loop().remove_handler(listener);
        ::close(listener);
    });
}

TEST_CASE_METHOD(AsyncTest, "a refused connection fails connect with the errno and runs the close callback",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        SocketAddress addr = closed_port_address();
        IOStream client(io_loop(), ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        Promise<void> closed;
        client.set_close_callback([&] { closed.set_result(); });
        try {
            co_await client.connect(addr.get(), addr.length);
            FAIL("connected to a closed port");
        } catch (const StreamClosedError& e) {
            try {
                std::rethrow_exception(e.real_error());
            } catch (const std::system_error& se) {
                CHECK(se.code() == std::errc::connection_refused);
            }
        }
        CHECK(client.closed());
        CHECK(client.error() != nullptr);
        co_await closed.get_future();
    });
}

TEST_CASE_METHOD(AsyncTest, "streaming reads hand over chunks as they arrive", "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        std::vector<std::string> chunks;
        Promise<void> first_chunk;
        auto read = p.client->read_bytes(6, Streaming([&](std::string_view c) {
            chunks.emplace_back(c);
            if (!first_chunk.done()) first_chunk.set_result();
        }));
        co_await p.server->write("1234");
        co_await first_chunk.get_future();
        co_await p.server->write("5678");
        auto got6 = co_await read;
        CHECK(got6 == "");
        CHECK(chunks == std::vector<std::string>{"1234", "56"});
        auto got7 = co_await p.client->read_bytes(2);
        CHECK(got7 == "78");

        chunks.clear();
        auto rest = p.client->read_until_close(Streaming([&](std::string_view c) { chunks.emplace_back(c); }));
        co_await p.server->write("abcd");
        p.server.reset();  // the peer goes away
        auto got8 = co_await rest;
        CHECK(got8 == "");
        std::string all;
        for (auto& c : chunks) all += c;
        CHECK(all == "abcd");
    });
}

TEST_CASE_METHOD(AsyncTest, "data sent before the peer closed can still be read, then the close callback runs",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop(), {}, StreamOptions{100 * 1024 * 1024, 256, 0, {}});
        std::vector<std::string> events;
        Promise<void> closed;
        p.client->set_close_callback([&] {
            events.push_back("closed");
            closed.set_result();
        });
        co_await p.server->write(std::string(512, 'x'));
        co_await p.server->write("1234");
        p.server.reset();
        // One co_await per statement: GCC 12 can evaluate a co_await twice inside a larger
        // expression with temporaries (a Catch2 CHECK, a call's arguments).
        for (int i = 0; i < 2; ++i) {
            auto block = co_await p.client->read_bytes(256);
            events.push_back(block);
        }
        auto one = co_await p.client->read_bytes(1);
        events.push_back(one);
        auto rest = co_await p.client->read_until_close();
        events.push_back(rest);
        co_await closed.get_future();
        REQUIRE(events.size() == 5);
        CHECK(events[0] == std::string(256, 'x'));
        CHECK(events[2] == "1");
        CHECK(events[3] == "234");
        CHECK(events[4] == "closed");
        // After the close, a read that the (empty) buffer cannot satisfy fails at once.
        CHECK_THROWS_AS(p.client->read_bytes(1).result(), StreamClosedError);
        CHECK_THROWS_AS(p.client->write("x"), StreamClosedError);
    });
}

TEST_CASE_METHOD(AsyncTest, "a pending read fails when the peer closes", "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        auto pending = p.client->read_until("\r\n");
        co_await p.server->write("no newline");
        p.server.reset();
        bool failed = false;
        try {
            co_await pending;
        } catch (const StreamClosedError&) {
            failed = true;
        }
        CHECK(failed);
    });
}

TEST_CASE_METHOD(AsyncTest, "read_until finds a delimiter after megabytes of data", "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        std::string big(4096 * 1024, 'a');
        auto written = p.server->write(big + "\r\n");
        std::string got = co_await p.client->read_until("\r\n");
        co_await written;
        CHECK(got.size() == big.size() + 2);
        CHECK(got.compare(got.size() - 2, 2, "\r\n") == 0);
    });
}

TEST_CASE_METHOD(AsyncTest, "partial read_bytes returns what is there", "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        co_await p.server->write("hello");
        auto got9 = co_await p.client->read_bytes(50, true);
        CHECK(got9 == "hello");
        co_await p.server->write("world");
        auto got10 = co_await p.client->read_bytes(3, true);
        CHECK(got10 == "wor");
        auto got11 = co_await p.client->read_bytes(0, true);
        CHECK(got11 == "");
        auto got12 = co_await p.client->read_bytes(2, true);
        CHECK(got12 == "ld");
    });
}

TEST_CASE_METHOD(AsyncTest, "read_until and read_until_regex enforce max_bytes", "[core][iostream][net]") {
    for (bool regex : {false, true}) {
        CAPTURE(regex);
        LogCapture logs;
        run_sync([&]() -> Future<void> {
            auto read = [&](IOStream& s, std::size_t max) {
                return regex ? s.read_until_regex("de+f", max) : s.read_until("def", max);
            };
            auto p = co_await make_stream_pair(io_loop());
            co_await p.server->write("abcdef");
            auto got13 = co_await read(*p.client, 50);
            CHECK(got13 == "abcdef");
            co_await p.server->write("abcdef");
            auto got14 = co_await read(*p.client, 6);
            CHECK(got14 == "abcdef");
            co_await p.server->write("abcdef");
            // The delimiter ends at byte 6, past max_bytes = 5: the read fails, the stream closes.
            bool failed = false;
            try {
                co_await p.client->read_bytes(1);  // let the data arrive in the buffer first
                co_await read(*p.client, 4);
            } catch (const UnsatisfiableReadError&) {
                failed = true;
            }
            CHECK(failed);
            CHECK(p.client->closed());
        });
        CHECK(logs.count("^Unsatisfiable read, closing connection", "tornado.general") == 1);
    }
}

// GCC 12 cannot keep a braced list alive across co_await: the pieces are built by a call.
template <class... S>
std::vector<std::string> pieces(S... s) {
    return {std::string(s)...};
}

/// Writes each piece and waits until the reader's buffer holds it (or `read` is done), so that
/// the pending read searches after every piece.
Future<void> write_in_pieces(StreamPair& p, const Future<std::string>& read, std::vector<std::string> pieces) {
    std::size_t total = p.client->buffered().size();
    for (const std::string& piece : pieces) {
        co_await p.server->write(piece);
        total += piece.size();
        while (!read.done() && p.client->buffered().size() < total) co_await squall::moment;
    }
}

TEST_CASE_METHOD(AsyncTest, "read_until_regex finds matches that span the pieces they arrive in",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        // Bounded: each search resumes near the end of the last one.
        auto head = p.client->read_until_regex("\r\n\r\n");
        co_await write_in_pieces(p, head, pieces("GET / HTTP/1.1\r\n", "Host: x\r", "\n", "\r", "\nrest"));
        std::string got_head = co_await std::move(head);
        CHECK(got_head == "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        // Unbounded: the leftmost match starts in an earlier piece than it ends in.
        auto run = p.client->read_until_regex("a+b");
        co_await write_in_pieces(p, run, pieces("xaaa", "aa", "ab"));
        std::string got_run = co_await std::move(run);
        CHECK(got_run == "restxaaaaaab");
        // \b sees the byte before where a resumed search starts.
        auto word = p.client->read_until_regex("\\bfoo");
        co_await write_in_pieces(p, word, pieces("xx", "foo", " ", "foo."));
        std::string got_word = co_await std::move(word);
        CHECK(got_word == "xxfoo foo");
        std::string rest = co_await p.client->read_bytes(1);
        CHECK(rest == ".");
    });
}

TEST_CASE_METHOD(AsyncTest, "read_until_regex: ^ matches only at the start of the buffer",
                 "[core][iostream][net]") {
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        auto read = p.client->read_until_regex("^ab", 8);
        co_await write_in_pieces(p, read, pieces("x", "ab", "ab", "abab"));
        bool failed = false;
        try {
            co_await std::move(read);
        } catch (const UnsatisfiableReadError&) {
            failed = true;
        }
        CHECK(failed);
    });
}

TEST_CASE_METHOD(AsyncTest, "read_until_regex is linear in long inputs and rejects bad patterns",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        // A backtracking engine recurses once per byte here and runs out of stack.
        std::string big(512 * 1024, 'a');
        auto read = p.client->read_until_regex("(a|b)*c");
        co_await p.server->write(big + "c");
        std::string got = co_await std::move(read);
        CHECK(got.size() == big.size() + 1);
        CHECK_THROWS_AS(p.client->read_until_regex("(unclosed"), std::invalid_argument);
        CHECK_THROWS_AS(p.client->read_until_regex("(a)\\1"), std::invalid_argument);  // backreference
    });
}

TEST_CASE_METHOD(AsyncTest, "write_timeout closes a stream whose peer takes nothing, and only then",
                 "[core][iostream][net]") {
    StreamOptions timed;
    timed.write_timeout = 200ms;
    run_sync([&]() -> Future<void> {
        // A peer that reads everything: the write completes and the stream stays open, though
        // it takes longer in all than nothing at all would.
        auto reading = co_await make_stream_pair(io_loop(), timed);
        const std::string big(8 * 1024 * 1024, 'w');
        auto written = reading.server->write(big);
        std::string got = co_await reading.client->read_bytes(big.size());
        co_await std::move(written);
        CHECK(got.size() == big.size());
        CHECK_FALSE(reading.server->closed());
        // A peer that reads nothing: once the socket buffers are full, the timeout passes.
        auto stuck = co_await make_stream_pair(io_loop(), timed);
        bool failed = false;
        try {
            co_await stuck.server->write(big);
        } catch (const StreamClosedError& e) {
            failed = std::string_view(e.what()).find("write timed out") != std::string_view::npos;
        }
        CHECK(failed);
        CHECK(stuck.server->closed());
    });
}

TEST_CASE_METHOD(AsyncTest, "small reads from a peer sending more than max_buffer_size",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        // The stream only reads while a read is pending, so 100 KiB through a 10 KiB buffer is fine.
        auto p = co_await make_stream_pair(io_loop(), {}, StreamOptions{10 * 1024, 1024, 0, {}});
        auto written = p.server->write(std::string(100 * 1024, 'y'));
        for (int i = 0; i < 100; ++i) {
            auto chunk = co_await p.client->read_bytes(1024);
            CHECK(chunk.size() == 1024);
        }
        co_await written;
    });
}

TEST_CASE_METHOD(AsyncTest, "a read larger than max_buffer_size closes the stream with StreamBufferFullError",
                 "[core][iostream][net]") {
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop(), {}, StreamOptions{4 * 1024, 1024, 0, {}});
        p.server->write(std::string(64 * 1024, 'z'));
        try {
            co_await p.client->read_until("never");
            FAIL("read succeeded");
        } catch (const StreamClosedError& e) {
            CHECK_THROWS_AS(std::rethrow_exception(e.real_error()), StreamBufferFullError);
        }
    });
    CHECK(logs.count("Reached maximum read buffer size") == 1);
}

TEST_CASE_METHOD(AsyncTest, "each write's Future completes; limits and misuse are errors",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop(), {}, StreamOptions{100 * 1024 * 1024, 65536, 1024 * 1024, {}});
        auto a = p.client->write("first ");
        auto b = p.client->write("second");
        auto empty = p.client->write("");
        std::vector<Future<void>> writes{a, b, empty};  // GCC 12: no braced lists inside co_await
        co_await multi(std::move(writes));
        auto got15 = co_await p.server->read_bytes(12);
        CHECK(got15 == "first second");
        CHECK_THROWS_AS(p.client->write(std::string(2 * 1024 * 1024, 'w')), StreamBufferFullError);
        auto reading = p.server->read_bytes(1);
        CHECK_THROWS_AS(p.server->read_bytes(1), std::logic_error);
        co_await p.client->write("!");
        auto got16 = co_await reading;
        CHECK(got16 == "!");
    });
}

TEST_CASE_METHOD(AsyncTest, "callback-style reads and writes run on a later iteration",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        Promise<std::string> got;
        bool wrote = false;
        p.server->write("line\n", [&] { wrote = true; });
        p.client->read_until("\n", [&](std::string s) { got.set_result(std::move(s)); });
        auto got17 = co_await got.get_future();
        CHECK(got17 == "line\n");
        co_await squall::moment;
        CHECK(wrote);
    });
}

TEST_CASE_METHOD(AsyncTest, "an idle stream with a close callback hears the peer close, but reads nothing",
                 "[core][iostream][net]") {
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        Promise<void> closed;
        p.server->set_close_callback([&] { closed.set_result(); });
        // Data with no read pending stays in the kernel (backpressure)...
        co_await p.client->write("pending");
        for (int i = 0; i < 5; ++i) co_await squall::moment;
        CHECK(p.server->buffered().empty());
        CHECK_FALSE(p.server->closed());
        // ...and a later read still gets it.
        auto got = co_await p.server->read_bytes(7);
        CHECK(got == "pending");
        // With nothing buffered, the peer's FIN is noticed without any read.
        p.client->close();
        co_await closed.get_future();
        CHECK(p.server->closed());
    });
}

TEST_CASE_METHOD(AsyncTest, "a stream whose read found nothing holds no read buffer", "[core][iostream][net]") {
    // Each stream of a new, silent connection kept a read chunk (64 KiB) it had read nothing into.
    constexpr std::size_t n = 100;
    std::vector<std::unique_ptr<squall::testing::SocketPair>> pairs;
    std::vector<std::unique_ptr<IOStream>> streams;
    std::vector<Future<std::string>> reads;
    const std::size_t before = mallinfo2().uordblks;
    for (std::size_t i = 0; i < n; ++i) {
        pairs.push_back(std::make_unique<squall::testing::SocketPair>());
        streams.push_back(std::make_unique<IOStream>(io_loop(), std::exchange(pairs.back()->a, -1)));
        reads.push_back(streams.back()->read_until("\n"));  // tries a read at once: nothing there
    }
    const std::size_t held = mallinfo2().uordblks - before;
    CHECK(held / n < 16 * 1024);
    // The buffer comes back when there is something to read.
    for (auto& p : pairs) REQUIRE(::write(p->b, "hi\n", 3) == 3);
    run_sync([&]() -> Future<void> {
        for (auto& r : reads) {
            std::string got = co_await std::move(r);
            CHECK(got == "hi\n");
        }
    });
}

TEST_CASE_METHOD(AsyncTest, "a half-closed peer's buffered data is served before its EOF closes the stream",
                 "[core][iostream][net]") {
    // A client that pipelined two requests and shut down its side lost the second answer: the
    // idle EOF check closed the stream while the second request was still buffered.
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        p.server->set_close_callback([] {});
        co_await p.client->write("one\ntwo\n");
        REQUIRE(::shutdown(p.client->fileno(), SHUT_WR) == 0);
        std::string first = co_await p.server->read_until("\n");
        CHECK(first == "one\n");
        for (int i = 0; i < 5; ++i) co_await squall::moment;
        CHECK_FALSE(p.server->closed());
        std::string second = co_await p.server->read_until("\n");
        CHECK(second == "two\n");
        co_await p.server->write("answer");
        std::string answer = co_await p.client->read_bytes(6);
        CHECK(answer == "answer");
    });
}

TEST_CASE_METHOD(AsyncTest, "an exception escaping a read or write callback closes the stream",
                 "[core][iostream][net]") {
    LogCapture log;
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        Promise<void> closed;
        p.client->set_close_callback([&] { closed.set_result(); });
        p.client->read_until("\n", [](std::string) { throw std::runtime_error("handler bug"); });
        co_await p.server->write("line\n");
        co_await closed.get_future();
        CHECK(p.client->closed());
        CHECK_THROWS_WITH(std::rethrow_exception(p.client->error()), "handler bug");
        // Write callbacks too; and a callback that deletes its stream before throwing is fine.
        auto w = co_await make_stream_pair(io_loop());
        Promise<void> writer_closed;
        w.server->set_close_callback([&] { writer_closed.set_result(); });
        w.server->write("x", [&] { throw std::logic_error("write handler bug"); });
        co_await writer_closed.get_future();
        CHECK_THROWS_WITH(std::rethrow_exception(w.server->error()), "write handler bug");
        auto q = co_await make_stream_pair(io_loop());
        Promise<void> ran;
        q.client->read_bytes(1, [&](std::string) {
            q.client.reset();
            ran.set_result();
            throw std::runtime_error("after delete");
        });
        co_await q.server->write("y");
        co_await ran.get_future();
        co_await squall::moment;
        CHECK(q.client == nullptr);
    });
    CHECK(log.count("Uncaught exception, closing connection: handler bug", "tornado.application") == 1);
    CHECK(log.count("Uncaught exception, closing connection: after delete", "tornado.application") == 1);
}

TEST_CASE_METHOD(AsyncTest, "PipeIOStream reads and writes a pipe", "[core][iostream]") {
    run_sync([&]() -> Future<void> {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        PipeIOStream reader(io_loop(), fds[0]);
        auto writer = std::make_unique<PipeIOStream>(io_loop(), fds[1]);
        co_await writer->write("hel");
        co_await writer->write("lo world");
        auto got18 = co_await reader.read_until(" ");
        CHECK(got18 == "hello ");
        auto got19 = co_await reader.read_bytes(3);
        CHECK(got19 == "wor");
        writer.reset();
        auto got20 = co_await reader.read_until_close();
        CHECK(got20 == "ld");

        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        PipeIOStream r2(io_loop(), fds[0]);
        PipeIOStream w2(io_loop(), fds[1]);
        std::string mib(1024 * 1024, 'p');
        auto sent = w2.write(mib);
        auto got21 = co_await r2.read_bytes(mib.size());
        CHECK(got21 == mib);
        co_await sent;
    });
}

namespace {

/// Echoes every line back, coroutine style.
class EchoServer : public TCPServer {
public:
    using TCPServer::TCPServer;
    int connections = 0;
    int finished = 0;
    Promise<void> all_finished;
    int expected = 0;

protected:
    void handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress& address) override {
        ++connections;
        CHECK(address.ip() == "127.0.0.1");
        serve(std::move(stream));
    }

private:
    Future<void> serve(std::unique_ptr<IOStream> stream) {
        try {
            while (true) {
                std::string line = co_await stream->read_until("\n");
                co_await stream->write(std::move(line));
            }
        } catch (const StreamClosedError&) {
        }
        if (++finished == expected) all_finished.set_result();
    }
};

}  // namespace

TEST_CASE_METHOD(AsyncTest, "a TCPServer echoes lines for several clients", "[core][tcpserver][net]") {
    int before = squall::testing::open_fd_count();
    {
        EchoServer server(io_loop());
        server.expected = 5;
        server.listen(0, "127.0.0.1");
        REQUIRE(server.ports().size() == 1);
        int port = server.ports().front();
        CHECK(port > 0);
        run_sync([&]() -> Future<void> {
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(static_cast<uint16_t>(port));
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            std::vector<std::unique_ptr<IOStream>> clients;
            for (int i = 0; i < 5; ++i) {
                clients.push_back(std::make_unique<IOStream>(io_loop(), ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
                co_await clients.back()->connect(reinterpret_cast<sockaddr*>(&addr), sizeof addr);
            }
            for (int round = 0; round < 3; ++round) {
                for (int i = 0; i < 5; ++i) clients[static_cast<size_t>(i)]->write("client " + std::to_string(i) + "\n");
                for (int i = 0; i < 5; ++i) {
                    auto echoed = co_await clients[static_cast<size_t>(i)]->read_until("\n");
                    CHECK(echoed == "client " + std::to_string(i) + "\n");
                }
            }
            clients.clear();
            co_await server.all_finished.get_future();  // every server side saw its client go
        });
        CHECK(server.connections == 5);
    }
    CHECK(squall::testing::open_fd_count() == before);
}

TEST_CASE_METHOD(AsyncTest, "TCPServer bind() then start() serves; an unstarted bind is released",
                 "[core][tcpserver][net]") {
    int before = squall::testing::open_fd_count();
    {
        EchoServer unstarted(io_loop());
        unstarted.bind(0, "127.0.0.1");
        CHECK(unstarted.ports().empty());  // bound, not accepting yet
    }
    CHECK(squall::testing::open_fd_count() == before);
    EchoServer server(io_loop());
    server.expected = 1;
    server.bind(0, "127.0.0.1", AF_INET, 16, true);
    server.start(1);
    REQUIRE(server.ports().size() == 1);
    int port = server.ports().front();
    run_sync([&]() -> Future<void> {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        auto client = std::make_unique<IOStream>(io_loop(), ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        co_await client->connect(reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        co_await client->write("hi\n");
        auto echoed = co_await client->read_until("\n");
        CHECK(echoed == "hi\n");
    });
}

TEST_CASE("bind_sockets shares one port across families and checks its arguments", "[core][netutil][net]") {
    auto socks = bind_sockets(0, BindOptions{"localhost"});
    REQUIRE_FALSE(socks.empty());
    std::vector<int> ports;
    for (int fd : socks) {
        SocketAddress a = local_address(fd);
        ports.push_back(a.port());
        ::close(fd);
    }
    for (int p : ports) CHECK(p == ports.front());
    CHECK_THROWS_AS(bind_sockets(70000), std::invalid_argument);
    int p[2];
    REQUIRE(::pipe(p) == 0);
    CHECK_THROWS_AS(local_address(p[0]), std::system_error);  // not a socket
    ::close(p[0]);
    ::close(p[1]);
    CHECK_THROWS_AS(bind_sockets(0, BindOptions{"no-such-host.invalid"}), std::runtime_error);
}

TEST_CASE("is_valid_ip accepts numeric addresses only", "[core][netutil]") {
    for (const char* ok : {"127.0.0.1", "4.4.4.4", "::1", "2620:0:1cfe:face:b00c::3"}) CHECK(is_valid_ip(ok));
    for (const char* bad : {"www.google.com", "localhost", "4.4.4.4<", " 127.0.0.1", "", " ", "\n"})
        CHECK_FALSE(is_valid_ip(bad));
    CHECK_FALSE(is_valid_ip(std::string_view("\0", 1)));
}

TEST_CASE("a coroutine that owns a stream and waits on it is freed when the loop closes",
          "[core][iostream][net]") {
    auto sentinel = std::make_shared<int>(0);
    std::weak_ptr<int> watch = sentinel;
    {
        IOLoop loop;
        auto pair = loop.run_sync([&] { return make_stream_pair(loop); }, 5s);
        // The coroutine owns the server stream, and the stream's pending read holds the
        // coroutine: only the loop's close can break that cycle.
        [](std::unique_ptr<IOStream> stream, std::shared_ptr<int> keep) -> Future<void> {
            co_await stream->read_until("\n");
            *keep = 1;
        }(std::move(pair.server), std::move(sentinel));
        CHECK_FALSE(watch.expired());
    }
    CHECK(watch.expired());
}

namespace {

/// A temporary file holding `content`, open for reading; removed when done.
struct TempFile {
    int fd = -1;
    explicit TempFile(const std::string& content) {
        char path[] = "/tmp/squall-write-file-XXXXXX";
        fd = ::mkstemp(path);
        ::unlink(path);
        std::size_t off = 0;
        while (off < content.size()) {
            ssize_t n = ::write(fd, content.data() + off, content.size() - off);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
    }
    ~TempFile() { ::close(fd); }
};

std::string patterned(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('A' + i % 53);
    return s;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "write_file sends file ranges in order with memory writes", "[core][iostream][net]") {
    std::string content = patterned(3 * 1024 * 1024 + 7);  // more than the socket buffers hold
    TempFile file(content);
    int before = squall::testing::open_fd_count();
    run_sync([&]() -> Future<void> {
        auto p = co_await make_stream_pair(io_loop());
        auto reading = p.client->read_bytes(5 + content.size() + 3 + 100 + 1 + 4);
        p.server->write("head:");
        p.server->write_file(file.fd, 0, content.size());
        p.server->write_file(file.fd, 1000, 100, ":: ");  // a prefix queued ahead of the file
        p.server->write_file(file.fd, 0, 0);               // nothing, done at once
        p.server->write_file(file.fd, 0, 0, "|");          // only the prefix
        auto last = p.server->write("tail");
        co_await std::move(last);
        std::string got = co_await std::move(reading);
        CHECK((got == "head:" + content + ":: " + content.substr(1000, 100) + "|tail"));
    });
    CHECK(squall::testing::open_fd_count() == before);  // the stream's duplicates are closed
}

TEST_CASE_METHOD(AsyncTest, "write_file over a pipe, and a file shorter than promised", "[core][iostream]") {
    std::string content = patterned(200 * 1024 + 1);
    TempFile file(content);
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        PipeIOStream reader(io_loop(), fds[0]), writer(io_loop(), fds[1]);
        auto reading = reader.read_bytes(4 + content.size());
        co_await writer.write_file(file.fd, 0, content.size(), "pre:");
        std::string got = co_await std::move(reading);
        CHECK((got == "pre:" + content));
        // The file ends before the length asked for: the stream closes with an error.
        auto short_write = writer.write_file(file.fd, content.size() - 10, 100);
        try {
            co_await std::move(short_write);
            FAIL("a short file did not fail the write");
        } catch (const StreamClosedError& e) {
            CHECK(e.real_error() != nullptr);
        }
        CHECK(writer.closed());
    });
}
