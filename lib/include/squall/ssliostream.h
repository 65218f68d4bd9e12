// A TLS stream: IOStream with OpenSSL between the buffers and the socket, its handshake driven
// by the loop's READ/WRITE events. Public header. Models tornado/iostream.py (4.0) SSLIOStream
// with 4.2's wait_for_handshake and verified connect.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <string>
#include <vector>

#include "squall/iostream.h"
#include "squall/ssl.h"

struct ssl_st;  // OpenSSL's SSL

namespace squall {

class SSLIOStream : public IOStream {
public:
    /// Wraps `fd`, taking ownership. If the socket is connected (accepted, or start_tls) the
    /// handshake starts on the loop at once; otherwise it starts when connect() has connected.
    /// Clients give `server_hostname` for SNI and for checking the certificate's name.
    SSLIOStream(IOLoop& loop, int fd, const SSLContext& context, std::string server_hostname = "",
                StreamOptions options = {});
    ~SSLIOStream() override;

    /// Done when the handshake is (at once if it already is); fails with StreamClosedError
    /// whose real_error says why (SSLError for a rejected certificate). Reads and writes made
    /// before it are queued until then.
    Future<void> wait_for_handshake();
    bool handshake_done() const noexcept { return handshake_done_; }

    /// After the handshake: "TLSv1.3", the cipher suite, the ALPN protocol agreed (empty if
    /// none), the SNI name the client sent (servers), the peer's certificate (DER, empty when
    /// it sent none) and its subject as one line.
    std::string version() const;
    std::string cipher() const;
    std::string selected_alpn_protocol() const;
    std::string server_name() const;
    std::string peer_certificate_der() const;
    std::string peer_certificate_subject() const;
    ssl_st* native_handle() const noexcept { return ssl_; }

protected:
    void close_fd() noexcept override;
    ssize_t read_from_fd(std::span<char> buf) override;
    ssize_t write_to_fd(std::span<const iovec> iov) override;
    /// Through OpenSSL: IOStream's sendfile would put plaintext on the wire.
    ssize_t write_file_to_fd(int fd, std::uint64_t offset, std::uint64_t length) override {
        return BaseIOStream::write_file_to_fd(fd, offset, length);
    }
    bool input_pending() const noexcept override;
    void handle_setup(Events events) override;
    void on_connected() override;
    void on_close() override;

private:
    void do_handshake();
    /// Turns the OpenSSL error after a failed call into an exception (ECONNRESET & co. as
    /// std::system_error, the rest as SSLError).
    std::exception_ptr ssl_failure(int err, const char* during) const;
    ssize_t write_some(const char* data, std::size_t n);

    ssl_st* ssl_ = nullptr;
    SSLContext context_;
    std::string server_hostname_;
    bool handshaking_ = false;
    bool handshake_done_ = false;
    bool eof_seen_ = false;
    bool failed_ = false;  // a fatal TLS error: no close_notify
    std::exception_ptr read_error_;  // met after bytes were read; raised at the next read
    std::vector<Promise<void>> handshake_waiters_;
    std::string coalesce_;  // small writes gathered into one TLS record
};

}  // namespace squall
