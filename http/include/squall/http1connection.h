// HTTP/1.x over an IOStream, for servers and clients alike: messages read with HTTP1Parser
// from the stream's buffer and handed to a delegate (with flow control), responses and requests
// written with keep-alive, chunking and Content-Length checks. Public header. Models
// tornado/http1connection.py (4.0): HTTP1ConnectionParameters, HTTP1Connection,
// HTTP1ServerConnection, and the interfaces of tornado/httputil.py it implements.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "squall/drain_group.h"
#include "squall/http1_parser.h"
#include "squall/http_headers.h"
#include "squall/httputil.h"
#include "squall/ioloop.h"
#include "squall/iostream.h"

namespace squall {

/// Receives one message (Tornado's HTTPMessageDelegate). headers_received and data_received
/// may return a Future: the connection reads no further until it is done (flow control). An
/// invalid Future (`{}`) means "go on" and costs nothing.
class HTTPMessageDelegate {
public:
    virtual ~HTTPMessageDelegate() = default;
    virtual Future<void> headers_received(const StartLine& start_line, HTTPHeaders& headers) = 0;
    /// A piece of the body (at most chunk_size bytes), valid during the call.
    virtual Future<void> data_received(std::string_view chunk) = 0;
    /// The whole message has been received.
    virtual void finish() = 0;
    /// The connection closed before the message was complete.
    virtual void on_connection_close() = 0;
};

/// Writes one message (Tornado's HTTPConnection). Writes after the stream closed return a
/// Future failed with StreamClosedError; bad output throws HTTPOutputError.
class HTTPConnection {
public:
    virtual ~HTTPConnection() = default;
    /// The start line and headers, and optionally the first piece of the body.
    virtual Future<void> write_headers(const StartLine& start_line, HTTPHeaders headers, std::string chunk = {}) = 0;
    virtual Future<void> write(std::string chunk) = 0;
    /// The message is complete.
    virtual void finish() = 0;
};

class HTTP1Connection;
namespace detail {
class IdleTimer;
}

/// Tornado's HTTPServerConnectionDelegate: makes a message delegate per request.
class HTTPServerConnectionDelegate {
public:
    virtual ~HTTPServerConnectionDelegate() = default;
    /// `connection` writes the response; the delegate may keep it beyond the request.
    virtual std::unique_ptr<HTTPMessageDelegate> start_request(std::shared_ptr<HTTP1Connection> connection) = 0;
    /// A connection (which served any number of requests) is closed.
    virtual void on_close() {}
};

struct HTTP1ConnectionParameters {
    bool no_keep_alive = false;
    /// The largest piece of body handed to data_received.
    std::size_t chunk_size = 64 * 1024;
    std::size_t max_header_size = 64 * 1024;
    /// Header fields per message (and trailer fields per chunked body).
    std::size_t max_header_count = 100;
    /// Servers: how long to wait for a (next) request's headers; none: forever.
    std::optional<Duration> header_timeout;
    /// Default: the stream's max_buffer_size. Applies to streamed bodies too.
    std::optional<std::uint64_t> max_body_size;
    std::optional<Duration> body_timeout;
    /// Gunzip bodies sent with Content-Encoding: gzip.
    bool decompress = false;
    /// Servers: what HTTPServerRequest may parse out of a query or a form body.
    FormLimits form_limits;
};

/// Where the connection's peer is, for logs and HTTPServerRequest.remote_ip.
struct HTTPConnectionContext {
    std::string remote_ip;  // "" for non-IP sockets
    std::string protocol = "http";
};

/// One message exchange at a time over a shared stream. Servers get one per request from
/// HTTP1ServerConnection; a client makes one per request.
class HTTP1Connection : public HTTPConnection, public std::enable_shared_from_this<HTTP1Connection> {
public:
    HTTP1Connection(std::shared_ptr<IOStream> stream, bool is_client, HTTP1ConnectionParameters params = {},
                    HTTPConnectionContext context = {});
    ~HTTP1Connection() override;

    /// Read one message into `delegate`: true when the connection can carry another one.
    /// Malformed input fails nothing: a server answers it (400, 413, 431...) and closes, and
    /// the Future resolves to false.
    Future<bool> read_response(HTTPMessageDelegate& delegate);

    Future<void> write_headers(const StartLine& start_line, HTTPHeaders headers, std::string chunk = {}) override;
    Future<void> write(std::string chunk) override;
    /// A body piece straight from a file (sendfile on plain sockets), framed and counted like
    /// write(); `fd` is duplicated, the caller keeps its own.
    Future<void> write_file(int fd, std::uint64_t offset, std::uint64_t length);
    /// write_headers and write_file queued as one, so the headers share the file's first
    /// segment rather than leaving in a small packet of their own.
    Future<void> write_headers(const StartLine& start_line, HTTPHeaders headers, int fd, std::uint64_t offset,
                               std::uint64_t length);
    void finish() override;

    /// For this message only (Tornado's set_body_timeout / set_max_body_size).
    void set_body_timeout(Duration timeout) { params_.body_timeout = timeout; }
    void set_max_body_size(std::uint64_t bytes) { params_.max_body_size = bytes; }
    /// Stop HTTP processing and take the stream (WebSocket upgrades).
    std::shared_ptr<IOStream> detach();
    const HTTPConnectionContext& context() const noexcept { return context_; }
    const HTTP1ConnectionParameters& params() const noexcept { return params_; }
    /// Servers adjust it per request (xheaders).
    HTTPConnectionContext& context() noexcept { return context_; }
    /// The status code of the response written (servers), 0 before write_headers.
    int response_code() const noexcept { return response_code_; }
    std::shared_ptr<IOStream> stream() const noexcept { return stream_; }
    bool detached() const noexcept { return detached_; }
    /// finish() was called and everything it wrote has been flushed.
    bool write_finished() const noexcept { return finished_; }
    /// Done when the response (servers) or request (clients) has been finished and written.
    Future<void> finish_future();
    /// Servers: the group a request that takes the stream (detach) joins, so that the server's
    /// graceful shutdown still reaches it; null for a connection no HTTPServer serves. Valid
    /// while the request is being served.
    DrainGroup* drain_group() const noexcept { return drain_group_; }

private:
    Future<bool> read_message(HTTPMessageDelegate& delegate);
    Future<bool> read_decompressed(HTTPMessageDelegate& delegate);
    /// delegate.finish(), with a failure turned into the status it deserves (0: none).
    std::pair<int, std::string> finish_delegate(HTTPMessageDelegate& delegate);
    bool can_keep_alive(const RequestStartLine& start, const HTTPHeaders& headers) const;
    /// The body limit in force: the parameter, or the stream's max_buffer_size.
    std::uint64_t max_body_size() const;
    /// Frame a body piece (chunked or counted against Content-Length) and queue it.
    Future<void> write_body(std::string chunk);
    /// The start line and headers, serialised, with room for `extra` more bytes; decides
    /// chunking and keep-alive.
    std::string format_head(const StartLine& start_line, HTTPHeaders& headers, std::size_t extra);
    /// A file body piece behind `prefix`, framed and counted like write_body.
    Future<void> write_file_body(std::string prefix, int fd, std::uint64_t offset, std::uint64_t length);
    void finish_request();
    /// Servers (a graceful shutdown): the response to the message being read or written says
    /// Connection: close, and the connection closes once it is written.
    void close_after_message() noexcept;
    /// Servers: no byte of a message has arrived yet.
    bool awaiting_message() const noexcept { return awaiting_message_; }
    /// Servers: the request has a body whose end has not been read (the response is early).
    bool request_body_unread() const noexcept {
        return !is_client_ && !read_finished_ && parser_.body_kind() != HTTP1Parser::BodyKind::none;
    }
    /// The stream closed: a message read whole but not yet answered is over.
    void on_stream_closed();
    friend class HTTP1ServerConnection;

    std::shared_ptr<IOStream> stream_;
    bool is_client_;
    HTTP1ConnectionParameters params_;
    HTTPConnectionContext context_;
    HTTP1Parser parser_;

    // What the message being read said, for the response written back.
    bool request_head_ = false;     // a HEAD request: its response has no body
    bool request_http11_ = true;    // HTTP/1.1 (else 1.0): chunking and keep-alive rules
    bool request_keep_alive_ = false;
    bool disconnect_on_finish_ = false;
    bool read_finished_ = false;
    bool detached_ = false;
    bool awaiting_message_ = false;
    bool close_after_message_ = false;
    DrainGroup* drain_group_ = nullptr;  // the server connection's, which holds it
    HTTPMessageDelegate* active_delegate_ = nullptr;
    // Set by HTTP1ServerConnection while it serves this request (null after): the connection's
    // header timeout, shared by its requests, and whether it watches the stream's close for each
    // request (else each message sets and clears a close callback of its own).
    detail::IdleTimer* idle_timer_ = nullptr;
    bool close_watched_ = false;

    // The message being written.
    bool headers_written_ = false;
    int response_code_ = 0;
    bool write_finished_ = false;
    bool chunking_output_ = false;
    std::optional<std::uint64_t> expected_content_remaining_;
    bool finished_ = false;  // finish() called and its writes flushed (or the stream closed)
    std::optional<Promise<void>> finish_promise_;
    Future<void> last_write_;
};

/// Serves requests on one connection, one after another, until it closes or a message says
/// to stop (Tornado's HTTP1ServerConnection).
class HTTP1ServerConnection {
public:
    HTTP1ServerConnection(std::unique_ptr<IOStream> stream, HTTP1ConnectionParameters params = {},
                          HTTPConnectionContext context = {});
    /// A server's connections share one set of parameters rather than each holding a copy.
    HTTP1ServerConnection(std::unique_ptr<IOStream> stream, std::shared_ptr<const HTTP1ConnectionParameters> params,
                          HTTPConnectionContext context = {});
    /// Closes the stream (unless a request detached it); the serving loop then ends without
    /// calling the delegate again.
    ~HTTP1ServerConnection();
    HTTP1ServerConnection(const HTTP1ServerConnection&) = delete;
    HTTP1ServerConnection& operator=(const HTTP1ServerConnection&) = delete;

    /// Done when the connection is closed (after the delegate's on_close).
    Future<void> start_serving(HTTPServerConnectionDelegate& delegate);
    /// Close the stream: the serving loop ends. A detached stream is left to its new owner.
    void close();
    /// A graceful close: at once when the connection waits for another request with nothing
    /// sent (an idle keep-alive connection), else once the response in progress (or to the
    /// first request, on a new connection) is written; that response says Connection: close.
    void close_when_idle();
    /// The group that requests taking this connection's stream (WebSocket upgrades) join.
    void set_drain_group(std::shared_ptr<DrainGroup> group);
    IOStream& stream() noexcept { return *stream_; }

private:
    // What the serving loop and the stream's close callback share with this object, which
    // may go first.
    struct Shared;
    /// Serves requests until the connection closes, is taken or a message says to stop.
    static Future<void> serve(std::shared_ptr<Shared> shared, std::shared_ptr<IOStream> stream);
    /// One request, from its first byte on: whether the connection carries another. Both
    /// arguments are serve()'s, which waits for this.
    static Future<bool> serve_message(Shared& shared, const std::shared_ptr<IOStream>& stream);
    std::shared_ptr<IOStream> stream_;
    std::shared_ptr<Shared> shared_;
};

}  // namespace squall
