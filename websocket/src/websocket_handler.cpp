// WebSocketHandler: the opening handshake on a GET, then the connection handed to
// WebSocketProtocol. Internal. Models tornado/websocket.py (4.0) WebSocketHandler.get and its
// forwarding methods (write_message, ping, close, set_nodelay).
#include "squall/websocket.h"

#include <algorithm>

#include "squall/application.h"
#include "squall/detail/ascii.h"
#include "squall/websocket_handshake.h"
#include "websocket_protocol.h"

namespace squall {

/// The protocol's reports, forwarded to the handler, which they keep alive meanwhile.
class WebSocketHandler::Events final : public detail::WebSocketEvents {
public:
    explicit Events(std::shared_ptr<WebSocketHandler> handler) : handler_(std::move(handler)) {}
    Future<void> on_message(std::string message, bool binary) override {
        return handler_->on_message(std::move(message), binary);
    }
    void on_ping(std::string_view data) override { handler_->on_ping(data); }
    void on_pong(std::string_view data) override { handler_->on_pong(data); }
    void on_close() override { handler_->on_close(); }

private:
    std::shared_ptr<WebSocketHandler> handler_;
};

WebSocketHandler::WebSocketHandler() = default;
WebSocketHandler::~WebSocketHandler() = default;

Future<void> WebSocketHandler::get() {
    if (check_handshake()) accept_connection();
    return {};
}

bool WebSocketHandler::check_handshake() {
    const HTTPHeaders& headers = request().headers;
    if (detail::ascii_lowercase(headers.get("Upgrade")) != "websocket")
        return refuse(400, "Can \"Upgrade\" only to \"WebSocket\".");
    if (!connection_upgrades()) return refuse(400, "\"Connection\" must be \"Upgrade\".");
    if (auto from = origin(); from && !check_origin(*from)) return refuse(403, "Cross origin websockets not allowed");
    if (headers.get("Sec-WebSocket-Version") != "13") {
        set_header("Sec-WebSocket-Version", "13");
        return refuse(426, "Only WebSocket version 13 is supported.");
    }
    if (!valid_websocket_key(headers.get("Sec-WebSocket-Key")))
        return refuse(400, "Missing or invalid Sec-WebSocket-Key.");
    return true;
}

bool WebSocketHandler::connection_upgrades() const {
    std::string connection = request().headers.get("Connection");  // the tokens point into it
    for (std::string_view token : websocket_header_list(connection))
        if (detail::iequals(token, "upgrade")) return true;
    return false;
}

bool WebSocketHandler::refuse(int status, std::string_view message) {
    set_status(status);
    finish(message);
    return false;
}

std::optional<std::string> WebSocketHandler::origin() const {
    for (std::string_view name : {"Origin", "Sec-WebSocket-Origin"})
        if (auto value = request().headers.find(name)) return std::string(*value);
    return std::nullopt;
}

bool WebSocketHandler::check_origin(std::string_view origin) {
    // Python's urlparse(origin).netloc: nothing without a scheme.
    std::size_t scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos) return false;
    std::string_view rest = origin.substr(scheme_end + 3);
    std::string_view netloc = rest.substr(0, rest.find_first_of("/?#"));
    return detail::ascii_lowercase(netloc) == detail::ascii_lowercase(request().headers.get("Host"));
}

std::vector<std::string> WebSocketHandler::offered_subprotocols() const {
    std::vector<std::string> offered;
    std::string header = request().headers.get("Sec-WebSocket-Protocol");  // the items point into it
    for (std::string_view p : websocket_header_list(header))
        offered.emplace_back(p);
    return offered;
}

std::string WebSocketHandler::switching_protocols_response() {
    std::vector<std::string> offered = offered_subprotocols();
    if (!offered.empty()) {
        auto chosen = select_subprotocol(offered);
        if (chosen && std::find(offered.begin(), offered.end(), *chosen) == offered.end())
            throw std::logic_error("select_subprotocol chose \"" + *chosen + "\", which the client did not offer");
        subprotocol_ = chosen.value_or("");
    }
    std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: " +
                           websocket_accept_value(request().headers.get("Sec-WebSocket-Key")) + "\r\n";
    if (!subprotocol_.empty()) response += "Sec-WebSocket-Protocol: " + subprotocol_ + "\r\n";
    return response + negotiate_compression() + "\r\n";
}

std::string WebSocketHandler::negotiate_compression() {
    auto options = get_compression_options();
    auto offers = request().headers.find("Sec-WebSocket-Extensions");
    if (!options || !offers) return {};
    // A malformed header only costs the client its compression, as an offer we cannot honour.
    auto extensions = parse_websocket_extensions(request().headers.get("Sec-WebSocket-Extensions"));
    if (!extensions) return {};
    compression_ = accept_deflate_offer(*extensions, *options);
    if (!compression_) return {};
    compression_options_ = *options;
    return "Sec-WebSocket-Extensions: " + deflate_response(*compression_) + "\r\n";
}

void WebSocketHandler::accept_connection() {
    std::string response = switching_protocols_response();
    DrainGroup* group = request().connection->drain_group();  // the server's, which outlives this call
    std::shared_ptr<IOStream> stream = request().detach_connection();
    mark_finished_elsewhere();
    // A failed write closes the stream, which the protocol reports as on_close.
    detail::quiet(stream->write(std::move(response)));
    const ApplicationSettings& s = settings();
    detail::WebSocketProtocolOptions options;
    options.max_message_size = s.websocket_max_message_size;
    options.ping_interval = s.websocket_ping_interval;
    options.ping_timeout = s.websocket_ping_timeout;
    options.log_name = request_summary();
    options.compression = compression_;
    options.compression_options = compression_options_;
    protocol_ = std::make_shared<detail::WebSocketProtocol>(std::move(stream), std::move(options));
    auto self = std::static_pointer_cast<WebSocketHandler>(shared_from_this());
    protocol_->start(std::make_shared<Events>(std::move(self)), call_open());
    if (group) protocol_->join(*group);
}

Future<void> WebSocketHandler::call_open() {
    try {
        return open();
    } catch (...) {
        // The protocol logs it and closes the connection, as for a failed coroutine open().
        return make_failed_future<void>(std::current_exception());
    }
}

Future<void> WebSocketHandler::write_message(std::string_view message, bool binary) {
    if (!protocol_) return make_failed_future<void>(std::make_exception_ptr(WebSocketClosedError()));
    return protocol_->write_message(message, binary);
}

Future<void> WebSocketHandler::write_message(std::string&& message, bool binary) {
    if (!protocol_) return make_failed_future<void>(std::make_exception_ptr(WebSocketClosedError()));
    return protocol_->write_message(std::move(message), binary);
}

void WebSocketHandler::ping(std::string_view data) {
    if (!protocol_) throw WebSocketClosedError();
    protocol_->ping(data);
}

void WebSocketHandler::close(std::optional<std::uint16_t> code, std::string_view reason) {
    if (!protocol_) return;
    if (!code && !reason.empty()) code = websocket_close::normal;
    protocol_->close(code, reason);
}

std::optional<std::uint16_t> WebSocketHandler::close_code() const noexcept {
    return protocol_ ? protocol_->close_code() : std::nullopt;
}

std::string WebSocketHandler::close_reason() const { return protocol_ ? protocol_->close_reason() : std::string(); }

void WebSocketHandler::set_nodelay(bool value) {
    if (protocol_) protocol_->stream().set_nodelay(value);
}

}  // namespace squall
