// The handshake's connection-free parts: accept value, key check, header lists. Internal.
// Models WebSocketProtocol13.compute_accept_value in tornado/websocket.py (4.0); SHA-1 comes
// from OpenSSL because the value is a security check, unlike the web layer's ETag hash.
#include "squall/websocket_handshake.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "squall/detail/ascii.h"
#include "squall/detail/base64.h"

namespace squall {

namespace {
constexpr std::string_view accept_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t key_bytes = 16;
}  // namespace

std::string websocket_accept_value(std::string_view key) {
    std::string input(key);
    input += accept_guid;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("SHA-1 failed in OpenSSL");
    return detail::base64_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

bool valid_websocket_key(std::string_view key) {
    auto decoded = detail::base64_decode(key);
    return decoded && decoded->size() == key_bytes;
}

std::vector<std::string_view> websocket_header_list(std::string_view value) {
    std::vector<std::string_view> items;
    while (!value.empty()) {
        std::size_t comma = value.find(',');
        std::string_view item = detail::trim_ows(value.substr(0, comma));
        if (!item.empty()) items.push_back(item);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return items;
}

}  // namespace squall
