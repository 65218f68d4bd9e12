// Tests of AsyncHTTPClient, HTTPClient and squall-httpclient against squall's own HTTPServer
// on loopback (IPv4, IPv6, TLS). Ports tornado/test/simple_httpclient_test.py and
// httpclient_test.py (4.0): redirects, auth, gzip, streaming and header callbacks, timeouts,
// the max_clients queue, body producers, 100-continue; plus gzip request bodies on the server,
// the body limit (streamed bodies past it, generated as they go) and the request head's trace.
// The common behaviour runs against both implementations (simple, and curl when built), as
// tornado/test/curl_httpclient_test.py reruns the shared tests; curl's own tests follow.
#include <malloc.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "async_test.h"
#include "bytes_util.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/httpclient.h"
#include "squall/httpserver.h"
#include "squall/process.h"
#include "squall/tcpclient.h"
#include "squall/tcpserver.h"
#include "test_certs.h"

#ifdef SQUALL_TEST_CURL  // set by meson when squall is built with libcurl
#include <curl/curl.h>    // prepare_curl_callback's test sets an option itself
#endif

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::gzip;

namespace {

/// The implementations the shared tests run against: the simple client, and curl when built.
std::vector<HTTPClientImplementation> implementations() {
    std::vector<HTTPClientImplementation> all{HTTPClientImplementation::simple};
    if (AsyncHTTPClient::curl_available()) all.push_back(HTTPClientImplementation::curl);
    return all;
}

AsyncHTTPClientOptions with(HTTPClientImplementation which, AsyncHTTPClientOptions o = {}) {
    o.implementation = which;
    return o;
}

const char* name(HTTPClientImplementation which) {
    return which == HTTPClientImplementation::curl ? "curl" : "simple";
}

/// A small test site: each path shows one behaviour.
void site(std::shared_ptr<HTTPServerRequest> r) {
    const std::string& p = r->path;
    if (p == "/hello") return void(respond(*r, 200, {{"Content-Type", "text/plain"}}, "Hello world!"));
    if (p == "/echo") {
        std::string out = r->method + " " + r->uri + "\n";
        for (const auto& [k, v] : r->headers) out.append(k).append(": ").append(v).append("\n");
        out += "\n" + r->body;
        return void(respond(*r, 200, {}, out));
    }
    if (p == "/redirect") {
        std::string code = r->arguments.count("code") ? r->arguments["code"][0] : "302";
        return void(respond(*r, std::stoi(code), {{"Location", r->arguments["url"][0]}}, "moved"));
    }
    if (p == "/loop") return void(respond(*r, 302, {{"Location", "/loop"}}, ""));
    if (p == "/gzip") {
        if (r->headers.get("Accept-Encoding").find("gzip") == std::string::npos)
            return void(respond(*r, 200, {}, "plain"));
        return void(respond(*r, 200, {{"Content-Encoding", "gzip"}}, gzip(std::string(100000, 'g'))));
    }
    if (p == "/chunks") {
        r->connection->write_headers(ResponseStartLine{"HTTP/1.1", 200, ""}, {}, "asdf");
        r->connection->write("qwer");
        r->connection->finish();
        return;
    }
    if (p == "/seen") {
        // What a proxy would make of the request: the host it names, and the proxy's credentials.
        std::string seen = r->method + " " + r->host + " " + r->uri +
                           "\nProxy-Authorization: " + r->headers.get("Proxy-Authorization");
        return void(respond(*r, 200, {}, seen));
    }
    if (p == "/digest") {
        // Challenges for digest auth; shows the answer (its check is the client's business here).
        std::string auth = r->headers.get("Authorization");
        if (auth.rfind("Digest ", 0) == 0) return void(respond(*r, 200, {}, auth));
        return void(respond(*r, 401, {{"WWW-Authenticate", "Digest realm=\"test\", nonce=\"n0nce\", qop=\"auth\""}}, ""));
    }
    if (p == "/never") return;  // no answer at all
    if (p == "/fd") return void(respond(*r, 200, {}, std::to_string(r->connection->stream()->fileno())));
    if (p == "/close-after") {
        // Answers as if the connection could stay, then hangs up anyway.
        respond(*r, 200, {}, "bye");
        r->connection->stream()->close();
        return;
    }
    if (p == "/truncated") {
        // Promises ten bytes, sends five, hangs up.
        r->connection->write_headers(ResponseStartLine{"HTTP/1.1", 200, ""}, {{"Content-Length", "10"}}, "short");
        r->connection->stream()->close();
        return;
    }
    if (p == "/slow") {
        IOLoop::current().call_later(100ms, [r] { respond(*r, 200, {}, "slow"); });
        return;
    }
    respond(*r, 404, {}, "no such page");
}

/// Server options for https://localhost with the test CA's certificate.
HTTPServerOptions localhost_tls() {
    const auto& certs = squall::testing::test_certificates();
    SSLOptions so;
    so.certfile = certs.localhost.certfile;
    so.keyfile = certs.localhost.keyfile;
    HTTPServerOptions tls;
    tls.ssl_options = SSLContext::server(so);
    return tls;
}

struct Site {
    HTTPServer server;
    int port;
    explicit Site(IOLoop& loop, HTTPServerOptions o = {}, std::string address = "127.0.0.1")
        : server(site, std::move(o), loop) {
        server.listen(0, address);
        port = server.ports().front();
    }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

// ---- generated bodies, for the body limit ---------------------------------------------------

constexpr std::size_t block_size = 64 * 1024;
constexpr std::uint64_t old_limit = 100 * 1024 * 1024;  // max_buffer_size's default

/// Block `k` of a generated body: 'x's behind the block's number, so a lost, repeated or
/// reordered block shows, and gzip makes it small.
std::string generated_block(std::uint64_t k) {
    std::string b(block_size, 'x');
    std::memcpy(b.data(), &k, sizeof k);
    return b;
}

/// Checks streamed pieces against the generated body as they arrive, holding one block.
struct GeneratedBodyCheck {
    std::uint64_t received = 0;
    bool intact = true;
    std::uint64_t cached_index = UINT64_MAX;
    std::string cached;
    void operator()(std::string_view piece) {
        while (!piece.empty()) {
            std::uint64_t k = received / block_size;
            std::size_t within = received % block_size;
            if (k != cached_index) cached = generated_block(cached_index = k);
            std::size_t n = std::min(piece.size(), block_size - within);
            if (std::memcmp(piece.data(), cached.data() + within, n) != 0) intact = false;
            piece.remove_prefix(n);
            received += n;
        }
    }
};

/// gzip made piece by piece, so the compressed body is never whole in memory either.
class Deflater {
public:
    Deflater() { deflateInit2(&z_, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY); }
    ~Deflater() { deflateEnd(&z_); }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;
    /// What zlib gives back for `in`; with Z_FINISH, everything it still holds.
    std::string compress(std::string_view in, int flush = Z_NO_FLUSH) {
        std::string out;
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z_.avail_in = static_cast<uInt>(in.size());
        int rc = Z_OK;
        do {
            char buf[16384];
            z_.next_out = reinterpret_cast<Bytef*>(buf);
            z_.avail_out = sizeof buf;
            rc = deflate(&z_, flush);
            out.append(buf, sizeof buf - z_.avail_out);
        } while (z_.avail_in > 0 || z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
        return out;
    }
    std::string finish() { return compress({}, Z_FINISH); }

private:
    z_stream z_{};
};

/// Sends `size` generated bytes a block at a time, each write awaited, framed by
/// Content-Length ("length"), chunks ("chunked") or gzip in chunks ("gzip").
Future<void> send_generated(std::shared_ptr<HTTPServerRequest> r, std::uint64_t size, std::string framing) {
    try {
        HTTPHeaders headers;
        if (framing == "length") headers.set("Content-Length", std::to_string(size));
        if (framing == "gzip") headers.set("Content-Encoding", "gzip");
        auto head = r->connection->write_headers(ResponseStartLine{"HTTP/1.1", 200, ""}, std::move(headers));
        co_await std::move(head);
        Deflater deflater;
        for (std::uint64_t sent = 0; sent < size; sent += block_size) {
            std::string piece = generated_block(sent / block_size).substr(0, std::min<std::uint64_t>(block_size, size - sent));
            if (framing == "gzip") piece = deflater.compress(piece);
            auto written = r->connection->write(std::move(piece));
            co_await std::move(written);
        }
        if (framing == "gzip") {
            auto written = r->connection->write(deflater.finish());
            co_await std::move(written);
        }
        r->connection->finish();
    } catch (const StreamClosedError&) {
        // the client refused the body and hung up
    }
}

/// /SIZE/FRAMING: a generated body of SIZE bytes.
void generated_site(std::shared_ptr<HTTPServerRequest> r) {
    std::size_t slash = r->path.find('/', 1);
    send_generated(r, std::stoull(r->path.substr(1, slash - 1)), r->path.substr(slash + 1));
}

/// Heap bytes in use now (glibc's count, mmapped blocks included).
std::size_t heap_in_use() {
    struct mallinfo2 m = ::mallinfo2();
    return m.uordblks + m.hblkhd;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "fetch: a GET, a POST, errors as HTTPClientError", "[http][httpclient][net]") {
    const auto impl = GENERATE(from_range(implementations()));
    INFO(name(impl));
    Site s(io_loop());
    AsyncHTTPClient client(with(impl), io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse r = co_await client.fetch(s.url("/hello"));
        CHECK(r.code == 200);
        CHECK(r.reason == "OK");
        CHECK(r.body == "Hello world!");
        CHECK(r.headers.get("Content-Type") == "text/plain");
        CHECK(r.effective_url == s.url("/hello"));
        CHECK(r.request_time > 0);
        HTTPRequest post(s.url("/echo?x=1"));
        post.method = "POST";
        post.body = "a=b";
        post.user_agent = "squall-test";
        HTTPResponse echoed = co_await client.fetch(post);
        CHECK(echoed.body.rfind("POST /echo?x=1\n", 0) == 0);
        CHECK(echoed.body.find("Content-Type: application/x-www-form-urlencoded\n") != std::string::npos);
        CHECK(echoed.body.find("User-Agent: squall-test\n") != std::string::npos);
        CHECK(echoed.body.find("Connection: close\n") == std::string::npos);  // kept alive
        CHECK(echoed.body.substr(echoed.body.size() - 4) == "\na=b");
        try {
            co_await client.fetch(s.url("/missing"));
            FAIL("a 404 did not raise");
        } catch (const HTTPClientError& e) {
            CHECK(e.code() == 404);
            CHECK(std::string(e.what()) == "HTTP 404: Not Found");
            REQUIRE(e.response() != nullptr);
            CHECK(e.response()->body == "no such page");
        }
        HTTPResponse quiet = co_await client.fetch(s.url("/missing"), false);
        CHECK(quiet.code == 404);
        CHECK(quiet.error != nullptr);
        // The callback form always gets a response, with its error.
        Promise<HTTPResponse> got;
        client.fetch(HTTPRequest(s.url("/missing")), [&](HTTPResponse r) { got.set_result(std::move(r)); });
        HTTPResponse via_callback = co_await got.get_future();
        CHECK(via_callback.code == 404);
        CHECK_THROWS_AS(via_callback.rethrow(), HTTPClientError);
    });
    // Requests Tornado refuses before sending.
    HTTPRequest get_with_body(s.url("/echo"));
    get_with_body.body = "x";
    CHECK_THROWS_AS(client.fetch(get_with_body), std::invalid_argument);
    HTTPRequest put_without(s.url("/echo"));
    put_without.method = "PUT";
    CHECK_THROWS_AS(client.fetch(put_without), std::invalid_argument);
    HTTPRequest odd(s.url("/echo"));
    odd.method = "PURGE";
    CHECK_THROWS_AS(client.fetch(odd), std::invalid_argument);
    CHECK_THROWS_AS(client.fetch(std::string("ftp://example.com/")), std::invalid_argument);
    odd.allow_nonstandard_methods = true;
    run_sync([&]() -> Future<void> {
        HTTPResponse r = co_await client.fetch(odd);
        CHECK(r.body.rfind("PURGE /echo\n", 0) == 0);
    });
}

TEST_CASE_METHOD(AsyncTest, "connections are kept alive, dropped when closed, and optional",
                 "[http][httpclient][net]") {
    HTTPServerOptions o;
    o.idle_connection_timeout = 100ms;
    const auto impl = GENERATE(from_range(implementations()));
    INFO(name(impl));
    Site s(io_loop(), o);
    AsyncHTTPClient client(with(impl), io_loop());
    AsyncHTTPClientOptions closing = with(impl);
    closing.keep_alive = false;
    AsyncHTTPClient tornado_style(closing, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse a = co_await client.fetch(s.url("/fd"));
        HTTPResponse b = co_await client.fetch(s.url("/fd"));
        CHECK(a.body == b.body);  // the same server-side connection
        CHECK(s.server.connection_count() == 1);
        // The server closes idle connections after 100 ms; the client notices and reconnects.
        while (s.server.connection_count() > 0) co_await squall::sleep(5ms);
        HTTPResponse c = co_await client.fetch(s.url("/hello"));
        CHECK(c.body == "Hello world!");
        // A connection closed right after a response is retried transparently.
        HTTPResponse d = co_await client.fetch(s.url("/close-after"));
        HTTPResponse e = co_await client.fetch(s.url("/hello"));
        CHECK(d.body == "bye");
        CHECK(e.body == "Hello world!");
        // Tornado's way: Connection: close, a connection per request.
        HTTPResponse f = co_await tornado_style.fetch(s.url("/echo"));
        CHECK(f.body.find("Connection: close\n") != std::string::npos);
    });
}

TEST_CASE_METHOD(AsyncTest, "redirects are followed, rewritten and limited", "[http][httpclient][net]") {
    const auto impl = GENERATE(from_range(implementations()));
    INFO(name(impl));
    Site s(io_loop());
    AsyncHTTPClient client(with(impl), io_loop());
    run_sync([&]() -> Future<void> {
        HTTPResponse r = co_await client.fetch(s.url("/redirect?url=/hello"));
        CHECK(r.code == 200);
        CHECK(r.body == "Hello world!");
        CHECK(r.effective_url == s.url("/hello"));
        CHECK(r.original_url == s.url("/redirect?url=/hello"));
        // 303 turns a POST into a GET without its body; 307 keeps both.
        HTTPRequest post(s.url("/redirect?code=303&url=echo"));
        post.method = "POST";
        post.body = "payload";
        HTTPResponse seen = co_await client.fetch(post);
        CHECK(seen.body.rfind("GET /echo\n", 0) == 0);
        CHECK(seen.body.find("payload") == std::string::npos);
        post.url = s.url("/redirect?code=307&url=/echo");
        HTTPResponse kept = co_await client.fetch(post);
        CHECK(kept.body.rfind("POST /echo\n", 0) == 0);
        CHECK(kept.body.find("payload") != std::string::npos);
        HTTPRequest no_follow(s.url("/redirect?url=/hello"));
        no_follow.follow_redirects = false;
        HTTPResponse stopped = co_await client.fetch(no_follow, false);
        CHECK(stopped.code == 302);
        CHECK(stopped.headers.get("Location") == "/hello");
        HTTPResponse looped = co_await client.fetch(s.url("/loop"), false);
        // max_redirects (5) exhausted: the simple client gives the last redirect, curl fails.
        if (impl == HTTPClientImplementation::simple) CHECK(looped.code == 302);
        else CHECK_THROWS_WITH(looped.rethrow(), "HTTP 599: Maximum (5) redirects followed");
    });
}

TEST_CASE_METHOD(AsyncTest, "auth, gzip, chunked responses, callbacks, body producers and 100-continue",
                 "[http][httpclient][net]") {
    const auto impl = GENERATE(from_range(implementations()));
    INFO(name(impl));
    Site s(io_loop());
    AsyncHTTPClient client(with(impl), io_loop());
    run_sync([&]() -> Future<void> {
        HTTPRequest auth(s.url("/echo"));
        auth.auth_username = "Aladdin";
        auth.auth_password = "open sesame";
        HTTPResponse a = co_await client.fetch(auth);
        CHECK(a.body.find("Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\n") != std::string::npos);
        std::string with_userinfo = "http://me:pw@127.0.0.1:" + std::to_string(s.port) + "/echo";
        HTTPResponse b = co_await client.fetch(with_userinfo);
        CHECK(b.body.find("Authorization: Basic bWU6cHc=\n") != std::string::npos);
        CHECK(b.body.find("Host: 127.0.0.1:") != std::string::npos);  // no userinfo in Host

        HTTPResponse gz = co_await client.fetch(s.url("/gzip"));
        CHECK(gz.body == std::string(100000, 'g'));
        CHECK(gz.headers.get("X-Consumed-Content-Encoding") == "gzip");
        HTTPRequest raw(s.url("/gzip"));
        raw.decompress_response = false;
        HTTPResponse plain = co_await client.fetch(raw);
        CHECK(plain.body == "plain");

        HTTPResponse chunks = co_await client.fetch(s.url("/chunks"));
        CHECK(chunks.body == "asdfqwer");
        CHECK(chunks.headers.get("Transfer-Encoding") == "chunked");

        std::vector<std::string> header_lines;
        std::string streamed;
        HTTPRequest cb(s.url("/chunks"));
        cb.header_callback = [&](std::string_view line) { header_lines.emplace_back(line); };
        cb.streaming_callback = [&](std::string_view chunk) { streamed.append(chunk); };
        HTTPResponse c = co_await client.fetch(cb);
        CHECK(c.body.empty());
        CHECK(streamed == "asdfqwer");
        REQUIRE(header_lines.size() >= 2);
        CHECK(header_lines.front() == "HTTP/1.1 200 OK\r\n");
        CHECK(header_lines.back() == "\r\n");

        // The request's head as sent, the client's own headers included, once per request made.
        std::vector<std::string> sent;
        HTTPRequest traced(s.url("/redirect?url=/hello"));
        traced.request_header_callback = [&](std::string_view line) { sent.emplace_back(line); };
        HTTPResponse t = co_await client.fetch(traced);
        CHECK(t.body == "Hello world!");
        REQUIRE(sent.size() >= 3);
        CHECK(sent.front() == "GET /redirect?url=/hello HTTP/1.1\r\n");
        CHECK(std::count(sent.begin(), sent.end(), "GET /hello HTTP/1.1\r\n") == 1);
        CHECK(std::count(sent.begin(), sent.end(), "Host: 127.0.0.1:" + std::to_string(s.port) + "\r\n") == 2);
        CHECK(std::count(sent.begin(), sent.end(), "Accept-Encoding: gzip\r\n") == 2);
        CHECK(std::count(sent.begin(), sent.end(), "\r\n") == 2);
        CHECK(sent.back() == "\r\n");

        HTTPRequest produced(s.url("/echo"));
        produced.method = "PUT";
        produced.body_producer = [](HTTPRequest::BodyWriter write) -> Future<void> {
            co_await write("first ");
            co_await write("second");
        };
        if (impl == HTTPClientImplementation::simple) {  // as in Tornado, curl has no body_producer
            HTTPResponse p = co_await client.fetch(produced);
            CHECK(p.body.find("Transfer-Encoding: chunked\n") != std::string::npos);
            CHECK(p.body.substr(p.body.size() - 13) == "\nfirst second");
        }

        HTTPRequest expect(s.url("/echo"));
        expect.method = "POST";
        expect.body = "after continue";
        expect.expect_100_continue = true;
        HTTPResponse e = co_await client.fetch(expect);
        CHECK(e.body.find("Expect: 100-continue\n") != std::string::npos);
        CHECK(e.body.substr(e.body.size() - 14) == "after continue");
    });
}

TEST_CASE_METHOD(AsyncTest, "timeouts, refused connections and the max_clients queue give 599",
                 "[http][httpclient][net]") {
    const auto impl = GENERATE(from_range(implementations()));
    INFO(name(impl));
    const bool simple = impl == HTTPClientImplementation::simple;
    Site s(io_loop());
    AsyncHTTPClientOptions one = with(impl);
    one.max_clients = 1;
    AsyncHTTPClient client(one, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPRequest never(s.url("/never"));
        never.request_timeout = 50ms;
        HTTPResponse t = co_await client.fetch(never, false);
        CHECK(t.code == 599);
        // curl's messages are its error buffer's ("Operation timed out after 50 milliseconds...").
        if (simple) CHECK_THROWS_WITH(t.rethrow(), "HTTP 599: Timeout");
        else CHECK_THROWS_WITH(t.rethrow(), Catch::Matchers::Contains("timed out"));
        HTTPResponse cut = co_await client.fetch(s.url("/truncated"), false);
        CHECK(cut.code == 599);  // a body shorter than its Content-Length is no response
        if (simple) CHECK_THROWS_WITH(cut.rethrow(), "HTTP 599: Connection closed");
        else CHECK_THROWS_WITH(cut.rethrow(), Catch::Matchers::Contains("5 bytes remaining"));
        // A closed port.
        int port;
        {
            BindOptions b;
            b.address = "127.0.0.1";
            int fd = bind_sockets(0, b).front();
            port = local_address(fd).port();
            ::close(fd);
        }
        HTTPResponse refused = co_await client.fetch("http://127.0.0.1:" + std::to_string(port) + "/", false);
        CHECK(refused.code == 599);
        CHECK_THROWS_WITH(refused.rethrow(), Catch::Matchers::Contains(simple ? "refused" : "onnect"));
        // One slot: the second request waits, and gives up after its timeout. curl queues
        // inside itself, where the queued request's timeout runs too but with curl's message.
        if (!simple) co_return;
        auto slow = client.fetch(s.url("/slow"));
        HTTPRequest queued(s.url("/hello"));
        queued.connect_timeout = 20ms;
        HTTPResponse q = co_await client.fetch(queued, false);
        CHECK(q.code == 599);
        CHECK_THROWS_WITH(q.rethrow(), "HTTP 599: Timeout in request queue");
        HTTPResponse done = co_await std::move(slow);
        CHECK(done.body == "slow");
        HTTPResponse after = co_await client.fetch(s.url("/hello"));  // the slot came back
        CHECK(after.code == 200);
    });
}

TEST_CASE_METHOD(AsyncTest, "https with verification, and IPv6", "[http][httpclient][ssl][net]") {
    const auto& certs = squall::testing::test_certificates();
    HTTPServerOptions tls = localhost_tls();
    const auto impl = GENERATE(from_range(implementations()));
    INFO(name(impl));
    const bool simple = impl == HTTPClientImplementation::simple;
    Site s(io_loop(), tls);
    AsyncHTTPClient client(with(impl), io_loop());
    std::string url = "https://localhost:" + std::to_string(s.port) + "/echo";
    AsyncHTTPClientOptions mapped = with(impl);
    mapped.hostname_mapping = {{"localhost", "127.0.0.1"}};
    AsyncHTTPClient pinned(mapped, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPRequest r(url);
        r.ca_certs = certs.ca_file();
        HTTPResponse ok = co_await pinned.fetch(r);
        CHECK(ok.code == 200);
        HTTPResponse untrusted = co_await pinned.fetch(url, false);  // the system store does not know our CA
        CHECK(untrusted.code == 599);
        CHECK_THROWS_WITH(untrusted.rethrow(),
                          Catch::Matchers::Contains(simple ? "certificate verify failed" : "SSL certificate problem"));
        HTTPRequest lax(url);
        lax.validate_cert = false;
        HTTPResponse insecure = co_await pinned.fetch(lax);
        CHECK(insecure.code == 200);
        // A CA file that cannot be loaded is a failed fetch, for the callback form too.
        HTTPRequest missing_ca(url);
        missing_ca.ca_certs = "/nonexistent/ca.pem";
        HTTPResponse no_ca = co_await pinned.fetch(missing_ca, false);
        CHECK(no_ca.code == 599);
        CHECK_THROWS_WITH(no_ca.rethrow(), Catch::Matchers::Contains(simple ? "cannot load ca_certs /nonexistent/ca.pem"
                                                                            : "/nonexistent/ca.pem"));
        Promise<HTTPResponse> called;
        pinned.fetch(missing_ca, [&](HTTPResponse r) { called.set_result(std::move(r)); });
        HTTPResponse via_callback = co_await called.get_future();
        CHECK(via_callback.code == 599);
    });
    bool has_ipv6 = true;
    std::unique_ptr<Site> v6;
    try {
        v6 = std::make_unique<Site>(io_loop(), HTTPServerOptions{}, "::1");
    } catch (const std::exception&) {
        has_ipv6 = false;  // no IPv6 loopback in this container
    }
    if (has_ipv6) {
        run_sync([&]() -> Future<void> {
            HTTPResponse r = co_await client.fetch("http://[::1]:" + std::to_string(v6->port) + "/echo");
            CHECK(r.body.find("Host: [::1]:") != std::string::npos);
        });
    }
}

TEST_CASE_METHOD(AsyncTest, "servers gunzip request bodies when asked, within max_body_size",
                 "[http][httpserver][httpclient][net]") {
    HTTPServerOptions o;
    o.decompress_request = true;
    o.max_body_size = 50000;
    Site s(io_loop(), o);
    AsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPRequest r(s.url("/echo"));
        r.method = "POST";
        r.body = gzip("compressed request body");
        r.headers.set("Content-Encoding", "gzip");
        HTTPResponse ok = co_await client.fetch(r);
        CHECK(ok.body.find("X-Consumed-Content-Encoding: gzip\n") != std::string::npos);
        CHECK(ok.body.substr(ok.body.size() - 24) == "\ncompressed request body");
        r.body = gzip(std::string(60000, 'x'));  // small compressed, too large inflated
        HTTPResponse big = co_await client.fetch(r, false);
        CHECK(big.code == 413);
        r.body = "not gzip at all";
        HTTPResponse corrupt = co_await client.fetch(r, false);
        CHECK(corrupt.code == 400);
        // Bodies that end before the gzip stream does: answered 400, not a dropped connection.
        std::string whole = gzip("a body cut short");
        for (std::string cut : {std::string(), whole.substr(0, 10), whole.substr(0, whole.size() - 4)}) {
            INFO(cut.size());
            r.body = cut;
            HTTPResponse truncated = co_await client.fetch(r, false);
            CHECK(truncated.code == 400);
        }
        // Bytes after the end of the stream, in the same read (a second member, junk): 400 too.
        r.body = gzip("one member") + gzip("and another");
        HTTPResponse two_members = co_await client.fetch(r, false);
        CHECK(two_members.code == 400);
        r.body = gzip("still served");
        HTTPResponse after = co_await client.fetch(r);
        CHECK(after.body.ends_with("\nstill served"));
    });
}

TEST_CASE_METHOD(AsyncTest, "a streamed body has no size limit; a buffered one fails naming its limit",
                 "[http][httpclient][net]") {
    HTTPServer server(generated_site, {}, io_loop());
    server.listen(0, "127.0.0.1");
    std::string base = "http://127.0.0.1:" + std::to_string(server.ports().front()) + "/";
    AsyncHTTPClient client({}, io_loop());
    const std::uint64_t past_old_limit = old_limit + 1;
    const std::vector<std::string> framings = {"length", "chunked", "gzip"};
    const std::vector<bool> both = {false, true};  // named here: no braced list inside the coroutine (GCC 12)
    run_sync([&]() -> Future<void> {
        for (const std::string& framing : framings) {
            CAPTURE(framing);
            GeneratedBodyCheck check;
            std::size_t heap_before = heap_in_use(), heap_peak = heap_before;
            HTTPRequest streamed(base + std::to_string(past_old_limit) + "/" + framing);
            streamed.request_timeout = 120s;
            streamed.streaming_callback = [&](std::string_view piece) {
                check(piece);
                heap_peak = std::max(heap_peak, heap_in_use());
            };
            HTTPResponse r = co_await client.fetch(streamed, false);
            CHECK(r.code == 200);
            CHECK(check.received == past_old_limit);
            CHECK(check.intact);
            CHECK(r.body.empty());
#if !defined(__SANITIZE_ADDRESS__)  // ASan's quarantine holds freed blocks, so the heap grows
            CHECK(heap_peak - heap_before < 16 * 1024 * 1024);  // a few blocks, not the body
#endif
        }
        // Buffered, the default limit holds, and the message names it.
        HTTPResponse buffered = co_await client.fetch(base + std::to_string(past_old_limit) + "/length", false);
        CHECK(buffered.code == 599);
        CHECK_THROWS_WITH(buffered.rethrow(),
                          "HTTP 599: body over max_body_size (104857600 bytes): Content-Length too long");
        // A request's own limit applies to streamed and buffered bodies alike, whatever the framing.
        const std::uint64_t small = 1024 * 1024;
        for (const std::string& framing : framings) {
            CAPTURE(framing);
            for (bool streaming : both) {
                CAPTURE(streaming);
                GeneratedBodyCheck check;
                HTTPRequest limited(base + std::to_string(small + 1) + "/" + framing);
                limited.max_body_size = small;
                if (streaming) limited.streaming_callback = std::ref(check);
                HTTPResponse over = co_await client.fetch(limited, false);
                CHECK(over.code == 599);
                CHECK_THROWS_WITH(over.rethrow(), Catch::Matchers::StartsWith("HTTP 599: body over max_body_size (1048576 bytes): "));
                CHECK(check.received <= small);
                // Exactly the limit is fine.
                GeneratedBodyCheck at_check;
                limited.url = base + std::to_string(small) + "/" + framing;
                if (streaming) limited.streaming_callback = std::ref(at_check);
                HTTPResponse at_limit = co_await client.fetch(limited, false);
                CHECK(at_limit.code == 200);
                if (!streaming) at_check(at_limit.body);
                CHECK(at_check.received == small);
                CHECK(at_check.intact);
            }
        }
    }, 300s);
    // The client's max_body_size, when set, binds streamed bodies too.
    AsyncHTTPClientOptions capped;
    capped.max_body_size = 1000;
    AsyncHTTPClient capped_client(capped, io_loop());
    run_sync([&]() -> Future<void> {
        GeneratedBodyCheck check;
        HTTPRequest streamed(base + "1001/chunked");
        streamed.streaming_callback = std::ref(check);
        HTTPResponse over = co_await capped_client.fetch(streamed, false);
        CHECK_THROWS_WITH(over.rethrow(), "HTTP 599: body over max_body_size (1000 bytes): chunked body too large");
    });
}

TEST_CASE_METHOD(AsyncTest, "plain http through a proxy: the absolute URL as the target", "[http][httpclient][net]") {
    const auto impl = GENERATE(from_range(implementations()));
    INFO(name(impl));
    Site proxy(io_loop());
    AsyncHTTPClient client(with(impl), io_loop());
    run_sync([&]() -> Future<void> {
        // The origin's name never resolves: only the proxy is connected to.
        HTTPRequest r("http://origin.invalid:8080/seen?q=1");
        r.proxy_host = "127.0.0.1";
        r.proxy_port = proxy.port;
        std::vector<std::string> sent;
        r.request_header_callback = [&](std::string_view line) { sent.emplace_back(line); };
        HTTPResponse via = co_await client.fetch(r);
        CHECK(via.body == "GET origin.invalid:8080 /seen?q=1\nProxy-Authorization: ");
        REQUIRE(!sent.empty());
        CHECK(sent.front() == "GET http://origin.invalid:8080/seen?q=1 HTTP/1.1\r\n");
        CHECK(std::count(sent.begin(), sent.end(), "Host: origin.invalid:8080\r\n") == 1);
        r.request_header_callback = nullptr;
        r.proxy_username = "Aladdin";
        r.proxy_password = "open sesame";
        HTTPResponse authorized = co_await client.fetch(r);
        CHECK(authorized.body.ends_with("\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    });
    HTTPRequest secure("https://origin.invalid/");
    secure.proxy_host = "127.0.0.1";
    secure.proxy_port = proxy.port;
    // curl tunnels https with CONNECT; the simple client refuses it.
    if (impl == HTTPClientImplementation::simple)
        CHECK_THROWS_WITH(client.fetch(secure), Catch::Matchers::StartsWith("https through a proxy is not supported"));
    HTTPRequest no_port("http://origin.invalid/");
    no_port.proxy_host = "127.0.0.1";
    CHECK_THROWS_AS(client.fetch(no_port), std::invalid_argument);
}

TEST_CASE_METHOD(AsyncTest, "the blocking HTTPClient and the squall-httpclient tool", "[http][httpclient][net][threads]") {
    Site s(io_loop());
    // HTTPClient runs its own loop, so it runs on another thread while this loop serves.
    HTTPResponse blocking;
    run_sync([&]() -> Future<void> {
        Promise<void> done;
        IOLoop& loop = io_loop();
        std::thread t([&] {
            HTTPClient client;
            blocking = client.fetch(s.url("/hello"));
            loop.add_callback([&] { done.set_result(); });
        });
        co_await done.get_future();
        t.join();
    });
    CHECK(blocking.body == "Hello world!");
#ifndef SQUALL_HTTPCLIENT_TOOL
    WARN("built without tools: the command-line part is skipped");
#else
    auto run = [&](std::vector<std::string> argv, int expected_rc) {
        return run_sync([&]() -> Future<std::string> {
            Subprocess::Options options;
            options.stdout_pipe = true;
            options.stderr_pipe = true;
            Subprocess p(argv, options, io_loop());
            auto out = p.stdout_stream()->read_until_close();
            auto err = p.stderr_stream()->read_until_close();
            std::string text = co_await std::move(out);
            std::string errors = co_await std::move(err);
            int rc = co_await p.wait_for_exit(false);
            INFO(errors);
            CHECK(rc == expected_rc);
            co_return text + errors;
        }, 20s);
    };
    std::string tool = SQUALL_HTTPCLIENT_TOOL;
    CHECK(run({tool, s.url("/hello")}, 0) == "Hello world!");
    std::string with_headers = run({tool, "--print_headers", "-X", "PUT", "-H", "X-A: b", "-d", "body!", s.url("/echo")}, 0);
    CHECK(with_headers.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(with_headers.find("PUT /echo\n") != std::string::npos);
    CHECK(with_headers.find("X-A: b\n") != std::string::npos);
    CHECK(with_headers.find("\nbody!") != std::string::npos);
    char tmpl[] = "/tmp/squall-cli-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    {
        std::ofstream(dir + "/body.txt") << "from a file";
    }
    CHECK(run({tool, "-s", "-d", "@" + dir + "/body.txt", "-o", dir + "/out.txt", s.url("/echo")}, 0).empty());
    std::ifstream saved(dir + "/out.txt");
    std::string saved_text((std::istreambuf_iterator<char>(saved)), std::istreambuf_iterator<char>());
    CHECK(saved_text.rfind("POST /echo\n", 0) == 0);
    CHECK(saved_text.find("\nfrom a file") != std::string::npos);
    std::filesystem::remove_all(dir);
    // As curl: an error response is printed like any other, unless -f.
    CHECK(run({tool, s.url("/missing")}, 0) == "no such page");
    std::string missing = run({tool, "-f", s.url("/missing")}, 22);
    CHECK(missing.find("HTTP 404: Not Found") != std::string::npos);
    CHECK(missing.find("no such page") == std::string::npos);
    std::string timeout = run({tool, "--timeout", "0.05", s.url("/never")}, 28);
    CHECK(timeout.find("HTTP 599: Timeout") != std::string::npos);
    run({tool, "--bogus-flag", s.url("/hello")}, 2);
    if (AsyncHTTPClient::curl_available()) {
        // --curl: the same fetches through CurlAsyncHTTPClient, with curl's exit statuses.
        CHECK(run({tool, "--curl", s.url("/hello")}, 0) == "Hello world!");
        std::string via_curl = run({tool, "--curl", "-i", "-d", "body!", s.url("/echo")}, 0);
        CHECK(via_curl.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        CHECK(via_curl.find("\nbody!") != std::string::npos);
        CHECK(run({tool, "--curl", "-f", s.url("/missing")}, 22).find("HTTP 404: Not Found") != std::string::npos);
        CHECK(run({tool, "--curl", "--timeout", "0.05", s.url("/never")}, 28).find("timed out") != std::string::npos);
    }
#endif
}

TEST_CASE_METHOD(AsyncTest, "closing or destroying a client fails the fetches in flight and queued",
                 "[http][httpclient][net]") {
    const auto impl = GENERATE(from_range(implementations()));
    INFO(name(impl));
    Site s(io_loop());
    const std::size_t handlers_before = io_loop().handler_count();
    for (bool destroy : {false, true}) {
        CAPTURE(destroy);
        AsyncHTTPClientOptions o = with(impl);
        o.max_clients = 2;
        auto client = std::make_unique<AsyncHTTPClient>(o, io_loop());
        std::vector<Future<HTTPResponse>> fetches;
        for (int i = 0; i < 3; ++i) fetches.push_back(client->fetch(s.url("/never"), false));
        auto redirected = client->fetch(s.url("/redirect?url=/never"), false);
        run_sync([&]() -> Future<void> {
            // Both slots are taken once the server has seen two requests on connections.
            while (s.server.connection_count() < 2) co_await squall::moment;
            if (destroy) client.reset();
            else client->close();
            for (auto& f : fetches) {
                HTTPResponse r = co_await f;
                CHECK(r.code == 599);
                CHECK_THROWS_WITH(r.rethrow(), "HTTP 599: the client was closed");
            }
            HTTPResponse r = co_await redirected;
            CHECK(r.code == 599);
            // The server closes its side once it reads the client's hang-up.
            while (s.server.connection_count() > 0) co_await squall::moment;
        });
        // No socket of the client's is left on the loop (the server's listening one stays).
        CHECK(io_loop().handler_count() == handlers_before);
        if (!destroy) CHECK_THROWS_AS(client->fetch(s.url("/hello")), std::logic_error);
    }
}

// ---- curl's own: what only CurlAsyncHTTPClient does, and the multi handle under load --------

TEST_CASE_METHOD(AsyncTest, "configure() and CurlAsyncHTTPClient choose the implementation", "[http][httpclient][curl]") {
    AsyncHTTPClient plain({}, io_loop());
    CHECK(plain.implementation() == HTTPClientImplementation::simple);
    if (!AsyncHTTPClient::curl_available()) {
        CHECK_THROWS_AS(AsyncHTTPClient::configure(HTTPClientImplementation::curl), std::runtime_error);
        CHECK_THROWS_AS(CurlAsyncHTTPClient({}, io_loop()), std::runtime_error);
        return;
    }
    AsyncHTTPClient::configure(HTTPClientImplementation::curl);
    AsyncHTTPClient configured({}, io_loop());
    AsyncHTTPClient overridden(with(HTTPClientImplementation::simple), io_loop());
    AsyncHTTPClient::configure(HTTPClientImplementation::simple);
    CHECK(configured.implementation() == HTTPClientImplementation::curl);
    CHECK(overridden.implementation() == HTTPClientImplementation::simple);
    CurlAsyncHTTPClient named(with(HTTPClientImplementation::simple), io_loop());
    CHECK(named.implementation() == HTTPClientImplementation::curl);
    // What curl cannot do is refused before anything is sent.
    HTTPRequest produced("http://127.0.0.1:1/");
    produced.method = "PUT";
    produced.body_producer = [](HTTPRequest::BodyWriter) { return make_ready_future(); };
    CHECK_THROWS_WITH(named.fetch(produced), "body_producer is not supported by the curl client");
    HTTPRequest custom_tls("https://127.0.0.1:1/");
    custom_tls.ssl_options = SSLContext::client(SSLOptions{});
    CHECK_THROWS_AS(named.fetch(custom_tls), std::invalid_argument);
}

#ifdef SQUALL_TEST_CURL

TEST_CASE_METHOD(AsyncTest, "curl: prepare_curl_callback, HEAD, digest, streamed gzip", "[http][httpclient][curl][net]") {
    Site s(io_loop());
    CurlAsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        // The callback runs after squall's options, so what it sets wins.
        void* seen = nullptr;
        HTTPRequest prepared(s.url("/echo"));
        prepared.user_agent = "squall";
        prepared.prepare_curl_callback = [&](void* easy) {
            seen = easy;
            curl_easy_setopt(static_cast<CURL*>(easy), CURLOPT_USERAGENT, "set-by-callback");
        };
        HTTPResponse r = co_await client.fetch(prepared);
        CHECK(seen != nullptr);
        CHECK(r.body.find("User-Agent: set-by-callback\n") != std::string::npos);
        HTTPRequest head(s.url("/hello"));
        head.method = "HEAD";
        HTTPResponse h = co_await client.fetch(head);
        CHECK(h.code == 200);
        // A POST without a body sends an empty one (curl's default would read standard input).
        HTTPRequest empty_post(s.url("/echo"));
        empty_post.method = "POST";
        empty_post.allow_nonstandard_methods = true;
        HTTPResponse ep = co_await client.fetch(empty_post);
        CHECK(ep.body.find("Content-Length: 0\n") != std::string::npos);
        CHECK(h.body.empty());
        CHECK(h.headers.get("Content-Length") == "12");
        // Digest: nothing until the server challenges, then the answer to its nonce.
        HTTPRequest digest(s.url("/echo"));
        digest.auth_username = "user";
        digest.auth_password = "pw";
        digest.auth_mode = "digest";
        HTTPResponse unchallenged = co_await client.fetch(digest);
        CHECK(unchallenged.body.find("Authorization:") == std::string::npos);
        digest.url = s.url("/digest");
        HTTPResponse d = co_await client.fetch(digest);
        CHECK(d.body.rfind("Digest username=\"user\", realm=\"test\", nonce=\"n0nce\"", 0) == 0);
        CHECK(d.body.find("response=\"") != std::string::npos);
        std::string streamed;
        HTTPRequest gz(s.url("/gzip"));
        gz.streaming_callback = [&](std::string_view piece) { streamed.append(piece); };
        HTTPResponse g = co_await client.fetch(gz);
        CHECK(g.body.empty());
        CHECK(streamed == std::string(100000, 'g'));
        CHECK(g.headers.get("X-Consumed-Content-Encoding") == "gzip");
        CHECK(!g.headers.contains("Content-Encoding"));
        // A fetch started from inside a callback curl runs (curl refuses to add it there).
        std::optional<Future<HTTPResponse>> nested;
        HTTPRequest outer(s.url("/hello"));
        outer.streaming_callback = [&](std::string_view) {
            if (!nested) nested = client.fetch(s.url("/echo"));
        };
        co_await client.fetch(outer);
        REQUIRE(nested.has_value());
        HTTPResponse inner = co_await *nested;
        CHECK(inner.body.rfind("GET /echo\n", 0) == 0);
    });
}

TEST_CASE_METHOD(AsyncTest, "curl: big bodies streamed and limited", "[http][httpclient][curl][net]") {
    HTTPServer server(generated_site, {}, io_loop());
    server.listen(0, "127.0.0.1");
    std::string base = "http://127.0.0.1:" + std::to_string(server.ports().front()) + "/";
    CurlAsyncHTTPClient client({}, io_loop());
    const std::vector<std::string> framings = {"length", "chunked", "gzip"};
    const std::uint64_t big = 32 * 1024 * 1024 + 5, small = 1024 * 1024;
    run_sync([&]() -> Future<void> {
        for (const std::string& framing : framings) {
            CAPTURE(framing);
            GeneratedBodyCheck check;
            HTTPRequest streamed(base + std::to_string(big) + "/" + framing);
            streamed.streaming_callback = std::ref(check);
            HTTPResponse r = co_await client.fetch(streamed);
            CHECK(check.received == big);
            CHECK(check.intact);
            HTTPRequest limited(base + std::to_string(small + 1) + "/" + framing);
            limited.max_body_size = small;
            HTTPResponse over = co_await client.fetch(limited, false);
            CHECK_THROWS_WITH(over.rethrow(), "HTTP 599: body over max_body_size (1048576 bytes): body too large");
            limited.url = base + std::to_string(small) + "/" + framing;
            HTTPResponse at_limit = co_await client.fetch(limited);
            CHECK(at_limit.body.size() == small);
        }
    }, 120s);
}

TEST_CASE_METHOD(AsyncTest, "curl: many fetches at once over the multi handle, then nothing left on the loop",
                 "[http][httpclient][curl][net]") {
    Site s(io_loop());
    const std::size_t handlers_before = io_loop().handler_count();
    AsyncHTTPClientOptions o;
    o.max_clients = 4;
    auto client = std::make_unique<CurlAsyncHTTPClient>(o, io_loop());
    run_sync([&]() -> Future<void> {
        std::vector<Future<HTTPResponse>> fetches;
        for (int i = 0; i < 60; ++i) fetches.push_back(client->fetch(s.url(i % 3 ? "/hello" : "/slow"), false));
        int ok = 0;
        for (auto& f : fetches) {
            HTTPResponse r = co_await f;
            if (r.code == 200) ++ok;
        }
        CHECK(ok == 60);
        CHECK(s.server.connection_count() <= 4);  // max_clients caps curl's connections
        client.reset();
        while (s.server.connection_count() > 0) co_await squall::moment;
    }, 30s);
    CHECK(io_loop().handler_count() == handlers_before);
}

/// A CONNECT-only proxy: reads the request head, connects where it names, answers 200 and
/// copies bytes both ways until either side hangs up. Keeps the targets it was asked for.
class ConnectProxy final : public TCPServer {
public:
    using TCPServer::TCPServer;
    std::vector<std::string> targets;

protected:
    void handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress&) override {
        tunnel(std::shared_ptr<IOStream>(std::move(stream)));
    }

private:
    Future<void> tunnel(std::shared_ptr<IOStream> client) {
        try {
            std::string head = co_await client->read_until("\r\n\r\n");
            std::string target = head.substr(8, head.find(' ', 8) - 8);  // "CONNECT host:port ..."
            targets.push_back(target);
            std::size_t colon = target.rfind(':');
            TCPClient tcp;
            auto connecting = tcp.connect(target.substr(0, colon), std::stoi(target.substr(colon + 1)));
            std::shared_ptr<IOStream> origin = co_await std::move(connecting);
            co_await client->write("HTTP/1.1 200 Connection established\r\n\r\n");
            pump(client, origin);
            pump(origin, client);
        } catch (const std::exception&) {
            client->close();
        }
    }
    static Future<void> pump(std::shared_ptr<IOStream> from, std::shared_ptr<IOStream> to) {
        try {
            while (true) {
                std::string piece = co_await from->read_bytes(64 * 1024, true);
                co_await to->write(std::move(piece));
            }
        } catch (const std::exception&) {
            to->close();  // one side hung up: so does the other
        }
    }
};

TEST_CASE_METHOD(AsyncTest, "curl: https through a proxy's CONNECT tunnel", "[http][httpclient][curl][ssl][net]") {
    const auto& certs = squall::testing::test_certificates();
    HTTPServerOptions tls = localhost_tls();
    Site origin(io_loop(), tls);
    ConnectProxy proxy(io_loop());
    proxy.listen(0, "127.0.0.1");
    CurlAsyncHTTPClient client({}, io_loop());
    run_sync([&]() -> Future<void> {
        HTTPRequest r("https://localhost:" + std::to_string(origin.port) + "/echo");
        r.ca_certs = certs.ca_file();
        r.proxy_host = "127.0.0.1";
        r.proxy_port = proxy.ports().front();
        HTTPResponse via = co_await client.fetch(r);
        CHECK(via.body.rfind("GET /echo\n", 0) == 0);  // the origin's own answer, through TLS end to end
        REQUIRE(proxy.targets.size() == 1);
        CHECK(proxy.targets[0] == "localhost:" + std::to_string(origin.port));
    });
}

#endif  // SQUALL_TEST_CURL
