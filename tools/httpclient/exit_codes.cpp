// Which curl exit status a failed fetch earns, read from the client's 599 messages (the ones
// test/http/httpclient_cli_test.py provokes), and from libcurl's own with --curl. Part of
// squall-httpclient.
#include "exit_codes.h"

#include <optional>

namespace squall::tools {
namespace {

bool has(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

/// libcurl's error buffer texts (--curl), or nothing when `m` is none of them.
std::optional<ExitStatus> curl_status(const std::string& m, bool proxied) {
    if (has(m, "timed out")) return exit_timeout;
    if (has(m, "Could not resolve proxy")) return exit_cannot_resolve_proxy;
    if (has(m, "Could not resolve host")) return proxied ? exit_cannot_resolve_proxy : exit_cannot_resolve;
    if (has(m, "SSL certificate problem")) return exit_peer_certificate;
    if (has(m, "error setting certificate file")) return exit_ca_file;
    if (has(m, "redirects followed")) return exit_too_many_redirects;
    if (has(m, "Empty reply")) return exit_empty_reply;
    if (has(m, "transfer closed with")) return exit_receive_error;
    if (has(m, "HTTP/0.9") || has(m, "Weird server reply")) return exit_weird_reply;
    if (has(m, "Failed to connect") || has(m, "Couldn't connect")) return exit_cannot_connect;
    return std::nullopt;
}

}  // namespace

ExitStatus exit_status_for_failure(const std::string& m, bool got_head, bool proxied) {
    if (auto curl = curl_status(m, proxied)) return *curl;
    if (m.rfind("Timeout", 0) == 0) return exit_timeout;
    if (has(m, "cannot resolve")) return proxied ? exit_cannot_resolve_proxy : exit_cannot_resolve;
    // OpenSSL's "certificate verify failed" (an unknown CA, a wrong name, an expired one).
    if (has(m, "certificate verify failed")) return exit_peer_certificate;
    if (m.rfind("cannot load ca_certs", 0) == 0) return exit_ca_file;
    if (has(m, "TLS ") || has(m, "during handshake")) return exit_tls_handshake;
    if (m.rfind("body over max_body_size", 0) == 0) return exit_file_too_large;
    if (m.rfind("malformed response", 0) == 0) return exit_weird_reply;
    if (m == "Connection closed") return got_head ? exit_receive_error : exit_empty_reply;
    return exit_cannot_connect;
}

}  // namespace squall::tools
