// SSLContext: SSLOptions turned into an OpenSSL SSL_CTX (TLS 1.2+, strong ciphers, no
// compression, no renegotiation), ALPN and SNI callbacks. Internal. Models
// tornado/netutil.py (4.0) ssl_options_to_context and, for clients, Python's
// ssl.create_default_context.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "squall/ssl.h"
#include "sigpipe.h"
#include "ssl_errors.h"

namespace squall {

std::string detail::openssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        // Keep the reason ("certificate verify failed"), not the library:function prefix.
        const char* reason = ERR_reason_error_string(e);
        out += reason ? reason : buf;
    }
    return out;
}

struct SSLContext::State {
    SSL_CTX* ctx = nullptr;
    bool server = false;
    bool check_hostname = false;
    std::string alpn_wire;  // length-prefixed protocol names
    std::map<std::string, SSLContext> sni;
    ~State() { SSL_CTX_free(ctx); }
};

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::string reasons = detail::openssl_errors();
    throw SSLError(reasons.empty() ? what : what + ": " + reasons);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

struct BioDeleter {
    void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

Bio memory_bio(const std::string& pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) fail("out of memory");
    return bio;
}

void load_certificate(SSL_CTX* ctx, const SSLOptions& o) {
    if (!o.certfile.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx, o.certfile.c_str()) != 1)
            fail("cannot load certfile " + o.certfile);
    } else if (!o.cert_pem.empty()) {
        Bio bio = memory_bio(o.cert_pem);
        X509* leaf = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
        if (!leaf || SSL_CTX_use_certificate(ctx, leaf) != 1) {
            X509_free(leaf);
            fail("cannot load cert_pem");
        }
        X509_free(leaf);
        while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
            if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
                X509_free(extra);
                fail("cannot load cert_pem chain");
            }
        }
        ERR_clear_error();  // the loop above ends on "no start line"
    } else {
        return;
    }
    if (!o.keyfile.empty() || (o.key_pem.empty() && !o.certfile.empty())) {
        const std::string& file = o.keyfile.empty() ? o.certfile : o.keyfile;
        if (SSL_CTX_use_PrivateKey_file(ctx, file.c_str(), SSL_FILETYPE_PEM) != 1)
            fail("cannot load keyfile " + file);
    } else if (!o.key_pem.empty()) {
        Bio bio = memory_bio(o.key_pem);
        EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
        if (!key) fail("cannot parse key_pem");
        int used = SSL_CTX_use_PrivateKey(ctx, key);
        EVP_PKEY_free(key);
        if (used != 1) fail("the private key does not match the certificate");
    } else {
        throw std::invalid_argument("ssl options: a certificate needs a keyfile or key_pem");
    }
    if (SSL_CTX_check_private_key(ctx) != 1) fail("the private key does not match the certificate");
}

void load_trust(SSL_CTX* ctx, const SSLOptions& o, bool server) {
    if (!o.ca_certs.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, o.ca_certs.c_str(), nullptr) != 1)
            fail("cannot load ca_certs " + o.ca_certs);
        if (server) {
            // The CA names a server sends when asking for a client certificate.
            if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.ca_certs.c_str()))
                SSL_CTX_set_client_CA_list(ctx, names);
        }
    }
    if (!o.ca_pem.empty()) {
        Bio bio = memory_bio(o.ca_pem);
        X509_STORE* store = SSL_CTX_get_cert_store(ctx);
        int n = 0;
        while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
            X509_STORE_add_cert(store, ca);
            if (server) SSL_CTX_add_client_CA(ctx, ca);
            X509_free(ca);
            ++n;
        }
        ERR_clear_error();
        if (n == 0) fail("ca_pem holds no certificate");
    }
    if (!server && o.ca_certs.empty() && o.ca_pem.empty() && SSL_CTX_set_default_verify_paths(ctx) != 1)
        fail("cannot load the system's CA certificates");
}

std::string alpn_wire(const std::vector<std::string>& protocols) {
    std::string wire;
    for (const auto& p : protocols) {
        if (p.empty() || p.size() > 255) throw std::invalid_argument("ALPN protocol names are 1 to 255 bytes");
        wire += static_cast<char>(p.size());
        wire += p;
    }
    return wire;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
    auto* wire = static_cast<const std::string*>(arg);
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, reinterpret_cast<const unsigned char*>(wire->data()),
                              static_cast<unsigned>(wire->size()), in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;  // no common protocol: carry on without ALPN
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

/// The settings both sides share, on a new SSL_CTX (null: it could not be made): the protocol
/// floor, the TLS 1.2 ciphers (TLS 1.3 keeps OpenSSL's suites), no compression, no
/// renegotiation, plus `extra_options`.
void configure_common(SSL_CTX* ctx, const SSLOptions& options, std::uint64_t extra_options) {
    if (!ctx) fail("SSL_CTX_new");
    detail::ignore_sigpipe();
    SSL_CTX_set_min_proto_version(ctx, options.minimum_version == TLSVersion::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
                                 extra_options);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    const std::string ciphers = options.ciphers.empty() ? default_ciphers : options.ciphers;
    if (SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1) fail("no usable cipher in \"" + ciphers + "\"");
}

}  // namespace

SSLContext SSLContext::client(const SSLOptions& options) {
    auto st = std::make_shared<State>();
    st->ctx = SSL_CTX_new(TLS_client_method());
    configure_common(st->ctx, options, 0);
    SSL_CTX* ctx = st->ctx;
    load_certificate(ctx, options);
    CertRequirements reqs = options.cert_reqs.value_or(CertRequirements::required);
    if (reqs != CertRequirements::none) load_trust(ctx, options, false);
    SSL_CTX_set_verify(ctx, reqs == CertRequirements::none ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
    st->check_hostname = options.check_hostname && reqs != CertRequirements::none;
    st->alpn_wire = alpn_wire(options.alpn_protocols);
    if (!st->alpn_wire.empty() &&
        SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(st->alpn_wire.data()),
                                static_cast<unsigned>(st->alpn_wire.size())) != 0)
        fail("cannot set ALPN protocols");
    return SSLContext(std::move(st));
}

SSLContext SSLContext::server(const SSLOptions& options) {
    if (options.certfile.empty() && options.cert_pem.empty())
        throw std::invalid_argument("ssl options: a server needs certfile or cert_pem");
    auto st = std::make_shared<State>();
    st->ctx = SSL_CTX_new(TLS_server_method());
    configure_common(st->ctx, options, SSL_OP_CIPHER_SERVER_PREFERENCE);
    st->server = true;
    SSL_CTX* ctx = st->ctx;
    static const unsigned char session_id[] = "squall";
    SSL_CTX_set_session_id_context(ctx, session_id, sizeof session_id - 1);
    load_certificate(ctx, options);
    CertRequirements reqs = options.cert_reqs.value_or(CertRequirements::none);
    if (reqs != CertRequirements::none) {
        if (options.ca_certs.empty() && options.ca_pem.empty())
            throw std::invalid_argument("ssl options: verifying clients needs ca_certs or ca_pem");
        load_trust(ctx, options, true);
    }
    int mode = SSL_VERIFY_NONE;
    if (reqs == CertRequirements::optional) mode = SSL_VERIFY_PEER;
    if (reqs == CertRequirements::required) mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    st->alpn_wire = alpn_wire(options.alpn_protocols);
    if (!st->alpn_wire.empty()) SSL_CTX_set_alpn_select_cb(ctx, select_alpn, &st->alpn_wire);
    return SSLContext(std::move(st));
}

void SSLContext::add_sni_context(const std::string& hostname, const SSLContext& context) {
    if (!state_->server || !context.state_->server)
        throw std::logic_error("add_sni_context: both contexts must be server contexts");
    if (context.state_ == state_) throw std::invalid_argument("add_sni_context: a context cannot be its own SNI entry");
    if (state_->sni.empty()) {
        SSL_CTX_set_tlsext_servername_arg(state_->ctx, state_.get());
        SSL_CTX_set_tlsext_servername_callback(state_->ctx, +[](SSL* ssl, int*, void* arg) -> int {
            auto* st = static_cast<State*>(arg);
            const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
            if (!name) return SSL_TLSEXT_ERR_OK;
            auto it = st->sni.find(lower(name));
            if (it != st->sni.end()) SSL_set_SSL_CTX(ssl, it->second.native_handle());
            return SSL_TLSEXT_ERR_OK;
        });
    }
    state_->sni.insert_or_assign(lower(hostname), context);
}

bool SSLContext::server_side() const noexcept { return state_->server; }
bool SSLContext::check_hostname() const noexcept { return state_->check_hostname; }
ssl_ctx_st* SSLContext::native_handle() const noexcept { return state_->ctx; }

}  // namespace squall
