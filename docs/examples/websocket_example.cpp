// The example of docs/websocket.md: a client's frames written, then read back by a server's
// parser, fragments, a ping and the close included. Built and run by the tests.
#include <squall/websocket_frame.h>

#include <cstdio>
#include <string>

int main() {
    const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    std::string wire;
    squall::write_websocket_frame(wire, squall::WebSocketOpcode::text, "hello, ", false, key);
    squall::write_websocket_frame(wire, squall::WebSocketOpcode::ping, "are you there?", true, key);
    squall::write_websocket_frame(wire, squall::WebSocketOpcode::continuation, "world", true, key);
    squall::write_websocket_frame(wire, squall::WebSocketOpcode::close, squall::websocket_close_payload(1000, "bye"),
                                  true, key);

    squall::WebSocketParser parser;  // a server's: the frames must be masked
    std::string seen;
    for (std::string_view rest = wire;;) {
        auto r = parser.parse(rest);
        rest.remove_prefix(r.consumed);
        using S = squall::WebSocketParser::Status;
        if (r.status == S::incomplete) break;
        if (r.status == S::message) seen += "message: " + parser.payload() + "\n";
        if (r.status == S::ping) seen += "ping: " + parser.payload() + "\n";
        if (r.status == S::close) seen += "close " + std::to_string(parser.close_code()) + " " +
                                          std::string(parser.close_reason()) + "\n";
        if (r.status == S::error) return std::printf("error %u\n", parser.error_code()), 1;
    }
    std::fputs(seen.c_str(), stdout);
    return seen == "ping: are you there?\nmessage: hello, world\nclose 1000 bye\n" ? 0 : 1;
}
