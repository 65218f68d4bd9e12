// The example of docs/ioloop.md: one pipe read with a timeout, callback style and coroutine style.
// Built and run by the tests so the documentation stays true.
#include <unistd.h>

#include <cstdio>

#include <squall/gen.h>
#include <squall/ioloop.h>

using namespace std::chrono_literals;
using squall::Events;
using squall::Future;
using squall::IOLoop;
using squall::Promise;

// Callback style: a handler on the fd and a timeout, whichever comes first stops the loop.
void callback_style(IOLoop& loop, int fd) {
    auto timeout = loop.call_later(1s, [&] {
        std::puts("callback style: timed out");
        loop.remove_handler(fd);
        loop.stop();
    });
    loop.add_handler(fd, [&, timeout](int, Events) {
        char buf[64];
        ssize_t n = ::read(fd, buf, sizeof buf);
        std::printf("callback style: read %zd bytes\n", n);
        loop.remove_timeout(timeout);
        loop.remove_handler(fd);
        loop.stop();
    }, IOLoop::READ);
    loop.start();
}

// Coroutine style: the same thing as a Future, with with_timeout doing the racing.
Future<ssize_t> readable(IOLoop& loop, int fd) {
    Promise<ssize_t> p;
    loop.add_handler(fd, [&loop, fd, p](int, Events) mutable {
        char buf[64];
        loop.remove_handler(fd);
        p.set_result(::read(fd, buf, sizeof buf));
    }, IOLoop::READ);
    return p.get_future();
}

Future<void> coroutine_style(IOLoop& loop, int fd) {
    try {
        ssize_t n = co_await squall::with_timeout(1s, readable(loop, fd));
        std::printf("coroutine style: read %zd bytes\n", n);
    } catch (const squall::TimeoutError&) {
        std::puts("coroutine style: timed out");
        loop.remove_handler(fd);
    }
}

int main() {
    IOLoop loop;  // SQUALL_POLLER=select (or poll, io_uring) picks another backend
    int fds[2];
    if (::pipe(fds) != 0) return 1;
    if (::write(fds[1], "hi", 2) != 2) return 1;
    callback_style(loop, fds[0]);
    loop.run_sync([&] { return coroutine_style(loop, fds[0]); });  // nothing written: times out
    ::close(fds[0]);
    ::close(fds[1]);
}
