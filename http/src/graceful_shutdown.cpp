// GracefulShutdown: the signal handlers, and stop + close_all_connections on every server
// (or on every thread's).
// Internal.
#include "squall/graceful_shutdown.h"

#include <csignal>
#include <stdexcept>

#include "squall/gen.h"
#include "squall/log.h"

namespace squall {
namespace {

constexpr int handled_signals[] = {SIGTERM, SIGINT};
constexpr std::size_t handled_count = sizeof handled_signals / sizeof handled_signals[0];

// A signal handler can reach no object but through globals; one shutdown per process.
std::atomic<GracefulShutdown*> active_shutdown{nullptr};
std::atomic<IOLoop*> active_loop{nullptr};

}  // namespace

struct GracefulShutdown::SavedHandlers {
    struct sigaction previous[handled_count];
};

GracefulShutdown::GracefulShutdown(std::vector<HTTPServer*> servers, GracefulShutdownOptions options, IOLoop& loop)
    : GracefulShutdown(
          [servers = std::move(servers)](Duration grace) {
              std::vector<Future<void>> closing;
              for (HTTPServer* server : servers) {
                  server->stop();
                  closing.push_back(server->close_all_connections(grace));
              }
              return multi(std::move(closing));
          },
          options, loop) {}

GracefulShutdown::GracefulShutdown(ServerThreads& threads, GracefulShutdownOptions options, IOLoop& loop)
    : GracefulShutdown([&threads, &loop](Duration grace) { return threads.close_all_connections(grace, loop); },
                       options, loop) {}

GracefulShutdown::GracefulShutdown(CloseAll close_all, GracefulShutdownOptions options, IOLoop& loop)
    : close_all_(std::move(close_all)), options_(options), loop_(loop), saved_(std::make_unique<SavedHandlers>()) {
    GracefulShutdown* none = nullptr;
    if (!active_shutdown.compare_exchange_strong(none, this))
        throw std::logic_error("GracefulShutdown: another one is active in this process");
    active_loop.store(&loop);
    struct sigaction action {};
    action.sa_handler = &GracefulShutdown::on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (std::size_t i = 0; i < handled_count; ++i) sigaction(handled_signals[i], &action, &saved_->previous[i]);
}

GracefulShutdown::~GracefulShutdown() {
    for (std::size_t i = 0; i < handled_count; ++i) sigaction(handled_signals[i], &saved_->previous[i], nullptr);
    active_loop.store(nullptr);
    active_shutdown.store(nullptr);
}

void GracefulShutdown::on_signal(int signal) noexcept {
    GracefulShutdown* self = active_shutdown.load();
    IOLoop* loop = active_loop.load();
    if (!self || !loop) return;
    self->signal_.store(signal);
    loop->add_callback_from_signal([] {
        if (GracefulShutdown* s = active_shutdown.load()) s->begin();
    });
}

void GracefulShutdown::begin() {
    if (started_) {
        gen_log().logf(LogLevel::warning, "Shutting down now: closing every connection");
        detail::quiet(close_all_(Duration::zero()));
        return;
    }
    started_ = true;
    auto grace_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.grace).count();
    gen_log().logf(LogLevel::info, "Shutting down: no new connections, %lld ms for the requests in flight",
                   static_cast<long long>(grace_ms));
    close_all_(options_.grace).add_done_callback([this, watch = life_.watch()](Future<void> closed) {
        (void)closed.exception();  // closing reports no failure of its own
        if (!watch.alive()) return;
        gen_log().logf(LogLevel::info, "Shut down: every connection is closed");
        if (options_.stop_loop) loop_.stop();
        finished_.set_result();
    });
}


}  // namespace squall
