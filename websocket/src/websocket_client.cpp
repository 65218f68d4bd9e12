// WebSocketClientConnection: messages from the protocol's read loop handed to read_message()
// (one waiting at most: the loop pauses until it is read) or to the on_message callback, and
// the sending half forwarded to the protocol. Internal. Models tornado/websocket.py (4.0)
// WebSocketClientConnection (its read_queue and on_message) and WebSocketProtocol13's callers.
#include <stdexcept>

#include "squall/websocket_client.h"
#include "websocket_client_start.h"
#include "websocket_protocol.h"

namespace squall::detail {

/// What the read loop delivers, shared by the connection and the loop's events, so that either
/// may go first: the loop keeps it while it runs, the connection while it exists.
struct WebSocketInbox {
    using Message = std::optional<WebSocketMessage>;

    std::function<void(Message)> callback;
    std::function<void(std::string_view)> on_ping, on_pong;
    Message unread;                      // arrived before read_message asked for it
    std::optional<Promise<void>> taken;  // the read loop waits on it while `unread` is there
    std::optional<Promise<Message>> reader;  // a read_message waiting for a message
    bool closed = false;
    bool abandoned = false;  // the connection is gone: drop what arrives

    Future<void> deliver(WebSocketMessage message) {
        if (abandoned) return {};
        if (callback) {
            callback(std::move(message));
            return {};
        }
        if (reader) {
            take_promise(reader).set_result(std::move(message));
            return {};
        }
        unread = std::move(message);
        taken.emplace();
        return taken->get_future();
    }

    Future<Message> read() {
        if (reader) return make_failed_future<Message>(std::make_exception_ptr(std::logic_error("read_message called twice")));
        if (unread) {
            Message message = std::exchange(unread, std::nullopt);
            release_read_loop();
            return make_ready_future(std::move(message));
        }
        if (closed) return make_ready_future(Message());
        reader.emplace();
        return reader->get_future();
    }

    void end() {
        closed = true;
        if (reader) take_promise(reader).set_result(std::nullopt);
        if (callback && !abandoned) callback(std::nullopt);
    }

    void abandon() {
        abandoned = true;
        unread.reset();
        release_read_loop();  // a Promise dropped unset would fail the loop with BrokenPromise
    }

    void release_read_loop() {
        if (taken) take_promise(taken).set_result();
    }
};

namespace {

/// The protocol's reports, into the inbox.
class ClientEvents final : public WebSocketEvents {
public:
    explicit ClientEvents(std::shared_ptr<WebSocketInbox> inbox) : inbox_(std::move(inbox)) {}
    Future<void> on_message(std::string message, bool binary) override {
        WebSocketMessage m;
        m.data = std::move(message);
        m.binary = binary;
        return inbox_->deliver(std::move(m));
    }
    void on_ping(std::string_view data) override {
        if (inbox_->on_ping && !inbox_->abandoned) inbox_->on_ping(data);
    }
    void on_pong(std::string_view data) override {
        if (inbox_->on_pong && !inbox_->abandoned) inbox_->on_pong(data);
    }
    void on_close() override { inbox_->end(); }

private:
    std::shared_ptr<WebSocketInbox> inbox_;
};

WebSocketProtocolOptions client_protocol_options(const WebSocketConnectOptions& options,
                                                 std::optional<DeflateParameters> compression, std::string log_name) {
    WebSocketProtocolOptions protocol;
    protocol.role = WebSocketRole::client;
    protocol.max_message_size = options.max_message_size;
    protocol.ping_interval = options.ping_interval;
    protocol.ping_timeout = options.ping_timeout;
    protocol.close_timeout = options.close_timeout;
    protocol.log_name = std::move(log_name);
    protocol.compression = compression;
    if (options.compression_options) protocol.compression_options = *options.compression_options;
    return protocol;
}

}  // namespace

std::shared_ptr<WebSocketClientConnection> start_client_connection(std::shared_ptr<IOStream> stream,
                                                                   HTTPHeaders response_headers,
                                                                   const WebSocketConnectOptions& options,
                                                                   std::optional<DeflateParameters> compression,
                                                                   std::string log_name) {
    auto inbox = std::make_shared<WebSocketInbox>();
    inbox->callback = options.on_message;
    inbox->on_ping = options.on_ping;
    inbox->on_pong = options.on_pong;
    auto protocol =
        std::make_shared<WebSocketProtocol>(std::move(stream), client_protocol_options(options, compression, std::move(log_name)));
    auto connection = std::make_shared<WebSocketClientConnection>(protocol, inbox, std::move(response_headers));
    protocol->start(std::make_shared<ClientEvents>(std::move(inbox)), {});
    return connection;
}

}  // namespace squall::detail

namespace squall {

WebSocketClientConnection::WebSocketClientConnection(std::shared_ptr<detail::WebSocketProtocol> protocol,
                                                     std::shared_ptr<detail::WebSocketInbox> inbox,
                                                     HTTPHeaders headers)
    : protocol_(std::move(protocol)),
      inbox_(std::move(inbox)),
      headers_(std::move(headers)),
      subprotocol_(headers_.get("Sec-WebSocket-Protocol")) {}

WebSocketClientConnection::~WebSocketClientConnection() {
    inbox_->abandon();
    protocol_->close(std::nullopt, {});  // the read loop keeps the protocol for the handshake's end
}

Future<std::optional<WebSocketMessage>> WebSocketClientConnection::read_message() {
    if (inbox_->callback)
        return make_failed_future<std::optional<WebSocketMessage>>(
            std::make_exception_ptr(std::logic_error("read_message with an on_message callback")));
    return inbox_->read();
}

Future<void> WebSocketClientConnection::write_message(std::string_view message, bool binary) {
    return protocol_->write_message(message, binary);
}

Future<void> WebSocketClientConnection::write_message(std::string&& message, bool binary) {
    return protocol_->write_message(std::move(message), binary);
}

void WebSocketClientConnection::ping(std::string_view data) { protocol_->ping(data); }

void WebSocketClientConnection::close(std::optional<std::uint16_t> code, std::string_view reason) {
    if (!code && !reason.empty()) code = websocket_close::normal;
    protocol_->close(code, reason);
}

std::optional<std::uint16_t> WebSocketClientConnection::close_code() const noexcept { return protocol_->close_code(); }

std::string WebSocketClientConnection::close_reason() const { return protocol_->close_reason(); }

void WebSocketClientConnection::set_nodelay(bool value) { protocol_->stream().set_nodelay(value); }

}  // namespace squall
