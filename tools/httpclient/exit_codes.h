// squall-httpclient's exit statuses, curl's numbers where the two overlap, and the status a
// failed fetch earns. Part of the tool (tornado/httpclient.py's main() has no such codes).
#pragma once

#include <stdexcept>
#include <string>

namespace squall::tools {

enum ExitStatus : int {
    exit_ok = 0,
    exit_unsupported_protocol = 1,
    exit_usage = 2,
    exit_malformed_url = 3,
    exit_not_built_in = 4,
    exit_cannot_resolve_proxy = 5,
    exit_cannot_resolve = 6,
    exit_cannot_connect = 7,
    exit_weird_reply = 8,
    exit_http_error = 22,
    exit_write_error = 23,
    exit_read_error = 26,
    exit_timeout = 28,
    exit_tls_handshake = 35,
    exit_too_many_redirects = 47,
    exit_empty_reply = 52,
    exit_receive_error = 56,
    exit_peer_certificate = 60,
    exit_file_too_large = 63,
    exit_ca_file = 77,
};

/// A failure of the tool's own (a bad header, an unreadable file), with its status.
class ToolError : public std::runtime_error {
public:
    ToolError(ExitStatus status, const std::string& message) : std::runtime_error(message), status_(status) {}
    ExitStatus status() const noexcept { return status_; }

private:
    ExitStatus status_;
};

/// The status for a fetch that got no usable response (HTTPClientError 599): `message` is its
/// text, `got_head` whether a response's status line and headers had arrived, `proxied`
/// whether it went through a proxy (whose name is then the one resolved).
ExitStatus exit_status_for_failure(const std::string& message, bool got_head, bool proxied);

}  // namespace squall::tools
