// The demo's /ws echo, /ws-last-close and /ws-close, and the routes of all its WebSocket
// endpoints. Part of squall-demo; the sockets are tornado/websocket.py (4.0) WebSocketHandlers.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "chat.h"
#include "sockets.h"
#include "squall/web.h"
#include "squall/websocket.h"

namespace squall::demo {
namespace {

/// The last close frame /ws received; shared by the echo handlers and /ws-last-close.
struct LastClose {
    std::optional<std::uint16_t> code;
    std::string reason;
};

/// Text stays text, binary stays binary, compressed when the client offered permessage-deflate;
/// the next message waits until the echo is written,
/// so a client that does not read cannot grow the server's buffer.
class EchoSocket : public WebSocketHandler {
public:
    void initialize(std::shared_ptr<LastClose> last) { last_ = std::move(last); }
    Future<void> on_message(std::string message, bool binary) override { return write_message(std::move(message), binary); }
    /// permessage-deflate, with zlib's defaults, for clients that offer it.
    std::optional<WebSocketCompressionOptions> get_compression_options() override {
        return WebSocketCompressionOptions();
    }
    void on_close() override {
        // close_code() is empty both for a close frame without a code and for a client that
        // vanished; only a coded close frame is known to have been received.
        if (!close_code()) return;
        last_->code = close_code();
        last_->reason = close_reason();
    }

private:
    std::shared_ptr<LastClose> last_;
};

/// {"code": c, "reason": r}; both null until /ws has received a close frame with a code.
class LastCloseHandler : public RequestHandler {
public:
    void initialize(std::shared_ptr<LastClose> last) { last_ = std::move(last); }
    Future<void> get() override {
        nlohmann::json body = {{"code", nullptr}, {"reason", nullptr}};
        if (last_->code) body = {{"code", *last_->code}, {"reason", last_->reason}};
        write(body);
        return {};
    }

private:
    std::shared_ptr<LastClose> last_;
};

class ClosingSocket : public WebSocketHandler {
public:
    Future<void> open() override {
        close(4000, "bye");
        return {};
    }
    Future<void> on_message(std::string, bool) override { return {}; }
};

}  // namespace

void add_websocket_routes(std::vector<URLSpec>& routes, std::size_t chat_max_backlog) {
    auto last = std::make_shared<LastClose>();
    routes.push_back(url<EchoSocket>("/ws", last));
    routes.push_back(url<LastCloseHandler>("/ws-last-close", last));
    routes.push_back(url<ClosingSocket>("/ws-close"));
    routes.push_back(url<ChatMember>("/chat", std::make_shared<ChatRoom>(chat_max_backlog)));
}

}  // namespace squall::demo
