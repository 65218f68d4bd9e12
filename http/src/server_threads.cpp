// ServerThreads: the sockets bound up front (so a port of 0 is picked once), a thread per
// loop, and the shutdown relayed to each loop with add_callback. Internal.
#include "squall/server_threads.h"

#include <unistd.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <stdexcept>

#include "squall/netutil.h"

namespace squall {

struct ServerThreads::Worker {
    std::thread thread;
    std::mutex mutex;            // guards loop: the thread clears it before its loop goes
    IOLoop* loop = nullptr;
    HTTPServer* server = nullptr;  // used on the worker's thread only

    /// Runs `callback` on the worker's loop; false once that loop is gone.
    template <class F>
    bool post(F&& callback) {
        std::lock_guard lock(mutex);
        if (!loop) return false;
        loop->add_callback(std::forward<F>(callback));
        return true;
    }
};

namespace {

/// What close_all_connections counts down on the caller's loop; kept by ServerThreads until it
/// is destroyed, so that its Promise goes on that loop's thread.
struct Countdown {
    std::size_t left = 0;
    Promise<void> done;
};

void close_sockets(std::vector<std::vector<int>>& sockets) noexcept {
    for (auto& set : sockets)
        for (int fd : set) ::close(fd);
    sockets.clear();
}

}  // namespace

struct ServerThreads::Served {
    std::unique_ptr<HTTPServerConnectionDelegate> delegate;  // before the server, which uses it
    std::unique_ptr<HTTPServer> server;
};

ServerThreads::ServerThreads(HTTPServerConnectionDelegate& delegate, int port, ServerThreadsOptions options) {
    HTTPServerOptions server_options = options.server;
    start(
        [&delegate, server_options](IOLoop& loop) {
            return Served{nullptr, std::make_unique<HTTPServer>(delegate, server_options, loop)};
        },
        std::move(options), port);
}

ServerThreads::ServerThreads(DelegateFactory make_delegate, int port, ServerThreadsOptions options) {
    if (!make_delegate) throw std::invalid_argument("ServerThreads: no delegate factory");
    HTTPServerOptions server_options = options.server;
    start(
        [make = std::move(make_delegate), server_options](IOLoop& loop) {
            Served served{make(), nullptr};
            served.server = std::make_unique<HTTPServer>(*served.delegate, server_options, loop);
            return served;
        },
        std::move(options), port);
}

ServerThreads::ServerThreads(std::function<void(std::shared_ptr<HTTPServerRequest>)> callback, int port,
                             ServerThreadsOptions options) {
    if (!callback) throw std::invalid_argument("ServerThreads: no request callback");
    HTTPServerOptions server_options = options.server;
    start(
        [callback = std::move(callback), server_options](IOLoop& loop) {
            return Served{nullptr, std::make_unique<HTTPServer>(HTTPServer::RequestCallback(callback), server_options, loop)};
        },
        std::move(options), port);
}

ServerThreads::~ServerThreads() { stop(); }

void ServerThreads::start(ServerFactory make_server, ServerThreadsOptions options, int port) {
    unsigned count = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    BindOptions bind = options.bind;
    bind.reuse_port = true;
    std::vector<std::vector<int>> sockets;
    try {
        sockets.push_back(bind_sockets(port, bind));
        port_ = local_address(sockets.front().front()).port();
        while (sockets.size() < count) sockets.push_back(bind_sockets(port_, bind));
    } catch (...) {
        close_sockets(sockets);
        throw;
    }
    // Each thread starts before the next, so a failure stops the ones already running.
    for (unsigned i = 0; i < count; ++i) {
        auto worker = std::make_unique<Worker>();
        Worker* w = worker.get();
        std::promise<void> ready;
        std::future<void> started = ready.get_future();
        w->thread = std::thread([w, fds = std::move(sockets[i]), &make_server, ready = std::move(ready)]() mutable {
            IOLoop loop;
            loop.make_current();
            try {
                Served served = make_server(loop);
                served.server->add_sockets(fds);
                fds.clear();  // the server's now
                w->server = served.server.get();
                {
                    std::lock_guard lock(w->mutex);
                    w->loop = &loop;
                }
                ready.set_value();  // the last use of make_server, which the starting thread owns
                loop.start();
                std::lock_guard lock(w->mutex);
                w->loop = nullptr;
                w->server = nullptr;
            } catch (...) {
                for (int fd : fds) ::close(fd);  // those add_sockets did not take
                ready.set_exception(std::current_exception());
            }
        });
        workers_.push_back(std::move(worker));
        try {
            started.get();
        } catch (...) {
            close_sockets(sockets);  // the sockets of the threads not started
            stop();
            throw;
        }
    }
}

Future<void> ServerThreads::close_all_connections(Duration grace, IOLoop& loop) {
    auto countdown = std::make_shared<Countdown>();
    countdown->left = workers_.size();
    Future<void> closed = countdown->done.get_future();
    closings_.push_back(countdown);
    IOLoop* home = &loop;
    for (auto& worker : workers_) {
        Worker* w = worker.get();
        bool posted = w->post([w, countdown, home, grace] {
            w->server->stop();
            w->server->close_all_connections(grace).add_done_callback([countdown, home](Future<void>) {
                home->add_callback([countdown] {
                    if (--countdown->left == 0) countdown->done.set_result();
                });
            });
        });
        if (!posted && --countdown->left == 0) countdown->done.set_result();
    }
    if (workers_.empty()) countdown->done.set_result();
    return closed;
}

void ServerThreads::stop() {
    for (auto& worker : workers_) {
        std::lock_guard lock(worker->mutex);
        if (worker->loop) worker->loop->stop();
    }
    for (auto& worker : workers_)
        if (worker->thread.joinable()) worker->thread.join();
}

}  // namespace squall
