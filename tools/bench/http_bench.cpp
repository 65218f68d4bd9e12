// squall-bench-http: a hello-world HTTP/1.1 server for wrk, either squall's HTTPServer (request
// callback, on one loop or on a loop per thread with ServerThreads) or a plain hand-written epoll
// responder doing the least HTTP work possible (the floor). Each sends the headers nginx sends
// (Server, Date, Content-Type, Content-Length). A benchmark tool of squall; run it through
// tools/bench/run-httpbench and run-corebench.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "plain_epoll.h"
#include "squall/graceful_shutdown.h"
#include "squall/httpserver.h"
#include "squall/server_threads.h"
#include "squall/log.h"

namespace {

const std::string body = "Hello, world!";

/// The Date header, formatted once a second (per thread).
const std::string& date_now() {
    thread_local std::time_t last = 0;
    thread_local std::string cached;
    std::time_t now = std::time(nullptr);
    if (now != last) {
        last = now;
        cached = squall::format_timestamp(now);
    }
    return cached;
}

void hello(std::shared_ptr<squall::HTTPServerRequest> request) {
    squall::respond(*request, 200, {{"Server", "squall"}, {"Date", date_now()}, {"Content-Type", "text/plain"}}, body);
}

int run_squall() {
    squall::set_logging_level(squall::LogLevel::warning);
    squall::IOLoop loop;
    squall::HTTPServer server(
        [](std::shared_ptr<squall::HTTPServerRequest> request) {
            ++squall::bench::requests;
            hello(std::move(request));
        },
        {}, loop);
    server.listen(0, "127.0.0.1");
    auto report = squall::bench::report_allocations(loop);
    std::printf("ready %d\n", server.ports().front());
    std::fflush(stdout);
    loop.start();
    return 0;
}

/// `threads` loops, one HTTPServer each, on one SO_REUSEPORT port.
int run_squall_threads(unsigned threads) {
    squall::set_logging_level(squall::LogLevel::warning);
    squall::IOLoop loop;
    squall::ServerThreadsOptions options;
    options.threads = threads;
    options.bind.address = "127.0.0.1";
    squall::ServerThreads servers(hello, 0, options);
    squall::GracefulShutdown shutdown(servers, {}, loop);
    std::printf("ready %d\n", servers.port());
    std::fflush(stdout);
    loop.start();
    return 0;
}

/// The floor: reads until a blank line, answers with a fixed response, keeps the connection.
int run_epoll() {
    squall::bench::PlainEpoll plain = squall::bench::open_plain_epoll(0);
    int lfd = plain.listener, ep = plain.epoll;
    std::vector<std::string> pending(65536);
    std::vector<epoll_event> events(256);
    char buf[65536];
    while (true) {
        int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            int fd = events[static_cast<size_t>(i)].data.fd;
            if (fd == lfd) {
                squall::bench::accept_all(plain);
                continue;
            }
            ssize_t r = ::recv(fd, buf, sizeof buf, 0);
            if (r <= 0) {
                ::close(fd);
                pending[static_cast<size_t>(fd)].clear();
                continue;
            }
            std::string& in = pending[static_cast<size_t>(fd)];
            in.append(buf, static_cast<size_t>(r));
            std::string out;
            std::size_t end;
            while ((end = in.find("\r\n\r\n")) != std::string::npos) {
                in.erase(0, end + 4);
                out += "HTTP/1.1 200 OK\r\nServer: epoll\r\nDate: " + date_now() +
                       "\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n" + body;
            }
            if (!out.empty()) ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "squall") == 0) return run_squall();
    if (argc == 2 && std::strcmp(argv[1], "epoll") == 0) return run_epoll();
    if (argc == 3 && std::strcmp(argv[1], "squall-threads") == 0) return run_squall_threads(std::stoi(argv[2]));
    std::fprintf(stderr, "usage: squall-bench-http squall|epoll|squall-threads N\n");
    return 2;
}
