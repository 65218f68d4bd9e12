// The consumer project's program: a coroutine on squall's IOLoop, proving the subproject's
// dependency carries headers, libraries and threads.
#include <squall/gen.h>
#include <squall/ioloop.h>

#include <cstdio>

squall::Future<int> answer() {
    co_await squall::sleep(std::chrono::milliseconds(1));
    co_return 42;
}

int main() {
    squall::IOLoop loop;
    int v = loop.run_sync(answer, std::chrono::seconds(5));
    std::printf("consumer got %d from squall's %s loop\n", v,
                std::string(squall::available_pollers().front()).c_str());
    return v == 42 ? 0 : 1;
}
