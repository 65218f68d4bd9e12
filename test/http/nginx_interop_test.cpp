// squall's HTTP client and command-line client against a real nginx that the test starts on
// 127.0.0.1 (plain and TLS): static files, gzip with chunked framing, redirects, HEAD, errors.
// Skipped where nginx is not installed (tools/dev installs it).
#include <unistd.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/httpclient.h"
#include "squall/process.h"
#include "test_certs.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;

namespace {

std::string find_nginx() {
    for (const char* p : {"/usr/sbin/nginx", "/usr/bin/nginx"})
        if (::access(p, X_OK) == 0) return p;
    return {};
}

int unused_port() {
    BindOptions b;
    b.address = "127.0.0.1";
    int fd = bind_sockets(0, b).front();
    int port = local_address(fd).port();
    ::close(fd);  // nginx binds it next; a collision in between would fail the start loudly
    return port;
}

/// nginx in the foreground, one process, everything under a temporary directory.
class Nginx {
public:
    Nginx(IOLoop& loop, const std::string& binary) {
        char tmpl[] = "/tmp/squall-nginx-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        std::filesystem::create_directories(dir_ + "/www");
        std::ofstream(dir_ + "/www/hello.txt") << "hello from nginx\n";
        big_ = std::string(200000, ' ');
        for (std::size_t i = 0; i < big_.size(); ++i) big_[i] = static_cast<char>('a' + (i * 7) % 26);
        std::ofstream(dir_ + "/www/big.txt") << big_;
        port = unused_port();
        tls_port = unused_port();
        const auto& certs = squall::testing::test_certificates();
        std::ofstream(dir_ + "/nginx.conf")
            << "worker_processes 1; daemon off; master_process off;\n"
            << "error_log " << dir_ << "/error.log; pid " << dir_ << "/nginx.pid;\n"
            << "events { worker_connections 64; }\n"
            << "http {\n  access_log off;\n  default_type text/plain;\n"
            << "  client_body_temp_path " << dir_ << "; proxy_temp_path " << dir_ << "; fastcgi_temp_path " << dir_
            << "; uwsgi_temp_path " << dir_ << "; scgi_temp_path " << dir_ << ";\n"
            << "  gzip on; gzip_types text/plain; gzip_min_length 1000;\n"
            << "  server {\n    listen 127.0.0.1:" << port << ";\n    listen 127.0.0.1:" << tls_port << " ssl;\n"
            << "    ssl_certificate " << certs.localhost.certfile << ";\n    ssl_certificate_key "
            << certs.localhost.keyfile << ";\n    root " << dir_ << "/www;\n"
            << "    location = /redirect { return 302 /hello.txt; }\n"
            << "    location = /connection { return 200 \"$connection\"; }\n"
            << "  }\n}\n";
        Subprocess::Options o;
        process_ = std::make_unique<Subprocess>(std::vector<std::string>{binary, "-p", dir_, "-c", dir_ + "/nginx.conf"},
                                                o, loop);
    }
    ~Nginx() {
        if (running_) ::kill(process_->pid(), SIGKILL);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    /// SIGTERM, then wait for the exit (nginx shuts down cleanly on it).
    Future<int> stop() {
        running_ = false;
        ::kill(process_->pid(), SIGTERM);
        return process_->wait_for_exit(false);
    }
    int port = 0, tls_port = 0;
    const std::string& big() const { return big_; }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }

private:
    std::string dir_, big_;
    std::unique_ptr<Subprocess> process_;
    bool running_ = true;
};

/// Waits until nginx accepts connections (it starts asynchronously).
Future<void> wait_listening(AsyncHTTPClient& client, std::string url) {
    for (int i = 0; i < 500; ++i) {
        HTTPRequest probe(url);
        probe.connect_timeout = 1s;
        HTTPResponse r = co_await client.fetch(probe, false);
        if (r.code != 599) co_return;
        co_await squall::sleep(10ms);
    }
    throw std::runtime_error("nginx did not start");
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "AsyncHTTPClient and squall-httpclient against nginx", "[http][httpclient][interop][net]") {
    std::string binary = find_nginx();
    if (binary.empty()) {
        WARN("nginx is not installed: skipped");
        return;
    }
    Nginx nginx(io_loop(), binary);
    AsyncHTTPClientOptions options;
    options.hostname_mapping = {{"localhost", "127.0.0.1"}};
    AsyncHTTPClient client(options, io_loop());
    run_sync([&]() -> Future<void> {
        co_await wait_listening(client, nginx.url("/hello.txt"));
        HTTPResponse hello = co_await client.fetch(nginx.url("/hello.txt"));
        CHECK(hello.body == "hello from nginx\n");
        CHECK(hello.headers.get("Server").rfind("nginx", 0) == 0);
        CHECK(hello.headers.get("Content-Length") == "17");
        // gzip: nginx compresses on the fly and frames the result with chunks.
        HTTPResponse big = co_await client.fetch(nginx.url("/big.txt"));
        CHECK(big.headers.get("X-Consumed-Content-Encoding") == "gzip");
        CHECK(big.headers.get("Transfer-Encoding") == "chunked");
        CHECK((big.body == nginx.big()));
        HTTPRequest raw(nginx.url("/big.txt"));
        raw.decompress_response = false;
        HTTPResponse uncompressed = co_await client.fetch(raw);
        CHECK(uncompressed.body.size() == nginx.big().size());
        // Keep-alive: nginx's connection serial number stays the same.
        HTTPResponse first = co_await client.fetch(nginx.url("/connection"));
        HTTPResponse second = co_await client.fetch(nginx.url("/connection"));
        CHECK(first.body == second.body);
        HTTPResponse redirected = co_await client.fetch(nginx.url("/redirect"));
        CHECK(redirected.effective_url == nginx.url("/hello.txt"));
        CHECK(redirected.body == "hello from nginx\n");
        HTTPRequest head(nginx.url("/hello.txt"));
        head.method = "HEAD";
        HTTPResponse h = co_await client.fetch(head);
        CHECK(h.body.empty());
        CHECK(h.headers.get("Content-Length") == "17");
        HTTPResponse missing = co_await client.fetch(nginx.url("/nope"), false);
        CHECK(missing.code == 404);
        HTTPRequest tls("https://localhost:" + std::to_string(nginx.tls_port) + "/hello.txt");
        tls.ca_certs = squall::testing::test_certificates().ca_file();
        HTTPResponse secure = co_await client.fetch(tls);
        CHECK(secure.body == "hello from nginx\n");
#ifdef SQUALL_HTTPCLIENT_TOOL
        Subprocess::Options o;
        o.stdout_pipe = true;
        Subprocess cli({SQUALL_HTTPCLIENT_TOOL, "--print_headers", nginx.url("/redirect")}, o, io_loop());
        std::string out = co_await cli.stdout_stream()->read_until_close();
        int rc = co_await cli.wait_for_exit(false);
        CHECK(rc == 0);
        CHECK(out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        CHECK(out.find("\r\n\r\nhello from nginx\n") != std::string::npos);
#endif
    }, 30s);
    run_sync([&] { return nginx.stop(); });
}
