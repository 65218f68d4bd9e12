// A small reverse proxy: every request is forwarded with AsyncHTTPClient to one upstream server
// and its answer sent back, with X-Forwarded-For and Via added; an upstream that cannot be
// reached gives 502. Tornado has no such demo; this one is built from its pieces the same way.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <squall/httpclient.h>
#include <squall/options.h>
#include <squall/web.h>

const int& port = squall::define("port", 8888, "port to listen on (0: any free port)");
const std::string& upstream_url = squall::define("upstream", "http://127.0.0.1:8000", "the server to forward to, http://host:port");

// Hop-by-hop fields describe one connection, not the message (RFC 9110 section 7.6.1), so a
// proxy does not pass them on: the standard ones, and those the Connection field names.
// Content-Length and Host are made anew for the next hop.
std::set<std::string> hop_by_hop(const squall::HTTPHeaders& headers) {
    std::set<std::string> names = {"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te",
                                   "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Host"};
    std::string listed = headers.get("Connection");  // e.g. "keep-alive, X-Session"
    for (std::size_t start = 0; start < listed.size();) {
        std::size_t end = std::min(listed.find(',', start), listed.size());
        std::string token = listed.substr(start, end - start);
        token.erase(0, token.find_first_not_of(" \t"));
        token.erase(token.find_last_not_of(" \t") + 1);
        if (!token.empty()) names.insert(squall::HTTPHeaders::normalize_name(token));
        start = end + 1;
    }
    return names;
}

// The reason a fetch got no response, e.g. "HTTP 599: Connection refused".
std::string failure(const squall::HTTPResponse& response) {
    try {
        response.rethrow();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "unknown error";
}

constexpr std::string_view via = "1.1 squall-proxy";

class ProxyHandler : public squall::RequestHandler {
public:
    void initialize(std::string upstream, std::shared_ptr<squall::AsyncHTTPClient> client) {
        upstream_ = std::move(upstream);
        client_ = std::move(client);
    }

    // Every method goes the same way.
    squall::Future<void> get() override { return forward(); }
    squall::Future<void> head() override { return forward(); }
    squall::Future<void> post() override { return forward(); }
    squall::Future<void> put() override { return forward(); }
    squall::Future<void> patch() override { return forward(); }
    squall::Future<void> delete_() override { return forward(); }
    squall::Future<void> options() override { return forward(); }

    // The upstream's ETag is passed on as it is; the handler should not compute its own.
    std::optional<std::string> compute_etag() override { return std::nullopt; }

private:
    squall::Future<void> forward() {
        const squall::HTTPServerRequest& in = request();
        squall::HTTPRequest out(upstream_ + in.uri);
        out.method = in.method;
        const std::set<std::string> skip_in = hop_by_hop(in.headers);
        for (auto [name, value] : in.headers)  // names come normalised ("x-test" is "X-Test")
            if (!skip_in.contains(std::string(name))) out.headers.add(name, value);
        // Who asked: appended to what earlier proxies wrote, as the header's convention is.
        std::string forwarded_for = in.headers.get("X-Forwarded-For");
        out.headers.set("X-Forwarded-For", forwarded_for.empty() ? in.remote_ip : forwarded_for + ", " + in.remote_ip);
        out.headers.set("X-Forwarded-Host", in.host);
        out.headers.add("Via", via);
        if (!in.body.empty() || in.method == "POST" || in.method == "PUT" || in.method == "PATCH") out.body = in.body;
        out.allow_nonstandard_methods = true;  // e.g. a DELETE with a body: not ours to judge
        out.follow_redirects = false;          // a redirect is the client's to follow
        out.decompress_response = false;       // a gzipped body goes through as it is

        // raise_error = false: a 404 or 500 from upstream is an answer to pass on, not a failure.
        // The body is buffered whole (up to the client's max_buffer_size); streaming_callback
        // could pass it on piece by piece, but it has no way to make the upstream wait for a
        // slow client, so a large body would pile up in memory all the same.
        squall::HTTPResponse response = co_await client_->fetch(out, /*raise_error=*/false);
        if (response.code == 599) {  // no HTTP answer at all: refused, reset, timed out
            set_status(502);
            write("Bad Gateway: " + failure(response) + "\n");
            co_return;
        }
        set_status(response.code, response.reason);
        clear_header("Content-Type");  // not our default: the upstream's, or none
        const std::set<std::string> skip_out = hop_by_hop(response.headers);
        std::set<std::string> seen;
        for (auto [name, value] : response.headers) {
            if (skip_out.contains(std::string(name))) continue;
            // The first value replaces what the handler set by default (Server, Date); any
            // further one (Set-Cookie) is added beside it.
            if (seen.insert(std::string(name)).second) set_header(name, value);
            else add_header(name, value);
        }
        add_header("Via", via);
        write(response.body);
    }

    std::string upstream_;
    std::shared_ptr<squall::AsyncHTTPClient> client_;
};

int main(int argc, char** argv) try {
    squall::parse_command_line(argc, argv);
    std::string upstream = upstream_url;
    while (upstream.ends_with('/')) upstream.pop_back();  // the request's path brings its own

    // One client for every request, so that connections to the upstream are kept alive.
    auto client = std::make_shared<squall::AsyncHTTPClient>();
    squall::Application app({squall::url<ProxyHandler>(".*", upstream, client)});
    squall::HTTPServer& server = app.listen(static_cast<std::uint16_t>(port), "127.0.0.1");
    std::printf("listening on http://127.0.0.1:%d/ for %s\n", server.ports().front(), upstream.c_str());
    std::fflush(stdout);
    squall::IOLoop::current().start();
} catch (const std::exception& e) {  // a bad option, a port in use...
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
}
