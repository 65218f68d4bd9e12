// squall-bench-web: the web framework under load: hello world through Application and a
// RequestHandler (default settings, as a user would write it) and static files from a
// directory through StaticFileHandler. Prints "ready PORT". A benchmark tool of squall; run
// it through tools/bench/run-webbench.
#include <cstdio>

#include "alloc_counter.h"
#include "squall/log.h"
#include "squall/web.h"

namespace {

class HelloHandler : public squall::RequestHandler {
public:
    squall::Future<void> get() override {
        ++squall::bench::requests;
        write("Hello, world!");
        return {};
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: squall-bench-web STATIC_DIR\n");
        return 2;
    }
    squall::set_logging_level(squall::LogLevel::warning);  // nginx runs with access_log off too
    squall::IOLoop loop;
    loop.make_current();
    squall::ApplicationSettings settings;
    settings.static_path = argv[1];
    squall::Application app({squall::url<HelloHandler>("/")}, settings);
    auto& server = app.listen(0, "127.0.0.1");
    auto report = squall::bench::report_allocations(loop);
    std::printf("ready %d\n", server.ports().front());
    std::fflush(stdout);
    loop.start();
    return 0;
}
