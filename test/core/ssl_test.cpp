// Tests of TLS: SSLContext options and defaults (probed with `openssl s_client` too), SSLIOStream
// client and server, verification (chain, host name, self-signed, client certificates), SNI,
// ALPN, start_tls and the faults of a handshake.
// Ports the SSL cases of tornado/test/iostream_test.py and netutil/tcpserver tests (4.0/4.2),
// with real OpenSSL handshakes over loopback and certificates made for the run.
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/process.h"
#include "squall/ssliostream.h"
#include "squall/tcpclient.h"
#include "squall/tcpserver.h"
#include "test_certs.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;
using squall::testing::test_certificates;

namespace {

SSLOptions server_options(const squall::testing::KeyPair& kp) {
    SSLOptions o;
    o.cert_pem = kp.cert_pem;
    o.key_pem = kp.key_pem;
    return o;
}

SSLContext trusting_client() {
    SSLOptions o;
    o.ca_pem = test_certificates().ca.cert_pem;
    return SSLContext::client(o);
}

/// Echoes lines over TLS and remembers what each handshake agreed.
class TLSEcho : public TCPServer {
public:
    using TCPServer::TCPServer;
    struct Stats {
        std::vector<std::string> server_names, peer_subjects, alpn;
        int handshakes = 0, closed = 0;
    };
    // Shared with the connections, which may outlive the server until the loop closes.
    std::shared_ptr<Stats> stats = std::make_shared<Stats>();

protected:
    void handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress&) override {
        serve(std::move(stream), stats);
    }

private:
    static Future<void> serve(std::unique_ptr<IOStream> stream, std::shared_ptr<Stats> stats) {
        auto* tls = dynamic_cast<SSLIOStream*>(stream.get());
        try {
            // Reads may start before the handshake ends; they wait for it.
            std::string line = co_await stream->read_until("\n");
            ++stats->handshakes;
            stats->server_names.push_back(tls->server_name());
            stats->peer_subjects.push_back(tls->peer_certificate_subject());
            stats->alpn.push_back(tls->selected_alpn_protocol());
            while (true) {
                co_await stream->write(std::move(line));
                line = co_await stream->read_until("\n");
            }
        } catch (const StreamClosedError&) {
            ++stats->closed;
        }
    }
};

ConnectOptions tls_to(SSLContext ctx, std::string hostname = "localhost") {
    ConnectOptions o;
    o.ssl_options = std::move(ctx);
    o.server_hostname = std::move(hostname);
    return o;
}

/// The SSLError message behind a failed connect.
std::string connect_failure(AsyncTest& t, TCPClient& client, int port, ConnectOptions options) {
    try {
        t.run_sync([&] { return client.connect("127.0.0.1", port, options); });
    } catch (const StreamClosedError& e) {
        try {
            if (e.real_error()) std::rethrow_exception(e.real_error());
        } catch (const SSLError& ssl) {
            return ssl.what();
        } catch (const std::exception& other) {
            return std::string("not an SSLError: ") + other.what();
        }
        return "no real_error";
    }
    return "connected";
}

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    return a;
}

int connect_blocking(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(port);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0);
    return fd;
}

/// What `openssl s_client` (the Debian openssl package) made of a handshake.
struct Probe {
    int rc = -1;
    std::string output;  // its stdout and stderr
    bool connected() const { return rc == 0 && output.find("CONNECTION ESTABLISHED") != std::string::npos; }
    bool says(const std::string& text) const { return output.find(text) != std::string::npos; }
};

/// Runs `openssl s_client -brief` against 127.0.0.1:`port` with `args`. Its stdin is closed, so
/// it leaves as soon as the handshake is over (or has failed).
Probe s_client(AsyncTest& t, int port, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port), "-brief"};
    argv.insert(argv.end(), args.begin(), args.end());
    return t.run_sync([&]() -> Future<Probe> {
        Subprocess::Options o;
        o.stdin_pipe = o.stdout_pipe = o.stderr_pipe = true;
        Subprocess child(argv, o, t.io_loop());
        // Should the test give up on it (run_sync's timeout), it does not outlive the test.
        struct Reaper {
            Subprocess& child;
            ~Reaper() {
                if (!child.returncode()) ::kill(child.pid(), SIGKILL);
            }
        } reaper{child};
        child.stdin_stream()->close();
        auto out = child.stdout_stream()->read_until_close();
        auto err = child.stderr_stream()->read_until_close();
        Probe probe;
        probe.output = co_await std::move(out);
        probe.output += co_await std::move(err);
        probe.rc = co_await child.wait_for_exit(false);
        co_return probe;
    }, 20s);
}

}  // namespace

TEST_CASE("SSLContext rejects missing or bad certificates clearly", "[core][ssl]") {
    CHECK_THROWS_AS(SSLContext::server({}), std::invalid_argument);
    SSLOptions missing;
    missing.certfile = "/nonexistent/cert.pem";
    CHECK_THROWS_AS(SSLContext::server(missing), SSLError);
    const auto& certs = test_certificates();
    SSLOptions mismatched;
    mismatched.cert_pem = certs.localhost.cert_pem;
    mismatched.key_pem = certs.other.key_pem;
    CHECK_THROWS_WITH(SSLContext::server(mismatched), Catch::Matchers::Contains("does not match"));
    SSLOptions no_key;
    no_key.cert_pem = certs.localhost.cert_pem;
    CHECK_THROWS_AS(SSLContext::server(no_key), std::invalid_argument);
    SSLOptions bad_ciphers = server_options(certs.localhost);
    bad_ciphers.ciphers = "NO-SUCH-CIPHER";
    CHECK_THROWS_AS(SSLContext::server(bad_ciphers), SSLError);
    SSLOptions files;  // certfile + keyfile, Tornado's usual form
    files.certfile = certs.localhost.certfile;
    files.keyfile = certs.localhost.keyfile;
    SSLContext ok = SSLContext::server(files);
    CHECK(ok.server_side());
    SSLOptions verify_clients = server_options(certs.localhost);
    verify_clients.cert_reqs = CertRequirements::required;
    CHECK_THROWS_AS(SSLContext::server(verify_clients), std::invalid_argument);  // no CA given
    CHECK_FALSE(SSLContext::client().server_side());
    CHECK(SSLContext::client().check_hostname());
    SSLOptions lax;
    lax.cert_reqs = CertRequirements::none;
    CHECK_FALSE(SSLContext::client(lax).check_hostname());
    // TLS 1.2 at least, no compression.
    SSL_CTX* native = ok.native_handle();
    CHECK(SSL_CTX_get_min_proto_version(native) == TLS1_2_VERSION);
    CHECK((SSL_CTX_get_options(native) & SSL_OP_NO_COMPRESSION) != 0);
}

TEST_CASE_METHOD(AsyncTest, "TLS echo: a verified client and a server agree and exchange data",
                 "[core][ssl][net]") {
    TLSEcho server(io_loop(), {}, SSLContext::server(server_options(test_certificates().localhost)));
    server.listen(0, "127.0.0.1");
    int port = server.ports().front();
    TCPClient client(nullptr, io_loop());
    run_sync([&]() -> Future<void> {
        auto stream = co_await client.connect("127.0.0.1", port, tls_to(trusting_client()));
        auto* tls = dynamic_cast<SSLIOStream*>(stream.get());
        REQUIRE(tls != nullptr);
        CHECK(tls->handshake_done());
        CHECK(tls->version().rfind("TLSv1.", 0) == 0);
        CHECK(tls->version() != "TLSv1.1");
        CHECK_FALSE(tls->cipher().empty());
        CHECK(tls->peer_certificate_subject() == "CN=localhost,O=squall tests");
        CHECK_FALSE(tls->peer_certificate_der().empty());
        CHECK(SSL_get_current_compression(tls->native_handle()) == nullptr);
        co_await stream->write("hello\n");
        auto line = co_await stream->read_until("\n");
        CHECK(line == "hello\n");
        // Many small writes become few records but arrive intact and in order.
        std::string expected;
        for (int i = 0; i < 2000; ++i) {
            std::string l = "line " + std::to_string(i) + "\n";
            expected += l;
            stream->write(std::move(l));
        }
        auto echoed = co_await stream->read_bytes(expected.size());
        CHECK(echoed == expected);
    });
    REQUIRE(server.stats->server_names.size() == 1);
    CHECK(server.stats->server_names[0] == "localhost");  // SNI reached the server
    CHECK(server.stats->peer_subjects[0].empty());        // no client certificate asked for
}

TEST_CASE_METHOD(AsyncTest, "TLS carries megabytes both ways, written before the handshake ends",
                 "[core][ssl][net]") {
    auto server_ctx = SSLContext::server(server_options(test_certificates().localhost));
    squall::testing::BoundSocket bound = squall::testing::bind_unused_port();
    int listen_fd = std::exchange(bound.fd, -1);
    ::listen(listen_fd, 8);
    int port = bound.port;
    int cfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    SSLIOStream client(io_loop(), cfd, trusting_client(), "localhost");
    std::string big(4 * 1024 * 1024 + 3, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 23);
    run_sync([&]() -> Future<void> {
        sockaddr_in a = loopback(port);
        auto connected = client.connect(reinterpret_cast<const sockaddr*>(&a), sizeof a);
        auto written = client.write(big);  // queued until connected and handshaken
        int sfd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        SSLIOStream server(io_loop(), sfd, server_ctx);
        auto got = server.read_bytes(big.size());
        co_await std::move(connected);
        co_await std::move(written);
        std::string received = co_await std::move(got);
        CHECK(received.size() == big.size());
        CHECK((received == big));
        auto back_read = client.read_bytes(big.size());  // more than the socket buffers hold
        co_await server.write(big);
        std::string back = co_await std::move(back_read);
        CHECK((back == big));
        // An orderly close: the peer sees the end of the stream.
        server.close();
        std::string rest = co_await client.read_until_close();
        CHECK(rest.empty());
    });
    ::close(listen_fd);
}

TEST_CASE_METHOD(AsyncTest, "clients reject a wrong host name, a self-signed certificate and unknown CAs",
                 "[core][ssl][net]") {
    const auto& certs = test_certificates();
    TLSEcho server(io_loop(), {}, SSLContext::server(server_options(certs.localhost)));
    server.listen(0, "127.0.0.1");
    TLSEcho self_signed(io_loop(), {}, SSLContext::server(server_options(certs.self_signed)));
    self_signed.listen(0, "127.0.0.1");
    TCPClient client(nullptr, io_loop());
    LogCapture log;  // handshake failures are logged as warnings

    CHECK_THAT(connect_failure(*this, client, server.ports().front(), tls_to(trusting_client(), "other.example")),
               Catch::Matchers::Contains("hostname mismatch"));
    // An IP address is checked against the certificate's IP entries.
    CHECK(connect_failure(*this, client, server.ports().front(), tls_to(trusting_client(), "127.0.0.1")) == "connected");
    CHECK_THAT(connect_failure(*this, client, server.ports().front(), tls_to(trusting_client(), "127.0.0.2")),
               Catch::Matchers::Contains("IP address mismatch"));
    CHECK_THAT(connect_failure(*this, client, self_signed.ports().front(), tls_to(trusting_client())),
               Catch::Matchers::Contains("self-signed certificate"));
    // The default client context trusts the system store, which does not know our test CA.
    CHECK_THAT(connect_failure(*this, client, server.ports().front(), tls_to(SSLContext::client())),
               Catch::Matchers::Contains("unable to get local issuer certificate"));
    // Allowed when the client says so.
    SSLOptions lax;
    lax.cert_reqs = CertRequirements::none;
    CHECK(connect_failure(*this, client, self_signed.ports().front(), tls_to(SSLContext::client(lax))) == "connected");
    SSLOptions trust_self;
    trust_self.ca_pem = certs.self_signed.cert_pem;
    CHECK(connect_failure(*this, client, self_signed.ports().front(), tls_to(SSLContext::client(trust_self))) == "connected");
    // A name check can be turned off while the chain is still verified.
    SSLOptions no_names;
    no_names.ca_certs = certs.ca_file();
    no_names.check_hostname = false;
    CHECK(connect_failure(*this, client, server.ports().front(), tls_to(SSLContext::client(no_names), "other.example")) ==
          "connected");
    CHECK(log.count("SSL Error", "tornado.general") >= 4);
}

TEST_CASE_METHOD(AsyncTest, "servers can require client certificates", "[core][ssl][net]") {
    const auto& certs = test_certificates();
    SSLOptions so = server_options(certs.localhost);
    so.cert_reqs = CertRequirements::required;
    so.ca_certs = certs.ca_file();
    TLSEcho server(io_loop(), {}, SSLContext::server(so));
    server.listen(0, "127.0.0.1");
    int port = server.ports().front();
    TCPClient client(nullptr, io_loop());
    LogCapture log;
    // Without a certificate TLS 1.3 finishes the client's side first; the server's refusal
    // arrives as an alert on the first read.
    run_sync([&]() -> Future<void> {
        std::unique_ptr<IOStream> stream;
        try {
            stream = co_await client.connect("127.0.0.1", port, tls_to(trusting_client()));
            co_await stream->write("x\n");
            co_await stream->read_until("\n");
            FAIL("a client without a certificate was served");
        } catch (const StreamClosedError& e) {
            CHECK(e.real_error() != nullptr);
        }
    });
    SSLOptions co;
    co.ca_pem = certs.ca.cert_pem;
    co.cert_pem = certs.client.cert_pem;
    co.key_pem = certs.client.key_pem;
    run_sync([&]() -> Future<void> {
        auto stream = co_await client.connect("127.0.0.1", port, tls_to(SSLContext::client(co)));
        co_await stream->write("with cert\n");
        auto line = co_await stream->read_until("\n");
        CHECK(line == "with cert\n");
    });
    REQUIRE(server.stats->peer_subjects.size() == 1);
    CHECK(server.stats->peer_subjects.back() == "CN=test-client,O=squall tests");
}

TEST_CASE_METHOD(AsyncTest, "SNI picks the server's certificate and ALPN agrees on a protocol",
                 "[core][ssl][net]") {
    const auto& certs = test_certificates();
    SSLOptions main = server_options(certs.localhost);
    main.alpn_protocols = {"h2", "http/1.1"};
    SSLContext ctx = SSLContext::server(main);
    SSLOptions other_opts = server_options(certs.other);
    other_opts.alpn_protocols = {"h2", "http/1.1"};
    ctx.add_sni_context("Other.Example", SSLContext::server(other_opts));
    CHECK_THROWS_AS(ctx.add_sni_context("x", trusting_client()), std::logic_error);
    TLSEcho server(io_loop(), {}, ctx);
    server.listen(0, "127.0.0.1");
    int port = server.ports().front();
    TCPClient client(nullptr, io_loop());
    SSLOptions co;
    co.ca_pem = certs.ca.cert_pem;
    co.alpn_protocols = {"http/1.1"};
    run_sync([&]() -> Future<void> {
        auto a = co_await client.connect("127.0.0.1", port, tls_to(SSLContext::client(co), "other.example"));
        auto* tls = dynamic_cast<SSLIOStream*>(a.get());
        CHECK(tls->peer_certificate_subject() == "CN=other.example,O=squall tests");
        CHECK(tls->selected_alpn_protocol() == "http/1.1");
        co_await a->write("a\n");
        co_await a->read_until("\n");
        auto b = co_await client.connect("127.0.0.1", port, tls_to(trusting_client(), "localhost"));
        auto* tls_b = dynamic_cast<SSLIOStream*>(b.get());
        CHECK(tls_b->peer_certificate_subject() == "CN=localhost,O=squall tests");
        CHECK(tls_b->selected_alpn_protocol().empty());  // the client offered none
        co_await b->write("b\n");
        co_await b->read_until("\n");
    });
    CHECK(server.stats->server_names == std::vector<std::string>{"other.example", "localhost"});
    CHECK(server.stats->alpn == std::vector<std::string>{"http/1.1", ""});
}

TEST_CASE_METHOD(AsyncTest, "start_tls upgrades a live connection on both sides", "[core][ssl][net]") {
    auto server_ctx = SSLContext::server(server_options(test_certificates().localhost));
    squall::testing::BoundSocket bound = squall::testing::bind_unused_port();
    ::listen(bound.fd, 8);
    int cfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto client = std::make_unique<IOStream>(io_loop(), cfd);
    int closes = 0;
    run_sync([&]() -> Future<void> {
        sockaddr_in a = loopback(bound.port);
        co_await client->connect(reinterpret_cast<const sockaddr*>(&a), sizeof a);
        int sfd = ::accept4(bound.fd, nullptr, nullptr, SOCK_CLOEXEC);
        auto server = std::make_unique<IOStream>(io_loop(), sfd);
        // Plain text first, as SMTP's STARTTLS does.
        co_await client->write("STARTTLS\r\n");
        auto cmd = co_await server->read_until("\r\n");
        CHECK(cmd == "STARTTLS\r\n");
        // A stream with a read pending cannot be converted.
        auto pending = client->read_bytes(1);
        CHECK_THROWS_AS(client->start_tls(trusting_client(), "localhost"), std::logic_error);
        client->close();  // fails `pending`; start over on a fresh pair below
        CHECK(pending.done());
        co_return;
    });
    int cfd2 = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    client = std::make_unique<IOStream>(io_loop(), cfd2);
    client->set_close_callback([&] { ++closes; });
    run_sync([&]() -> Future<void> {
        sockaddr_in a = loopback(bound.port);
        co_await client->connect(reinterpret_cast<const sockaddr*>(&a), sizeof a);
        int sfd = ::accept4(bound.fd, nullptr, nullptr, SOCK_CLOEXEC);
        auto server = std::make_unique<IOStream>(io_loop(), sfd);
        co_await client->write("STARTTLS\r\n");
        co_await server->read_until("\r\n");
        auto client_tls = client->start_tls(trusting_client(), "localhost");
        auto server_tls = server->start_tls(server_ctx);
        CHECK(client->closed());  // the plain streams are done with; the sockets live on
        CHECK(server->closed());
        std::unique_ptr<SSLIOStream> s = co_await std::move(server_tls);
        std::unique_ptr<SSLIOStream> c = co_await std::move(client_tls);
        co_await c->write("secret\n");
        auto line = co_await s->read_until("\n");
        CHECK(line == "secret\n");
        s->close();
        co_await c->read_until_close();
        co_await squall::moment;  // the close callback, moved to the TLS stream, runs next
        co_await squall::moment;
    });
    CHECK(closes == 1);
}

TEST_CASE_METHOD(AsyncTest, "handshake faults close the stream and leak nothing", "[core][ssl][faults][net]") {
    const auto& certs = test_certificates();
    int before = squall::testing::open_fd_count();
    {
        TLSEcho server(io_loop(), {}, SSLContext::server(server_options(certs.localhost)));
        server.listen(0, "127.0.0.1");
        int port = server.ports().front();
        LogCapture log;
        // A peer that resets in the middle of the handshake.
        int fd = connect_blocking(port);
        const char partial_hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
        REQUIRE(::send(fd, partial_hello, sizeof partial_hello - 1, MSG_NOSIGNAL) > 0);
        linger lg{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        ::close(fd);
        // A peer that speaks something else entirely.
        int junk = connect_blocking(port);
        const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        REQUIRE(::send(junk, http, sizeof http - 1, MSG_NOSIGNAL) > 0);
        // A peer that connects and leaves without a word.
        ::close(connect_blocking(port));
        run_sync([&]() -> Future<void> {
            while (server.stats->closed < 3) { co_await squall::sleep(100ms); fprintf(stderr, "closed=%d\n", server.stats->closed); }
        });
        CHECK(server.stats->handshakes == 0);
        CHECK(log.count("SSL Error", "tornado.general") == 1);  // only the junk is worth a warning
        char buf[64];
        ssize_t n = ::recv(junk, buf, sizeof buf, 0);  // the server closed (after an alert)
        CHECK((n >= 0 || errno == ECONNRESET));
        ::close(junk);

        // The client side: a server that accepts and then resets mid-handshake.
        squall::testing::BoundSocket bound = squall::testing::bind_unused_port();
        ::listen(bound.fd, 8);
        TCPClient client(nullptr, io_loop());
        auto attempt = client.connect("127.0.0.1", bound.port, tls_to(trusting_client()));
        run_sync([&]() -> Future<void> {
            int sfd = -1;
            while ((sfd = ::accept4(bound.fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) co_await squall::sleep(1ms);
            // Wait for the ClientHello, then reset.
            char hello[512];
            while (::recv(sfd, hello, sizeof hello, 0) <= 0) co_await squall::sleep(1ms);
            linger l{1, 0};
            ::setsockopt(sfd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            ::close(sfd);
            try {
                co_await std::move(attempt);
                FAIL("connected through a reset");
            } catch (const StreamClosedError& e) {
                CHECK_THROWS_AS(std::rethrow_exception(e.real_error()), std::system_error);
            }
        });
    }
    CHECK(squall::testing::open_fd_count() == before);
}

TEST_CASE_METHOD(AsyncTest, "servers refuse protocol versions older than TLS 1.2", "[core][ssl][net]") {
    TLSEcho server(io_loop(), {}, SSLContext::server(server_options(test_certificates().localhost)));
    server.listen(0, "127.0.0.1");
    SSLOptions old;
    old.cert_reqs = CertRequirements::none;
    SSLContext ctx = SSLContext::client(old);
    // Lower the client's own floor so that only the server can refuse.
    SSL_CTX_set_security_level(ctx.native_handle(), 0);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
    SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT:@SECLEVEL=0");
    TCPClient client(nullptr, io_loop());
    LogCapture log;
    std::string failure = connect_failure(*this, client, server.ports().front(), tls_to(ctx));
    CHECK(failure != "connected");
    run_sync([&]() -> Future<void> {
        while (server.stats->closed < 1) co_await squall::sleep(1ms);
    });
    CHECK(log.count("SSL Error.*(unsupported protocol|version)", "tornado.general") >= 1);
}

TEST_CASE("the default TLS 1.2 ciphers are ECDHE with AEAD only; TLS 1.3 keeps its suites", "[core][ssl]") {
    // TLS 1.3 suites name no key exchange; OpenSSL's own context says which it enables.
    auto tls13_suites = [](SSL_CTX* native) {
        std::vector<std::string> names;
        STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(native);
        for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
            const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
            if (SSL_CIPHER_get_kx_nid(c) == NID_kx_any) names.push_back(SSL_CIPHER_get_name(c));
        }
        return names;
    };
    SSL_CTX* plain = SSL_CTX_new(TLS_method());
    const std::vector<std::string> openssl_tls13 = tls13_suites(plain);
    SSL_CTX_free(plain);
    CHECK_FALSE(openssl_tls13.empty());

    const auto& certs = test_certificates();
    SSLContext server = SSLContext::server(server_options(certs.localhost));
    for (SSLContext ctx : {server, trusting_client()}) {
        SSL_CTX* native = ctx.native_handle();
        CAPTURE(ctx.server_side());
        CHECK(SSL_CTX_get_min_proto_version(native) == TLS1_2_VERSION);
        CHECK((SSL_CTX_get_options(native) & SSL_OP_NO_RENEGOTIATION) != 0);
        CHECK((SSL_CTX_get_options(native) & SSL_OP_NO_COMPRESSION) != 0);
        CHECK(((SSL_CTX_get_options(native) & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0) == ctx.server_side());
        CHECK(tls13_suites(native) == openssl_tls13);
        std::string tls12;
        STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(native);
        for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
            const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
            CAPTURE(SSL_CIPHER_get_name(c));
            CHECK(SSL_CIPHER_is_aead(c) == 1);
            if (SSL_CIPHER_get_kx_nid(c) == NID_kx_any) continue;
            CHECK(SSL_CIPHER_get_kx_nid(c) == NID_kx_ecdhe);
            int auth = SSL_CIPHER_get_auth_nid(c);
            CHECK((auth == NID_auth_rsa || auth == NID_auth_ecdsa));
            tls12 += (tls12.empty() ? "" : ":") + std::string(SSL_CIPHER_get_name(c));
        }
        CHECK(tls12 == default_ciphers);  // every one of them, in squall's order
    }
    // Options given replace the defaults.
    SSLOptions mine = server_options(certs.localhost);
    mine.ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384";
    mine.minimum_version = TLSVersion::tls1_3;
    SSLContext custom = SSLContext::server(mine);
    CHECK(SSL_CTX_get_min_proto_version(custom.native_handle()) == TLS1_3_VERSION);
    STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(custom.native_handle());
    REQUIRE(sk_SSL_CIPHER_num(ciphers) == static_cast<int>(openssl_tls13.size()) + 1);
    CHECK(std::string(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, sk_SSL_CIPHER_num(ciphers) - 1))) ==
          "ECDHE-ECDSA-AES256-GCM-SHA384");
}

TEST_CASE_METHOD(AsyncTest, "openssl s_client: TLS 1.1 and weak ciphers are refused, strong ones agreed",
                 "[core][ssl][net][interop]") {
    // An RSA certificate, so that RSA key exchange and RSA-signed CBC suites could be chosen.
    SSLOptions rsa = server_options(test_certificates().localhost_rsa);
    TLSEcho server(io_loop(), {}, SSLContext::server(rsa));
    server.listen(0, "127.0.0.1");
    int port = server.ports().front();
    // The same certificate with the defaults taken away: what the probes below get from a server
    // that allows them, so a refusal above is the defaults' doing, not the client's.
    SSLOptions everything = rsa;
    everything.ciphers = "DEFAULT:@SECLEVEL=0";
    SSLContext lax_ctx = SSLContext::server(everything);
    SSL_CTX_set_min_proto_version(lax_ctx.native_handle(), TLS1_VERSION);
    TLSEcho lax(io_loop(), {}, lax_ctx);
    lax.listen(0, "127.0.0.1");
    int lax_port = lax.ports().front();

    // Debian's OpenSSL 3 offers TLS 1.1 only below its default security level.
    const std::vector<std::string> tls11{"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"};
    const std::vector<std::string> rsa_kx{"-tls1_2", "-cipher", "AES128-SHA"};
    const std::vector<std::string> ecdhe_cbc{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"};
    for (const auto& args : {tls11, rsa_kx, ecdhe_cbc}) {
        CAPTURE(args);
        Probe allowed = s_client(*this, lax_port, args);
        INFO(allowed.output);
        CHECK(allowed.connected());
    }
    CHECK(s_client(*this, lax_port, tls11).says("Protocol version: TLSv1.1"));
    CHECK(s_client(*this, lax_port, rsa_kx).says("Ciphersuite: AES128-SHA"));

    {
        LogCapture log;
        Probe old = s_client(*this, port, tls11);
        INFO(old.output);
        CHECK_FALSE(old.connected());
        CHECK(old.rc != 0);
        CHECK(old.says("alert protocol version"));  // the server's alert
        CHECK(log.count("^SSL Error on [0-9]+: TLS handshake failed: unsupported protocol$", "tornado.general") == 1);
    }
    for (const auto& args : {rsa_kx, ecdhe_cbc}) {
        CAPTURE(args);
        LogCapture log;
        Probe weak = s_client(*this, port, args);
        INFO(weak.output);
        CHECK_FALSE(weak.connected());
        CHECK(weak.rc != 0);
        CHECK(weak.says("alert handshake failure"));
        CHECK(log.count("^SSL Error on [0-9]+: TLS handshake failed: no shared cipher$", "tornado.general") == 1);
    }

    Probe gcm = s_client(*this, port, {"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"});
    INFO(gcm.output);
    CHECK(gcm.connected());
    CHECK(gcm.says("Protocol version: TLSv1.2"));
    CHECK(gcm.says("Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256"));
    // The server's order wins: the client prefers ChaCha20, the server AES-GCM.
    Probe preferred = s_client(*this, port, {"-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384"});
    INFO(preferred.output);
    CHECK(preferred.says("Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384"));
    Probe tls13 = s_client(*this, port, {"-tls1_3"});
    INFO(tls13.output);
    CHECK(tls13.connected());
    CHECK(tls13.says("Protocol version: TLSv1.3"));
}

TEST_CASE_METHOD(AsyncTest, "write_file over TLS reads the file piece by piece", "[core][ssl][net]") {
    auto server_ctx = SSLContext::server(server_options(test_certificates().localhost));
    squall::testing::BoundSocket bound = squall::testing::bind_unused_port();
    int listen_fd = std::exchange(bound.fd, -1);
    ::listen(listen_fd, 8);
    std::string content(700 * 1024 + 5, '\0');
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i % 241);
    char path[] = "/tmp/squall-tls-file-XXXXXX";
    int file = ::mkstemp(path);
    ::unlink(path);
    REQUIRE(::write(file, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    int cfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    SSLIOStream client(io_loop(), cfd, trusting_client(), "localhost");
    run_sync([&]() -> Future<void> {
        sockaddr_in a = loopback(bound.port);
        auto connected = client.connect(reinterpret_cast<const sockaddr*>(&a), sizeof a);
        int sfd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        SSLIOStream server(io_loop(), sfd, server_ctx);
        co_await std::move(connected);
        auto got = client.read_bytes(content.size() - 100);
        co_await server.write_file(file, 100, content.size() - 100);
        std::string received = co_await std::move(got);
        CHECK((received == content.substr(100)));
    });
    ::close(file);
    ::close(listen_fd);
}
