// The Boost.Beast peer of tools/bench/run-wsbench (squall-bench-wsecho-beast): echo every message
// as it came (text or binary) on one thread and one io_context, each message as one unmasked
// frame, no permessage-deflate, printing "ready PORT". Built when Boost's headers are installed.
#include <cstddef>
#include <cstdio>
#include <memory>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;
using boost::beast::error_code;

/// One connection: the handshake, then read a message, write it back, read the next.
class Session : public std::enable_shared_from_this<Session> {
public:
    explicit Session(tcp::socket socket) : ws_(std::move(socket)) {}

    void start() {
        ws_.next_layer().set_option(tcp::no_delay(true));
        ws_.auto_fragment(false);  // a message goes back as the one frame it came in, as in ws and Tornado
        ws_.read_message_max(std::size_t{64} << 20);
        ws_.async_accept([self = shared_from_this()](error_code ec) {
            if (!ec) self->read();
        });
    }

private:
    void read() {
        ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
            if (!ec) self->write();
        });
    }

    void write() {
        ws_.text(ws_.got_text());
        ws_.async_write(buffer_.data(), [self = shared_from_this()](error_code ec, std::size_t) {
            if (ec) return;
            self->buffer_.clear();
            self->read();
        });
    }

    websocket::stream<tcp::socket> ws_;
    boost::beast::flat_buffer buffer_;
};

void accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([&acceptor](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) std::make_shared<Session>(std::move(socket))->start();
        accept(acceptor);
    });
}

}  // namespace

int main() {
    asio::io_context io(1);  // one thread: Asio may leave out its locking
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    accept(acceptor);
    std::printf("ready %d\n", acceptor.local_endpoint().port());
    std::fflush(stdout);
    io.run();
}
