// SSLIOStream: OpenSSL between BaseIOStream's buffers and the socket, the handshake run from
// the loop's events, and IOStream::start_tls. Internal. Models tornado/iostream.py (4.0)
// SSLIOStream (_do_ssl_handshake, _read_from_socket, _handle_connect) and IOStream.start_tls.
#include "squall/ssliostream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "squall/log.h"
#include "squall/netutil.h"
#include "ssl_errors.h"

namespace squall {
namespace {

// One TLS record's worth: smaller writes queued together go out as one record.
constexpr std::size_t record_size = 16 * 1024;

// Connected, or was and has failed since (a reset before accept): either way the handshake
// can start, and will report the failure. Only a fresh socket waits for connect().
bool connected_or_failed(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) return true;
    int err = 0;
    socklen_t elen = sizeof err;
    return ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err != 0;
}

// The peer left mid-conversation: routine, logged by nobody.
bool is_eof_reason(unsigned long e) {
    return ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}

}  // namespace

SSLIOStream::SSLIOStream(IOLoop& loop, int fd, const SSLContext& context, std::string server_hostname,
                         StreamOptions options)
    : IOStream(loop, fd, options), context_(context), server_hostname_(std::move(server_hostname)) {
    ssl_ = SSL_new(context_.native_handle());
    if (!ssl_) throw SSLError("SSL_new: " + detail::openssl_errors());
    SSL_set_fd(ssl_, fd);
    if (context_.server_side()) {
        SSL_set_accept_state(ssl_);
    } else {
        SSL_set_connect_state(ssl_);
        const std::string& host = server_hostname_;
        bool ok = true;
        if (!host.empty() && is_valid_ip(host)) {
            // SNI carries names only; an address is checked against the certificate's IP SANs.
            if (context_.check_hostname()) ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str()) == 1;
        } else if (!host.empty()) {
            ok = SSL_set_tlsext_host_name(ssl_, host.c_str()) == 1;
            if (ok && context_.check_hostname()) ok = SSL_set1_host(ssl_, host.c_str()) == 1;
        }
        if (!ok) {
            SSL_free(ssl_);
            ssl_ = nullptr;
            throw SSLError("invalid server_hostname \"" + host + "\": " + detail::openssl_errors());
        }
    }
    setting_up_ = true;  // nothing user-visible goes through until the handshake is done
    if (context_.server_side() || connected_or_failed(fd)) {
        // Start now rather than on the first writable event (Tornado's way): a client's hello
        // has usually arrived by the time its connection is accepted, so this saves a poll.
        handshaking_ = true;
        do_handshake();
        if (!closed()) refresh_io_state();
    }
}

SSLIOStream::~SSLIOStream() {
    destroy();
    SSL_free(ssl_);
}

Future<void> SSLIOStream::wait_for_handshake() {
    if (handshake_done_) return make_ready_future();
    if (closed()) return make_failed_future<void>(std::make_exception_ptr(StreamClosedError(error())));
    handshake_waiters_.emplace_back();
    return handshake_waiters_.back().get_future();
}

void SSLIOStream::on_connected() {
    handshaking_ = true;
    do_handshake();
}

void SSLIOStream::handle_setup(Events events) {
    if (!handshaking_) {
        IOStream::handle_setup(events);  // still connecting
        return;
    }
    do_handshake();
}

void SSLIOStream::do_handshake() {
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl_);
    int saved_errno = errno;
    if (rc == 1) {
        handshaking_ = false;
        handshake_done_ = true;
        setting_up_ = false;
        setup_events_ = Events::none;
        // Whoever waits may delete this stream: take everything out of it first.
        std::vector<Promise<void>> waiters = std::move(handshake_waiters_);
        handshake_waiters_.clear();
        complete_connect();
        for (auto& w : waiters) w.set_result();
        return;
    }
    int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ) {
        setup_events_ = Events::read;
        return;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
        setup_events_ = Events::write;
        return;
    }
    errno = saved_errno;
    std::exception_ptr e = ssl_failure(err, "handshake");
    try {
        std::rethrow_exception(e);
    } catch (const SSLError& ex) {
        gen_log().logf(LogLevel::warning, "SSL Error on %d: %s", fileno(), ex.what());
    } catch (...) {
        // A reset or an EOF mid-handshake: the peer left, nothing to report (as Tornado).
    }
    finish_close(e);
}

std::exception_ptr SSLIOStream::ssl_failure(int err, const char* during) const {
    int saved_errno = errno;
    unsigned long first = ERR_peek_error();
    if (err == SSL_ERROR_SYSCALL && first == 0) {
        if (saved_errno != 0)
            return std::make_exception_ptr(std::system_error(saved_errno, std::generic_category(), during));
        return std::make_exception_ptr(std::system_error(ECONNRESET, std::generic_category(),
                                                         std::string("connection closed during ") + during));
    }
    // ZERO_RETURN outside a read: an EOF (with SSL_OP_IGNORE_UNEXPECTED_EOF) mid-handshake.
    if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SSL && first == 0) || is_eof_reason(ERR_peek_last_error())) {
        ERR_clear_error();
        return std::make_exception_ptr(std::system_error(ECONNRESET, std::generic_category(),
                                                         std::string("connection closed during ") + during));
    }
    std::string msg = std::string("TLS ") + during + " failed: " + detail::openssl_errors();
    long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) msg += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
    return std::make_exception_ptr(SSLError(msg));
}

ssize_t SSLIOStream::read_from_fd(std::span<char> buf) {
    if (read_error_) std::rethrow_exception(std::exchange(read_error_, nullptr));
    if (eof_seen_) return 0;
    std::size_t got = 0;
    // Fill the buffer record by record, so a short result means the socket is drained and the
    // base can wait for the loop (TLS hands over one record per call).
    while (got < buf.size()) {
        ERR_clear_error();
        std::size_t n = 0;
        int rc = SSL_read_ex(ssl_, buf.data() + got, buf.size() - got, &n);
        if (rc == 1) {
            got += n;
            continue;
        }
        int err = SSL_get_error(ssl_, rc);
        if (err == SSL_ERROR_WANT_READ) break;
        if (err == SSL_ERROR_WANT_WRITE) {  // a post-handshake message wants to send
            retry_events_ |= Events::write;
            break;
        }
        if (err == SSL_ERROR_ZERO_RETURN) {  // close_notify, or EOF (IGNORE_UNEXPECTED_EOF)
            eof_seen_ = true;
            break;
        }
        std::exception_ptr e = ssl_failure(err, "read");
        failed_ = true;
        if (got == 0) std::rethrow_exception(e);
        read_error_ = e;  // hand over what was read first
        break;
    }
    if (got == 0) return eof_seen_ ? 0 : -1;
    return static_cast<ssize_t>(got);
}

bool SSLIOStream::input_pending() const noexcept {
    return eof_seen_ || read_error_ || (ssl_ && SSL_pending(ssl_) > 0);
}

ssize_t SSLIOStream::write_to_fd(std::span<const iovec> iov) {
    if (iov.empty()) return 0;
    // One SSL_write per call (the base calls again while it makes progress). A retry after
    // WANT_WRITE must repeat the same bytes with at least the same length: the front of the
    // queue only grows, so both ways of building the record below satisfy that.
    if (iov[0].iov_len >= record_size || iov.size() == 1)
        return write_some(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len);
    coalesce_.clear();
    for (const iovec& v : iov) {
        std::size_t take = std::min(v.iov_len, record_size - coalesce_.size());
        coalesce_.append(static_cast<const char*>(v.iov_base), take);
        if (coalesce_.size() == record_size) break;
    }
    return write_some(coalesce_.data(), coalesce_.size());
}

ssize_t SSLIOStream::write_some(const char* data, std::size_t n) {
    ERR_clear_error();
    std::size_t written = 0;
    int rc = SSL_write_ex(ssl_, data, n, &written);
    if (rc == 1) return static_cast<ssize_t>(written);
    int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_WRITE) return -1;
    if (err == SSL_ERROR_WANT_READ) {
        retry_events_ |= Events::read;
        return -1;
    }
    failed_ = true;
    std::rethrow_exception(ssl_failure(err, "write"));
}

void SSLIOStream::close_fd() noexcept {
    // A courtesy close_notify, never waited for; not after a fatal error (OpenSSL forbids it).
    if (ssl_ && handshake_done_ && !failed_ && fileno() >= 0) {
        ERR_clear_error();
        SSL_shutdown(ssl_);
        ERR_clear_error();
    }
    IOStream::close_fd();
}

void SSLIOStream::on_close() {
    handshaking_ = false;
    std::vector<Promise<void>> waiters = std::move(handshake_waiters_);
    handshake_waiters_.clear();
    auto err = std::make_exception_ptr(StreamClosedError(error()));
    IOStream::on_close();  // fails a pending connect; may run user code that deletes this
    for (auto& w : waiters) w.set_exception(err);
}

// ---- what the handshake agreed ---------------------------------------------------------------

std::string SSLIOStream::version() const { return handshake_done_ ? SSL_get_version(ssl_) : ""; }

std::string SSLIOStream::cipher() const {
    const char* name = handshake_done_ ? SSL_get_cipher_name(ssl_) : nullptr;
    return name ? name : "";
}

std::string SSLIOStream::selected_alpn_protocol() const {
    const unsigned char* p = nullptr;
    unsigned int n = 0;
    SSL_get0_alpn_selected(ssl_, &p, &n);
    return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}

std::string SSLIOStream::server_name() const {
    const char* name = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
    return name ? name : "";
}

std::string SSLIOStream::peer_certificate_der() const {
    X509* cert = SSL_get1_peer_certificate(ssl_);
    if (!cert) return {};
    std::string out;
    int n = i2d_X509(cert, nullptr);
    if (n > 0) {
        out.resize(static_cast<std::size_t>(n));
        auto* p = reinterpret_cast<unsigned char*>(out.data());
        i2d_X509(cert, &p);
    }
    X509_free(cert);
    return out;
}

std::string SSLIOStream::peer_certificate_subject() const {
    X509* cert = SSL_get1_peer_certificate(ssl_);
    if (!cert) return {};
    BIO* bio = BIO_new(BIO_s_mem());
    std::string out;
    if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
        char* data = nullptr;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0) out.assign(data, static_cast<std::size_t>(n));
    }
    BIO_free(bio);
    X509_free(cert);
    return out;
}

// ---- IOStream::start_tls --------------------------------------------------------------------

Future<std::unique_ptr<SSLIOStream>> IOStream::start_tls(const SSLContext& context, std::string server_hostname) {
    if (closed()) throw StreamClosedError(error());
    if (reading() || writing() || buffered_input() > 0 || setting_up_)
        throw std::logic_error("IOStream is not idle; cannot convert to SSL");
    Callback close_callback = take_close_callback();
    IOLoop& loop = io_loop();
    StreamOptions options = this->options();
    int fd = detach_fd();
    std::unique_ptr<SSLIOStream> stream;
    try {
        stream = std::make_unique<SSLIOStream>(loop, fd, context, std::move(server_hostname), options);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (close_callback) stream->set_close_callback(std::move(close_callback));
    Promise<std::unique_ptr<SSLIOStream>> promise;
    auto result = promise.get_future();
    SSLIOStream* raw = stream.get();
    // The stream travels in the callback until the handshake settles: a failure frees it.
    raw->wait_for_handshake().add_done_callback(
        [s = std::move(stream), p = std::move(promise)](Future<void> done) mutable {
            if (auto e = done.exception()) {
                p.set_exception(e);
            } else {
                p.set_result(std::move(s));
            }
        });
    return result;
}

}  // namespace squall
