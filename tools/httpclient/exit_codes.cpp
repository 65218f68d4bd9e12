// Which curl exit status a failed fetch earns, read from the client's 599 messages (the ones
// test/http/httpclient_cli_test.py provokes). Part of squall-httpclient.
#include "exit_codes.h"

namespace squall::tools {
namespace {

bool has(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

}  // namespace

ExitStatus exit_status_for_failure(const std::string& m, bool got_head, bool proxied) {
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
