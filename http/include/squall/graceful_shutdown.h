// GracefulShutdown: what a server process does on SIGTERM or SIGINT — stop accepting, close
// idle connections, let requests in flight finish for a grace period, close WebSockets with
// 1001, then stop its IOLoop. Public header; the signal handling Tornado leaves to each
// application (IOLoop.add_callback_from_signal), with HTTPServer.stop and close_all_connections.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "squall/detail/lifetime.h"
#include "squall/httpserver.h"
#include "squall/server_threads.h"

namespace squall {

struct GracefulShutdownOptions {
    /// How long requests in flight may take to finish once a signal came.
    Duration grace = std::chrono::seconds(30);
    /// Stop the IOLoop once every connection is closed.
    bool stop_loop = true;
};

/// One per process at a time: it installs handlers for SIGTERM and SIGINT (restoring the
/// previous ones when destroyed). A second signal during the grace period closes everything at
/// once, as a second Ctrl-C should.
class GracefulShutdown {
public:
    /// `servers` (on `loop`) must outlive this object.
    explicit GracefulShutdown(std::vector<HTTPServer*> servers, GracefulShutdownOptions options = {},
                              IOLoop& loop = IOLoop::current());
    /// The servers of every thread; `loop` (this thread's) hears the signals and is stopped.
    explicit GracefulShutdown(ServerThreads& threads, GracefulShutdownOptions options = {},
                              IOLoop& loop = IOLoop::current());
    ~GracefulShutdown();
    GracefulShutdown(const GracefulShutdown&) = delete;
    GracefulShutdown& operator=(const GracefulShutdown&) = delete;

    /// What a signal does, callable from code on the loop's thread: stop every server and close
    /// its connections gracefully; called again, close them now.
    void begin();
    bool started() const noexcept { return started_; }
    /// The signal that began the shutdown; 0 before one came (or when begin() was called).
    int signal_number() const noexcept { return signal_.load(); }
    /// Done once every connection of every server is closed.
    Future<void> finished() { return finished_.get_future(); }

private:
    using CloseAll = std::function<Future<void>(Duration grace)>;  // stops and drains every server
    GracefulShutdown(CloseAll close_all, GracefulShutdownOptions options, IOLoop& loop);
    static void on_signal(int signal) noexcept;

    CloseAll close_all_;
    GracefulShutdownOptions options_;
    IOLoop& loop_;
    bool started_ = false;
    std::atomic<int> signal_{0};
    Promise<void> finished_;
    struct SavedHandlers;
    std::unique_ptr<SavedHandlers> saved_;
    detail::Lifetime life_;
};

}  // namespace squall
