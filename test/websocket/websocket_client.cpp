// The raw WebSocket test client: handshake by hand, masked frames out, a client-side parser
// in. Internal test support.
#include "websocket_client.h"

#include "squall/tcpclient.h"

namespace squall::testing {

namespace {

std::string request_text(const std::string& path, const HTTPHeaders& headers) {
    std::string text = "GET " + path + " HTTP/1.1\r\n";
    for (auto [name, value] : headers) text += std::string(name) + ": " + std::string(value) + "\r\n";
    return text + "\r\n";
}

ServerFrame frame_from(WebSocketParser& parser, WebSocketParser::Status status) {
    ServerFrame frame;
    frame.status = status;
    frame.opcode = parser.opcode();
    frame.payload = parser.payload();
    if (status == WebSocketParser::Status::close) frame.code = parser.close_code();
    if (status == WebSocketParser::Status::error) frame.code = parser.error_code();
    frame.reason = std::string(parser.close_reason());
    return frame;
}

}  // namespace

HTTPHeaders upgrade_headers(int port) {
    HTTPHeaders headers;
    headers.set("Host", "127.0.0.1:" + std::to_string(port));
    headers.set("Upgrade", "websocket");
    headers.set("Connection", "Upgrade");
    headers.set("Sec-WebSocket-Key", rfc_key);
    headers.set("Sec-WebSocket-Version", "13");
    return headers;
}

WebSocketParserOptions RawWebSocketClient::client_options(bool compression) {
    WebSocketParserOptions options;
    options.expect_masked = false;
    options.compression = compression;
    return options;
}

RawWebSocketClient::RawWebSocketClient(std::unique_ptr<IOStream> stream)
    : stream_(std::move(stream)), parser_(client_options(false)) {}

Future<std::unique_ptr<RawWebSocketClient>> RawWebSocketClient::connect(int port, std::string path) {
    return connect(port, std::move(path), upgrade_headers(port));
}

Future<std::unique_ptr<RawWebSocketClient>> RawWebSocketClient::connect(int port, std::string path,
                                                                         HTTPHeaders headers) {
    TCPClient tcp;
    auto connecting = tcp.connect("127.0.0.1", port);
    std::unique_ptr<IOStream> stream = co_await std::move(connecting);
    std::unique_ptr<RawWebSocketClient> client(new RawWebSocketClient(std::move(stream)));
    co_await client->stream_->write(request_text(path, headers));
    co_await client->read_head();
    co_return client;
}

Future<void> RawWebSocketClient::read_head() {
    std::string head = co_await stream_->read_until("\r\n\r\n");
    status_ = std::stoi(head.substr(head.find(' ') + 1, 3));
    std::size_t line = head.find("\r\n") + 2;
    while (line + 2 < head.size()) {
        std::size_t end = head.find("\r\n", line);
        std::string_view field = std::string_view(head).substr(line, end - line);
        std::size_t colon = field.find(':');
        std::size_t value = field.find_first_not_of(' ', colon + 1);
        headers_.add(field.substr(0, colon), field.substr(std::min(value, field.size())));
        line = end + 2;
    }
}

Future<void> RawWebSocketClient::send(WebSocketOpcode opcode, std::string_view payload, bool fin, bool rsv1) {
    static const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    std::string frame;
    write_websocket_frame(frame, opcode, payload, fin, key, rsv1);
    return stream_->write(std::move(frame));
}

Future<void> RawWebSocketClient::send_close(std::uint16_t code, std::string_view reason) {
    return send(WebSocketOpcode::close, websocket_close_payload(code, reason));
}

Future<void> RawWebSocketClient::send_raw(std::string bytes) { return stream_->write(std::move(bytes)); }

Future<ServerFrame> RawWebSocketClient::next() {
    while (true) {
        auto result = parser_.parse(stream_->buffered());
        stream_->consume(result.consumed);
        if (result.status != WebSocketParser::Status::incomplete) co_return frame_from(parser_, result.status);
        co_await stream_->fill_buffer(stream_->buffered().size() + 1);
    }
}

Future<void> RawWebSocketClient::wait_for_eof() {
    co_await stream_->read_until_close();
}

}  // namespace squall::testing
