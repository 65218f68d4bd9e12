// squall-deploy-backend: the backend proxy_test.py puts behind nginx and HAProxy. An Application
// with xheaders on, on a given loopback port (reused across restarts), shut down gracefully by
// SIGTERM; prints "port N" once listening.
//   GET /whoami  -> "pid remote_ip protocol connection" (connection: which keep-alive
//                   connection served it, to see the proxy reuse upstream connections)
//   GET /slow    -> the same after 50 ms (a request in flight when a restart begins)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "squall/gen.h"
#include "squall/graceful_shutdown.h"
#include "squall/ioloop.h"
#include "squall/log.h"
#include "squall/web.h"

namespace {

using namespace squall;
using namespace std::chrono_literals;

std::string describe(const HTTPServerRequest& request) {
    char stream[32];
    std::snprintf(stream, sizeof stream, "%p", static_cast<void*>(request.connection->stream().get()));
    return std::to_string(::getpid()) + " " + request.remote_ip + " " + request.protocol + " " + stream;
}

class WhoAmIHandler : public RequestHandler {
public:
    Future<void> get() override {
        write(describe(request()));
        return {};
    }
};

class SlowHandler : public RequestHandler {
public:
    Future<void> get() override {
        std::string answer = describe(request());
        co_await squall::sleep(50ms);
        write(answer);
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: squall-deploy-backend PORT\n");
        return 2;
    }
    set_logging_level(LogLevel::warning);
    IOLoop loop;
    loop.make_current();  // the loop app.listen() serves on
    Application app({url<WhoAmIHandler>("/whoami"), url<SlowHandler>("/slow")});
    HTTPServerOptions options;
    options.xheaders = true;
    HTTPServer& server = app.listen(static_cast<std::uint16_t>(std::atoi(argv[1])), "127.0.0.1", options);
    GracefulShutdownOptions shutdown_options;
    shutdown_options.grace = 10s;
    GracefulShutdown shutdown(app.servers(), shutdown_options, loop);
    std::printf("port %d\n", server.ports().front());
    std::fflush(stdout);
    loop.start();
    return 0;
}
