// The WebSocket frame codec, sans-I/O and shared by server and client: a parser that turns
// bytes into whole messages and control frames under RFC 6455's strict rules, and the
// functions that write frames. Public header. Models the framing half of
// tornado/websocket.py (WebSocketProtocol13), with the failures RFC 6455 asks for where
// Tornado is lenient.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "squall/detail/utf8.h"

namespace squall {

enum class WebSocketOpcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// Close codes of RFC 6455 section 7.4.1.
namespace websocket_close {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t no_status = 1005;   // never sent: the close frame had no code
inline constexpr std::uint16_t abnormal = 1006;    // never sent: no close frame at all
inline constexpr std::uint16_t invalid_data = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t message_too_big = 1009;
inline constexpr std::uint16_t missing_extension = 1010;
inline constexpr std::uint16_t internal_error = 1011;
// Registered with IANA after RFC 6455; Python websockets, Node ws and Autobahn send them.
inline constexpr std::uint16_t service_restart = 1012;
inline constexpr std::uint16_t try_again_later = 1013;
inline constexpr std::uint16_t bad_gateway = 1014;

/// A code a peer may send in a close frame: 1000-1003, 1007-1014, or 3000-4999 (registered
/// and private use). Everything else is a protocol error (1015, TLS failure, is never sent).
constexpr bool may_be_sent(std::uint16_t code) noexcept {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
}  // namespace websocket_close

struct WebSocketParserOptions {
    /// Frames must be masked (a server reading a client) or must not be (a client).
    bool expect_masked = true;
    /// permessage-deflate was negotiated: RSV1 marks a compressed message.
    bool compression = false;
    /// Largest message, all its fragments together (Tornado's websocket_max_message_size).
    std::uint64_t max_message_size = 10 * 1024 * 1024;
};

/// Usage, as HTTP1Parser: parse() the bytes not yet consumed, drop `consumed` bytes from the
/// front, act on the status, repeat while it is not `incomplete`. Payload bytes are consumed as
/// they arrive (a frame need not be buffered whole); messages are assembled here, unmasked, and
/// text is checked as UTF-8 fragment by fragment, so invalid text fails at its first bad byte.
class WebSocketParser {
public:
    enum class Status {
        incomplete,  // need more bytes
        message,     // a whole text or binary message: opcode(), payload(), compressed()
        ping,        // payload() holds the ping's data
        pong,
        close,       // close_code() and close_reason() (no_status when the frame had no code)
        error,       // fail the connection with error_code() (1002, 1007 or 1009): error_message()
    };
    struct Result {
        Status status;
        std::size_t consumed;
    };

    explicit WebSocketParser(WebSocketParserOptions options = {}) : options_(options) {}

    Result parse(std::string_view data);

    /// text or binary, for a message.
    WebSocketOpcode opcode() const noexcept { return message_opcode_; }
    /// The message or control frame's payload, valid until the next parse(). Text is valid
    /// UTF-8 unless compressed() (then it is checked once inflated).
    std::string& payload() noexcept { return last_is_control_ ? control_ : message_; }
    /// The message arrived with RSV1 set (permessage-deflate): payload() is deflated data.
    bool compressed() const noexcept { return message_compressed_; }
    std::uint16_t close_code() const noexcept { return close_code_; }
    std::string_view close_reason() const noexcept { return close_reason_; }
    std::uint16_t error_code() const noexcept { return error_code_; }
    const std::string& error_message() const noexcept { return error_message_; }

private:
    enum class State { header, payload, failed };
    struct Frame {
        bool fin = false, rsv1 = false, masked = false;
        WebSocketOpcode opcode = WebSocketOpcode::continuation;
        std::uint64_t length = 0, received = 0;
        unsigned char mask[4] = {0, 0, 0, 0};
    };

    Result fail(std::uint16_t code, std::string message, std::size_t consumed);
    /// The frame header at the front of `data`: its size, 0 while incomplete, or an error.
    Result parse_header(std::string_view data);
    Result check_frame(std::size_t consumed);
    Result parse_payload(std::string_view data);
    Result finish_frame(std::size_t consumed);
    Result finish_close(std::size_t consumed);

    WebSocketParserOptions options_;
    State state_ = State::header;
    Frame frame_;
    bool in_message_ = false;  // a fragmented message has started and not ended
    bool last_is_control_ = false;
    WebSocketOpcode message_opcode_ = WebSocketOpcode::text;
    bool message_compressed_ = false;
    std::string message_, control_;
    detail::Utf8Validator utf8_;
    std::uint16_t close_code_ = websocket_close::no_status;
    std::string close_reason_;
    std::uint16_t error_code_ = 0;
    std::string error_message_;
};

/// XOR `n` bytes at `data` with the 4-byte `key`, starting `offset` bytes into the key's cycle
/// (the position of `data` in its frame's payload). Unmasking is the same operation.
void websocket_mask(char* data, std::size_t n, const unsigned char key[4], std::uint64_t offset = 0) noexcept;

/// Appends the header of a frame whose payload is `length` bytes (the mask key included when
/// there is one); the payload, masked by the caller with websocket_mask for a client, follows.
void write_websocket_frame_header(std::string& out, WebSocketOpcode opcode, std::uint64_t length, bool fin = true,
                                  const unsigned char* mask_key = nullptr, bool rsv1 = false);

/// Appends one frame to `out`. `mask_key` null: unmasked (a server's frames); otherwise the
/// payload is masked with it (a client's). `rsv1` marks a compressed message's first frame.
void write_websocket_frame(std::string& out, WebSocketOpcode opcode, std::string_view payload, bool fin = true,
                           const unsigned char* mask_key = nullptr, bool rsv1 = false);

/// A close frame's payload: the code in network order and the reason (cut to fit 123 bytes on a
/// character boundary). `no_status` gives an empty payload.
std::string websocket_close_payload(std::uint16_t code, std::string_view reason = {});

}  // namespace squall
