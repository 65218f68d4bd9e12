// Certificates made for the tests at run time with OpenSSL (nothing checked in, nothing
// expiring): a CA, leaf certificates it signed, a self-signed one and a client certificate.
// Internal test header; plays the part of Tornado's bundled test.crt/test.key.
#pragma once

#include <string>

namespace squall::testing {

struct KeyPair {
    std::string cert_pem;
    std::string key_pem;
    std::string certfile, keyfile;  // the same written to files in a private temporary directory
};

struct TestCertificates {
    KeyPair ca;           // CN=squall test CA
    KeyPair localhost;    // signed by ca: DNS:localhost, IP:127.0.0.1, IP:::1
    KeyPair other;        // signed by ca: DNS:other.example
    KeyPair self_signed;  // DNS:localhost, IP:127.0.0.1, signing itself
    KeyPair client;       // signed by ca: CN=test-client, for client authentication
    KeyPair localhost_rsa;  // signed by ca: DNS:localhost, IP:127.0.0.1, an RSA key (RSA suites)
    std::string ca_file() const { return ca.certfile; }
};

/// Made once per process (EC P-256 keys but one, valid from an hour ago for a day).
const TestCertificates& test_certificates();

}  // namespace squall::testing
