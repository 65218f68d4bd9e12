// The graceful-shutdown example of docs/http.md: a server whose handler answers after 200 ms,
// a client request under way when SIGTERM comes: the request is still answered, then the loop
// stops.
// Built and run by the tests.
#include <csignal>
#include <cstdio>

#include <squall/gen.h>
#include <squall/graceful_shutdown.h>
#include <squall/httpclient.h>
#include <squall/httpserver.h>

using namespace std::chrono_literals;

int main() {
    squall::IOLoop loop;
    squall::HTTPServer server(
        [&loop](std::shared_ptr<squall::HTTPServerRequest> request) {
            loop.call_later(200ms, [request] { squall::respond(*request, 200, {}, "slow but sure\n"); });
            std::raise(SIGTERM);  // as if `kill -TERM` came while this request is in flight
        },
        {}, loop);
    server.listen(0, "127.0.0.1");

    // On SIGTERM or SIGINT: stop listening, finish what is in flight (up to 10 s), stop the loop.
    squall::GracefulShutdownOptions options;
    options.grace = 10s;
    squall::GracefulShutdown shutdown({&server}, options, loop);

    // The client lives in the same process only for the example's sake.
    squall::AsyncHTTPClient client({}, loop);
    squall::Future<squall::HTTPResponse> fetching;
    loop.add_callback([&] { fetching = client.fetch("http://127.0.0.1:" + std::to_string(server.ports().front()) + "/"); });
    auto safety_net = loop.call_later(5s, [&loop] { loop.stop(); });  // never hang
    loop.start();  // returns once the shutdown has closed every connection
    loop.remove_timeout(safety_net);
    // The answer was written before the server's connection closed; the client reads it now.
    std::string body = loop.run_sync([&] { return fetching; }, 5s).body;
    std::printf("%s", body.c_str());
    return body == "slow but sure\n" && shutdown.started() ? 0 : 1;
}
