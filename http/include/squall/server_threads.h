// ServerThreads: one IOLoop per thread, each with an HTTPServer on its own SO_REUSEPORT socket
// for the same port, so the kernel spreads connections over the threads (a loop per core,
// nginx's worker model inside one process). Public header; beside Tornado's fork_processes,
// which squall also has (TCPServer::start).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "squall/httpserver.h"
#include "squall/netutil.h"

namespace squall {

struct ServerThreadsOptions {
    /// 0: one per CPU (std::thread::hardware_concurrency).
    unsigned threads = 0;
    HTTPServerOptions server;
    BindOptions bind;  // the address, family and backlog; reuse_port is always on
};

class ServerThreads {
public:
    using DelegateFactory = std::function<std::unique_ptr<HTTPServerConnectionDelegate>()>;

    /// Serves `port` (0: the kernel picks one for all) on every thread with one `delegate`,
    /// which must outlive this object and be safe to call from several threads at once (an
    /// Application is, while its settings and routes are left alone). Returns once every
    /// thread is listening; throws what binding or starting threw.
    ServerThreads(HTTPServerConnectionDelegate& delegate, int port, ServerThreadsOptions options = {});
    /// The same with a delegate per thread, made on that thread by `make_delegate` (nothing
    /// shared between threads).
    ServerThreads(DelegateFactory make_delegate, int port, ServerThreadsOptions options = {});
    /// The request-callback form of HTTPServer: each thread calls its own copy of `callback`.
    ServerThreads(std::function<void(std::shared_ptr<HTTPServerRequest>)> callback, int port,
                  ServerThreadsOptions options = {});
    /// stop(): every connection is closed now.
    ~ServerThreads();
    ServerThreads(const ServerThreads&) = delete;
    ServerThreads& operator=(const ServerThreads&) = delete;

    int port() const noexcept { return port_; }
    std::size_t size() const noexcept { return workers_.size(); }

    /// On every thread: stop accepting and close_all_connections(grace). Done on `loop` (the
    /// caller's) once every thread's connections are closed. The threads keep running.
    Future<void> close_all_connections(Duration grace, IOLoop& loop = IOLoop::current());
    /// Closes every connection, stops every loop and joins the threads. Idempotent.
    void stop();

private:
    struct Worker;
    struct Served;  // a thread's server, and the delegate it owns if any
    using ServerFactory = std::function<Served(IOLoop&)>;
    void start(ServerFactory make_server, ServerThreadsOptions options, int port);

    int port_ = 0;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::shared_ptr<void>> closings_;  // close_all_connections' countdowns
};

}  // namespace squall
