// squall-ws-interop-server: the WebSocket server that real client libraries are tested against
// (test/websocket/interop/interop.py runs one peer script on it). Echo, server-initiated close,
// server-initiated ping and subprotocol handlers, and GET /last-close?id=, which waits for the
// connection tagged `id` to end and answers, as JSON, the close code and reason it received.
#include <csignal>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "squall/gen.h"
#include "squall/ioloop.h"
#include "squall/log.h"
#include "squall/web.h"
#include "squall/websocket.h"

namespace {

using namespace squall;
using namespace std::chrono_literals;

/// How a connection ended, as its handler saw it.
struct CloseRecord {
    std::string path;
    std::optional<std::uint16_t> code;
    std::string reason;
    std::string subprotocol;
    int messages = 0;
};

/// Each connection's close record by its ?id=, and the /last-close requests waiting for one.
class CloseLog {
public:
    void record(const std::string& id, CloseRecord r) {
        records_[id] = std::move(r);
        auto waiting = waiters_.extract(id);
        if (!waiting.empty())
            for (Promise<void>& p : waiting.mapped()) p.set_result();
    }
    /// Done once the connection tagged `id` has closed (at once if it has).
    Future<void> closed(const std::string& id) {
        if (records_.count(id)) return make_ready_future();
        Promise<void> p;
        waiters_[id].push_back(p);
        return p.get_future();
    }
    const CloseRecord& at(const std::string& id) const { return records_.at(id); }

private:
    std::map<std::string, CloseRecord> records_;
    std::map<std::string, std::vector<Promise<void>>> waiters_;
};

/// Echoes every message as it came (text as text, binary as binary) and records its close.
class EchoHandler : public WebSocketHandler {
public:
    void initialize(CloseLog* log) { log_ = log; }
    Future<void> open() override {
        set_nodelay(true);
        id_ = get_argument("id", "");
        return opened();
    }
    Future<void> on_message(std::string message, bool binary) override {
        ++messages_;
        return write_message(std::move(message), binary);
    }
    void on_close() override {
        CloseRecord r;
        r.path = request().path;
        r.code = close_code();
        r.reason = close_reason();
        r.subprotocol = selected_subprotocol();
        r.messages = messages_;
        if (!id_.empty()) log_->record(id_, std::move(r));
    }

protected:
    /// What a subclass does once open.
    virtual Future<void> opened() { return {}; }

private:
    CloseLog* log_ = nullptr;
    std::string id_;
    int messages_ = 0;
};

/// Echoes with permessage-deflate accepted from any offer the peer makes, context kept
/// (`/deflate`) or reset after every message (`/deflate-reset`).
class DeflateHandler : public EchoHandler {
public:
    void initialize(CloseLog* log, bool no_context_takeover) {
        EchoHandler::initialize(log);
        options_.no_context_takeover = no_context_takeover;
    }
    std::optional<WebSocketCompressionOptions> get_compression_options() override { return options_; }

private:
    WebSocketCompressionOptions options_;
};

/// Closes with 4001 "server bye" as soon as it is open.
class CloseHandler : public EchoHandler {
protected:
    Future<void> opened() override {
        close(4001, "server bye");
        return {};
    }
};

/// Pings "squall ping" once open and answers the pong with the text "pong <its data>".
class PingHandler : public EchoHandler {
public:
    void on_pong(std::string_view data) override { detail::quiet(write_message("pong " + std::string(data))); }

protected:
    Future<void> opened() override {
        ping("squall ping");
        return {};
    }
};

/// Picks "superchat" when offered and says which it picked as its first message.
class SubprotocolHandler : public EchoHandler {
public:
    std::optional<std::string> select_subprotocol(const std::vector<std::string>& offered) override {
        for (const std::string& p : offered)
            if (p == "superchat") return p;
        return std::nullopt;
    }

protected:
    Future<void> opened() override { return write_message(selected_subprotocol()); }
};

/// GET /last-close?id=X: waits up to 10 s for connection X to end, then answers its record.
class LastCloseHandler : public RequestHandler {
public:
    void initialize(CloseLog* log) { log_ = log; }
    Future<void> get() override {
        std::string id = get_argument("id");
        auto closed = with_timeout(10s, log_->closed(id));
        try {
            co_await std::move(closed);
        } catch (const TimeoutError&) {
            set_status(504);
            nlohmann::json error = {{"error", "connection " + id + " did not close within 10 s"}};
            write(error);
            co_return;
        }
        const CloseRecord& r = log_->at(id);
        nlohmann::json answer = {{"id", id},
                                 {"path", r.path},
                                 {"code", r.code ? nlohmann::json(*r.code) : nlohmann::json(nullptr)},
                                 {"reason", r.reason},
                                 {"subprotocol", r.subprotocol},
                                 {"messages", r.messages}};
        write(answer);
    }

private:
    CloseLog* log_ = nullptr;
};

IOLoop* running_loop = nullptr;

extern "C" void on_signal(int) {
    if (running_loop) running_loop->add_callback_from_signal([] { running_loop->stop(); });
}

}  // namespace

int main() {
    try {
        // Protocol errors are logged at info: the driver fails the test on any of them.
        set_logging_level(LogLevel::info);
        IOLoop& loop = IOLoop::current();
        CloseLog log;
        std::vector<URLSpec> routes;
        routes.push_back(url<EchoHandler>("/echo", &log));
        routes.push_back(url<DeflateHandler>("/deflate", &log, false));
        routes.push_back(url<DeflateHandler>("/deflate-reset", &log, true));
        routes.push_back(url<CloseHandler>("/close", &log));
        routes.push_back(url<PingHandler>("/ping", &log));
        routes.push_back(url<SubprotocolHandler>("/subprotocol", &log));
        routes.push_back(url<LastCloseHandler>("/last-close", &log));
        Application app(std::move(routes));
        auto& server = app.listen(0, "127.0.0.1");
        running_loop = &loop;
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        std::printf("port %d\n", server.ports().front());
        std::fflush(stdout);
        loop.start();
        running_loop = nullptr;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "squall-ws-interop-server: %s\n", e.what());
        return 1;
    }
    return 0;
}
