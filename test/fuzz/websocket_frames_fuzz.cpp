// Fuzz target: WebSocket frames from a peer through WebSocketParser, as a server (masked
// frames) or a client, with or without permessage-deflate, under a small max_message_size.
// The stream fed whole and in pieces must give the same events; messages stay within the
// limit, text is valid UTF-8 unless compressed, control payloads fit 125 bytes, close codes
// are ones a peer may send, and errors carry 1002, 1007 or 1009. With mode bit 8 the input is
// a payload instead: written as a frame (whole, or as a header with the payload masked in place
// after it, which must give the same bytes) and parsed back to itself.
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "squall/websocket_frame.h"

namespace {

using squall::WebSocketParser;
using Status = WebSocketParser::Status;

struct Event {
    Status status;
    std::string payload;
    std::uint16_t code;
    bool operator==(const Event&) const = default;
};

void check_event(WebSocketParser& p, Status status, const squall::WebSocketParserOptions& options) {
    if (status == Status::error) {
        auto c = p.error_code();
        SQUALL_FUZZ_CHECK(c == 1002 || c == 1007 || c == 1009);
        return;
    }
    if (status == Status::message) {
        SQUALL_FUZZ_CHECK(p.payload().size() <= options.max_message_size);
        if (p.opcode() == squall::WebSocketOpcode::text && !p.compressed())
            SQUALL_FUZZ_CHECK(squall::detail::is_valid_utf8(p.payload()));
        SQUALL_FUZZ_CHECK(!p.compressed() || options.compression);
        return;
    }
    SQUALL_FUZZ_CHECK(p.payload().size() <= 125);
    if (status == Status::close && p.close_code() != squall::websocket_close::no_status) {
        SQUALL_FUZZ_CHECK(squall::websocket_close::may_be_sent(p.close_code()));
        SQUALL_FUZZ_CHECK(squall::detail::is_valid_utf8(p.close_reason()));
    }
}

std::vector<Event> transcribe(const squall::WebSocketParserOptions& options, std::string_view data, std::size_t piece) {
    WebSocketParser p(options);
    std::vector<Event> events;
    std::string buffer;
    for (std::size_t at = 0; at < data.size(); at += piece) {
        buffer.append(data.substr(at, piece));
        while (true) {
            auto r = p.parse(buffer);
            SQUALL_FUZZ_CHECK(r.consumed <= buffer.size());
            buffer.erase(0, r.consumed);
            if (r.status == Status::incomplete) break;
            check_event(p, r.status, options);
            if (r.status == Status::error) {
                events.push_back({r.status, {}, p.error_code()});
                return events;
            }
            events.push_back({r.status, p.payload(), r.status == Status::close ? p.close_code() : std::uint16_t(0)});
        }
    }
    return events;
}

/// write_websocket_frame and write_websocket_frame_header + websocket_mask agree, and the
/// parser reads the frame back as the payload.
void round_trip(std::string_view payload, const unsigned char* key) {
    std::string whole;
    squall::write_websocket_frame(whole, squall::WebSocketOpcode::binary, payload, true, key);
    std::string pieces;
    squall::write_websocket_frame_header(pieces, squall::WebSocketOpcode::binary, payload.size(), true, key);
    std::string body(payload);
    if (key) squall::websocket_mask(body.data(), body.size(), key);
    SQUALL_FUZZ_CHECK(pieces + body == whole);
    squall::WebSocketParserOptions options;
    options.expect_masked = key != nullptr;
    WebSocketParser p(options);
    auto r = p.parse(whole);
    SQUALL_FUZZ_CHECK(r.status == Status::message && r.consumed == whole.size());
    SQUALL_FUZZ_CHECK(p.payload() == payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    const std::uint8_t mode = in.byte();
    if (mode & 8) {
        unsigned char key[4] = {in.byte(), in.byte(), in.byte(), in.byte()};
        round_trip(in.rest(), (mode & 1) ? key : nullptr);
        return 0;
    }
    squall::WebSocketParserOptions options;
    options.expect_masked = mode & 1;
    options.compression = mode & 2;
    options.max_message_size = (mode & 4) ? in.byte() : 1 << 20;
    const std::size_t piece = 1 + in.byte() % 16;
    std::string_view stream = in.rest();
    auto whole = transcribe(options, stream, std::max<std::size_t>(stream.size(), 1));
    SQUALL_FUZZ_CHECK(transcribe(options, stream, piece) == whole);
    return 0;
}
