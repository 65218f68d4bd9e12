// TLS configuration over OpenSSL: SSLOptions (Tornado's ssl_options dict) made into a shared
// SSLContext, and SSLError. Public header. Models tornado/netutil.py (4.0)
// ssl_options_to_context, with 4.2's certificate verification on by default for clients.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX; this header does not need <openssl/ssl.h>

namespace squall {

/// A TLS failure: a bad certificate or key, a failed handshake or verification, a protocol
/// error. The message carries OpenSSL's reason (and the verification error, when there is one).
class SSLError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// How much the peer's certificate matters (Python's ssl.CERT_NONE / OPTIONAL / REQUIRED).
enum class CertRequirements { none, optional, required };

enum class TLSVersion { tls1_2, tls1_3 };

/// squall's TLS 1.2 cipher list, for servers and clients alike: ECDHE key exchange (forward
/// secrecy) with AES-GCM or ChaCha20-Poly1305, nothing else: no CBC, no RSA key exchange, no
/// 3DES, RC4, NULL, EXPORT or anonymous suites. A starting point for SSLOptions::ciphers.
inline constexpr char default_ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// Tornado's ssl_options. Certificates and keys come from PEM files or PEM text. A field left
/// alone keeps squall's default; a field set replaces it (ciphers, minimum_version, cert_reqs).
struct SSLOptions {
    std::string certfile;  // certificate chain: required for servers, optional for clients
    std::string keyfile;   // private key; empty: it is in certfile
    std::string cert_pem, key_pem;  // the same, as text
    /// CAs whose certificates are trusted. With neither, clients trust the system store.
    std::string ca_certs;
    std::string ca_pem;
    /// Default: required for clients, none for servers (optional/required ask clients for a
    /// certificate).
    std::optional<CertRequirements> cert_reqs;
    /// Clients: the certificate must name the host connected to (server_hostname).
    bool check_hostname = true;
    /// OpenSSL cipher list for TLS 1.2; empty: default_ciphers. TLS 1.3 suites stay OpenSSL's
    /// defaults (all AEAD).
    std::string ciphers;
    /// The oldest version accepted: TLS 1.2 or 1.3. Older ones need native_handle().
    TLSVersion minimum_version = TLSVersion::tls1_2;
    /// ALPN protocols in order of preference ("http/1.1", ...).
    std::vector<std::string> alpn_protocols;
};

/// A configured OpenSSL SSL_CTX, shared by the streams made from it (copies share it). Its
/// defaults, for both sides unless the options say otherwise: TLS 1.2 or newer, default_ciphers
/// for TLS 1.2 and OpenSSL's suites for TLS 1.3, compression and renegotiation off; servers
/// choose the cipher by their own order of preference, not the client's. For anything else
/// (older versions, other TLS 1.3 suites, curves), change native_handle() after creation, as
/// Tornado lets ssl_options be a ready-made ssl.SSLContext.
class SSLContext {
public:
    /// A client context: verifies the server's certificate and name unless told otherwise.
    /// Throws SSLError for unreadable certificates or keys.
    static SSLContext client(const SSLOptions& options = {});
    /// A server context; needs a certificate and key (std::invalid_argument without one).
    static SSLContext server(const SSLOptions& options);

    /// Servers: use `context` for handshakes whose SNI name is `hostname` (exact, case
    /// insensitive); others use this context.
    void add_sni_context(const std::string& hostname, const SSLContext& context);

    bool server_side() const noexcept;
    bool check_hostname() const noexcept;
    /// The SSL_CTX, for settings this class does not cover.
    ssl_ctx_st* native_handle() const noexcept;

private:
    struct State;
    explicit SSLContext(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
};

}  // namespace squall
