// A raw HTTP/1.1 test client over IOStream: sends bytes exactly as given and parses responses
// with HTTP1Parser, so server tests see precisely what went over the wire. Internal test helper.
#pragma once

#include <memory>
#include <string>

#include "squall/http1_parser.h"
#include "squall/iostream.h"

namespace squall::testing {

struct RawResponse {
    int code = 0;
    std::string reason;
    HTTPHeaders headers;
    std::string body;
    bool chunked = false;
};

class RawHTTPClient {
public:
    RawHTTPClient(IOLoop& loop, int port);
    Future<void> connect();
    Future<void> send(std::string bytes) { return stream_->write(std::move(bytes)); }
    /// The next response; `head` when it answers a HEAD request.
    Future<RawResponse> read_response(bool head = false);
    /// Done when the server has closed the connection (anything it still sent is discarded).
    Future<void> wait_closed();
    IOStream& stream() { return *stream_; }

private:
    int port_;
    std::unique_ptr<IOStream> stream_;
    HTTP1Parser parser_{HTTP1Parser::Kind::response};
};

}  // namespace squall::testing
