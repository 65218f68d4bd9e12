// squall-bench-wsecho: the squall side of tools/bench/run-wsbench, a WebSocketHandler echoing
// every message as it came (text or binary) at ws://127.0.0.1:PORT/, on one loop. Prints
// "ready PORT". A benchmark tool of squall.
#include <cstdio>

#include "squall/log.h"
#include "squall/web.h"
#include "squall/websocket.h"

namespace {

class Echo : public squall::WebSocketHandler {
public:
    squall::Future<void> open() override {
        set_nodelay(true);
        return {};
    }
    squall::Future<void> on_message(std::string message, bool binary) override {
        return write_message(std::move(message), binary);  // a large one goes out uncopied
    }
};

}  // namespace

int main() {
    squall::set_logging_level(squall::LogLevel::warning);
    squall::ApplicationSettings settings;
    settings.websocket_max_message_size = std::uint64_t{64} << 20;
    squall::Application app({squall::url<Echo>("/")}, settings);
    auto& server = app.listen(0, "127.0.0.1");
    std::printf("ready %d\n", server.ports().front());
    std::fflush(stdout);
    squall::IOLoop::current().start();
}
