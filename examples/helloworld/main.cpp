// Hello world: the smallest squall web application, a port of Tornado's demos/helloworld.
// Run it and open http://127.0.0.1:8888/ (or pass --port; --port 0 lets the kernel pick one).
#include <cstdio>

#include <squall/options.h>
#include <squall/web.h>

// Tornado's define(): an option is declared where it is used; parse_command_line() fills it.
const int& port = squall::define("port", 8888, "port to listen on (0: any free port)");

// A handler answers the requests of its route; each request gets a new instance.
class MainHandler : public squall::RequestHandler {
public:
    squall::Future<void> get() override {
        write("Hello, world");
        return {};  // nothing to wait for: the response is finished when get() returns
    }
};

int main(int argc, char** argv) try {
    squall::parse_command_line(argc, argv);  // also --help, and --logging=none to keep quiet
    squall::Application app({squall::url<MainHandler>("/")});
    // Loopback only: an example should not be reachable from the network by default.
    squall::HTTPServer& server = app.listen(static_cast<std::uint16_t>(port), "127.0.0.1");
    // The port the kernel chose when --port was 0; a script can read it from this first line.
    std::printf("listening on http://127.0.0.1:%d/\n", server.ports().front());
    std::fflush(stdout);
    squall::IOLoop::current().start();
} catch (const std::exception& e) {  // a bad option, a port in use...
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
}
