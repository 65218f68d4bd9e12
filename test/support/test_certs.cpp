// Builds the test certificates with OpenSSL's X509 API and writes them to a temporary
// directory removed at exit. Internal test support.
#include "test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace squall::testing {
namespace {

struct Issued {
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
};

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificates: ") + what);
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

enum class KeyType { ec, rsa };

/// A certificate for `cn` with `san` (or none) and `usage`, signed by `issuer` (itself if null),
/// on a P-256 key or a 2048-bit RSA one.
Issued make(const char* cn, const char* san, bool ca, const char* usage, const Issued* issuer,
            KeyType type = KeyType::ec) {
    static long serial = 1;
    Issued out;
    out.key = type == KeyType::ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    check(out.key != nullptr, type == KeyType::ec ? "EC key" : "RSA key");
    X509* cert = X509_new();
    out.cert = cert;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, out.key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("squall tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509* signer = issuer ? issuer->cert : cert;
    X509_set_issuer_name(cert, X509_get_subject_name(signer));
    add_ext(cert, signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(cert, signer, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    add_ext(cert, signer, NID_subject_key_identifier, "hash");
    if (!ca) add_ext(cert, signer, NID_ext_key_usage, usage);
    if (san) add_ext(cert, signer, NID_subject_alt_name, san);
    check(X509_sign(cert, issuer ? issuer->key : out.key, EVP_sha256()) > 0, "sign");
    return out;
}

std::string pem_of(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

std::string pem_of(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "squall-certs-XXXXXX").string();
        check(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

KeyPair save(const TempDir& dir, const char* name, const Issued& issued) {
    KeyPair kp;
    kp.cert_pem = pem_of(issued.cert);
    kp.key_pem = pem_of(issued.key);
    kp.certfile = (dir.path / (std::string(name) + ".crt")).string();
    kp.keyfile = (dir.path / (std::string(name) + ".key")).string();
    std::ofstream(kp.certfile) << kp.cert_pem;
    std::ofstream(kp.keyfile) << kp.key_pem;
    return kp;
}

void release(Issued& i) {
    X509_free(i.cert);
    EVP_PKEY_free(i.key);
}

TestCertificates build(const TempDir& dir) {
    Issued ca = make("squall test CA", nullptr, true, nullptr, nullptr);
    Issued localhost = make("localhost", "DNS:localhost,IP:127.0.0.1,IP:::1", false, "serverAuth", &ca);
    Issued other = make("other.example", "DNS:other.example", false, "serverAuth", &ca);
    Issued self = make("localhost", "DNS:localhost,IP:127.0.0.1", false, "serverAuth", nullptr);
    Issued client = make("test-client", nullptr, false, "clientAuth", &ca);
    Issued rsa = make("localhost", "DNS:localhost,IP:127.0.0.1", false, "serverAuth", &ca, KeyType::rsa);
    TestCertificates out{save(dir, "ca", ca), save(dir, "localhost", localhost), save(dir, "other", other),
                         save(dir, "self_signed", self), save(dir, "client", client),
                         save(dir, "localhost_rsa", rsa)};
    for (Issued* i : {&ca, &localhost, &other, &self, &client, &rsa}) release(*i);
    return out;
}

}  // namespace

const TestCertificates& test_certificates() {
    static TempDir dir;
    static TestCertificates certs = build(dir);
    return certs;
}

}  // namespace squall::testing
