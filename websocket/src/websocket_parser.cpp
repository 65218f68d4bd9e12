// The frame parser of squall/websocket_frame.h: RFC 6455 section 5 framing, read strictly
// (section 5.2's reserved bits and opcodes, 5.5's control frame rules, 5.4's fragmentation,
// 7.4's close codes, 8.1's UTF-8), each failure with the close code the RFC gives it.
#include <algorithm>

#include "squall/websocket_frame.h"

namespace squall {
namespace {

bool is_control(WebSocketOpcode op) noexcept { return static_cast<std::uint8_t>(op) & 0x8; }

bool is_known(std::uint8_t op) noexcept { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

std::uint64_t big_endian(std::string_view bytes) noexcept {
    std::uint64_t v = 0;
    for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}

constexpr std::size_t max_control_payload = 125;

}  // namespace

WebSocketParser::Result WebSocketParser::fail(std::uint16_t code, std::string message, std::size_t consumed) {
    state_ = State::failed;
    error_code_ = code;
    error_message_ = std::move(message);
    return {Status::error, consumed};
}

WebSocketParser::Result WebSocketParser::parse(std::string_view data) {
    std::size_t off = 0;
    while (true) {
        switch (state_) {
        case State::failed:
            return {Status::error, 0};
        case State::header: {
            Result r = parse_header(data.substr(off));
            if (r.status == Status::error) return {r.status, off + r.consumed};
            if (r.consumed == 0) return {Status::incomplete, off};
            off += r.consumed;
            if (frame_.length == 0) {
                Result done = finish_frame(off);
                if (done.status != Status::incomplete) return done;
                continue;
            }
            state_ = State::payload;
            continue;
        }
        case State::payload: {
            Result r = parse_payload(data.substr(off));
            r.consumed += off;
            if (r.status != Status::incomplete) return r;
            if (state_ == State::payload) return r;  // the frame needs more bytes
            off = r.consumed;                        // the frame ended inside a message
            continue;
        }
        }
    }
}

WebSocketParser::Result WebSocketParser::parse_header(std::string_view data) {
    if (data.size() < 2) return {Status::incomplete, 0};
    const auto b0 = static_cast<unsigned char>(data[0]), b1 = static_cast<unsigned char>(data[1]);
    frame_ = Frame{};
    frame_.fin = b0 & 0x80;
    frame_.rsv1 = b0 & 0x40;
    frame_.masked = b1 & 0x80;
    const std::uint8_t op = b0 & 0x0F;
    // What the first two bytes decide is checked before waiting for the rest, so a bad frame
    // fails at the same point however its bytes arrive.
    if (b0 & 0x30) return fail(websocket_close::protocol_error, "reserved bits RSV2/RSV3 set", 0);
    if (!is_known(op)) return fail(websocket_close::protocol_error, "reserved opcode", 0);
    frame_.opcode = static_cast<WebSocketOpcode>(op);
    if (frame_.masked != options_.expect_masked)
        return fail(websocket_close::protocol_error, options_.expect_masked ? "unmasked frame from a client"
                                                                            : "masked frame from a server", 0);
    const std::uint8_t len7 = b1 & 0x7F;
    if (is_control(frame_.opcode)) {
        if (!frame_.fin) return fail(websocket_close::protocol_error, "fragmented control frame", 0);
        if (len7 > max_control_payload) return fail(websocket_close::protocol_error, "control frame over 125 bytes", 0);
        if (frame_.rsv1) return fail(websocket_close::protocol_error, "RSV1 on a control frame", 0);
    } else if (frame_.opcode == WebSocketOpcode::continuation) {
        if (!in_message_) return fail(websocket_close::protocol_error, "continuation frame without a message", 0);
        if (frame_.rsv1) return fail(websocket_close::protocol_error, "RSV1 on a continuation frame", 0);
    } else {
        if (in_message_) return fail(websocket_close::protocol_error, "new message inside a fragmented one", 0);
        if (frame_.rsv1 && !options_.compression)
            return fail(websocket_close::protocol_error, "RSV1 set without a negotiated extension", 0);
    }
    const std::size_t length_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t size = 2 + length_bytes + (frame_.masked ? 4 : 0);
    if (data.size() < size) return {Status::incomplete, 0};
    frame_.length = length_bytes ? big_endian(data.substr(2, length_bytes)) : len7;
    if (length_bytes == 2 && frame_.length < 126)
        return fail(websocket_close::protocol_error, "length not in its shortest form", 0);
    if (length_bytes == 8 && (frame_.length >> 63))
        return fail(websocket_close::protocol_error, "64-bit length with the top bit set", 0);
    if (length_bytes == 8 && frame_.length <= 0xFFFF)
        return fail(websocket_close::protocol_error, "length not in its shortest form", 0);
    if (frame_.masked) std::copy_n(data.data() + 2 + length_bytes, 4, reinterpret_cast<char*>(frame_.mask));
    return check_frame(size);
}

WebSocketParser::Result WebSocketParser::check_frame(std::size_t consumed) {
    if (is_control(frame_.opcode)) {
        control_.clear();
        return {Status::incomplete, consumed};
    }
    if (frame_.opcode != WebSocketOpcode::continuation) {
        message_.clear();
        utf8_.reset();
        message_opcode_ = frame_.opcode;
        message_compressed_ = frame_.rsv1;
        in_message_ = true;
    }
    // Compared without adding, so no announced length can wrap the total.
    if (frame_.length > options_.max_message_size - std::min<std::uint64_t>(message_.size(), options_.max_message_size))
        return fail(websocket_close::message_too_big, "message larger than max_message_size", 0);
    // Room for the frame up front, so a large message is copied in once instead of regrown; at
    // most 1 MiB on an announced length alone, as the peer may never send the bytes.
    message_.reserve(message_.size() + static_cast<std::size_t>(std::min<std::uint64_t>(frame_.length, 1 << 20)));
    return {Status::incomplete, consumed};
}

WebSocketParser::Result WebSocketParser::parse_payload(std::string_view data) {
    if (data.empty()) return {Status::incomplete, 0};
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(frame_.length - frame_.received, data.size()));
    std::string& into = is_control(frame_.opcode) ? control_ : message_;
    const std::size_t at = into.size();
    into.append(data.data(), n);
    if (frame_.masked) websocket_mask(into.data() + at, n, frame_.mask, frame_.received);
    frame_.received += n;
    if (!is_control(frame_.opcode) && message_opcode_ == WebSocketOpcode::text && !message_compressed_ &&
        !utf8_.feed(std::string_view(into).substr(at)))
        return fail(websocket_close::invalid_data, "invalid UTF-8 in a text message", n);
    if (frame_.received < frame_.length) return {Status::incomplete, n};
    return finish_frame(n);
}

WebSocketParser::Result WebSocketParser::finish_frame(std::size_t consumed) {
    state_ = State::header;
    switch (frame_.opcode) {
    case WebSocketOpcode::ping:
        last_is_control_ = true;
        return {Status::ping, consumed};
    case WebSocketOpcode::pong:
        last_is_control_ = true;
        return {Status::pong, consumed};
    case WebSocketOpcode::close:
        last_is_control_ = true;
        return finish_close(consumed);
    default:
        break;
    }
    if (!frame_.fin) return {Status::incomplete, consumed};
    in_message_ = false;
    if (message_opcode_ == WebSocketOpcode::text && !message_compressed_ && !utf8_.complete())
        return fail(websocket_close::invalid_data, "text message ends inside a UTF-8 character", consumed);
    last_is_control_ = false;
    return {Status::message, consumed};
}

WebSocketParser::Result WebSocketParser::finish_close(std::size_t consumed) {
    close_reason_.clear();
    if (control_.empty()) {
        close_code_ = websocket_close::no_status;
        return {Status::close, consumed};
    }
    if (control_.size() == 1) return fail(websocket_close::protocol_error, "close frame with a 1-byte payload", consumed);
    close_code_ = static_cast<std::uint16_t>(big_endian(std::string_view(control_).substr(0, 2)));
    if (!websocket_close::may_be_sent(close_code_))
        return fail(websocket_close::protocol_error, "invalid close code " + std::to_string(close_code_), consumed);
    close_reason_.assign(control_, 2);
    if (!detail::is_valid_utf8(close_reason_))
        return fail(websocket_close::invalid_data, "close reason is not UTF-8", consumed);
    return {Status::close, consumed};
}

}  // namespace squall
