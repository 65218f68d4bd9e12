// The raw test client of http_client_support.h. Internal test helper.
#include "http_client_support.h"

#include <netinet/in.h>
#include <sys/socket.h>

namespace squall::testing {

RawHTTPClient::RawHTTPClient(IOLoop& loop, int port)
    : port_(port), stream_(std::make_unique<IOStream>(loop, ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))) {}

Future<void> RawHTTPClient::connect() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port_));
    return stream_->connect(reinterpret_cast<const sockaddr*>(&a), sizeof a);
}

Future<RawResponse> RawHTTPClient::read_response(bool head) {
    RawResponse out;
    parser_.set_head_request(head);
    bool eof = false;
    while (true) {
        auto r = eof ? parser_.finish() : parser_.parse(stream_->buffered());
        if (r.status == HTTP1Parser::Status::incomplete && !eof) {
            stream_->consume(r.consumed);
            try {
                auto more = stream_->fill_buffer(stream_->buffered().size() + 1);
                co_await std::move(more);
            } catch (const StreamClosedError&) {
                eof = true;
            }
            continue;
        }
        if (r.status == HTTP1Parser::Status::error || r.status == HTTP1Parser::Status::incomplete)
            throw std::runtime_error("bad or missing response: " + parser_.error_message());
        if (r.status == HTTP1Parser::Status::headers) {
            out.code = parser_.response().code;
            out.reason = parser_.response().reason;
            out.headers = parser_.headers();
            out.chunked = parser_.body_kind() == HTTP1Parser::BodyKind::chunked;
        } else if (r.status == HTTP1Parser::Status::body) {
            out.body.append(r.body);
        }
        if (!eof) stream_->consume(r.consumed);
        if (r.status == HTTP1Parser::Status::done) co_return out;
    }
}

Future<void> RawHTTPClient::wait_closed() {
    try {
        auto rest = stream_->read_until_close();
        co_await std::move(rest);
    } catch (const StreamClosedError&) {
    }
}

}  // namespace squall::testing
