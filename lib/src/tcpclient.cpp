// TCPClient and the happy-eyeballs Connector. Internal. Models tornado/tcpclient.py (4.0)
// _Connector (split, try_connect, on_timeout, 0.3 s secondary delay) with 4.1's fix that a
// failure does not restart the secondary family twice.
#include "squall/tcpclient.h"

#include <netinet/in.h>
#include <unistd.h>

#include "squall/gen.h"
#include "squall/ssliostream.h"

namespace squall {

namespace {

using Result = std::pair<SocketAddress, std::unique_ptr<IOStream>>;

struct ConnectorState : std::enable_shared_from_this<ConnectorState> {
    IOLoop& loop;
    Connector::ConnectFunction connect;
    std::vector<SocketAddress> lists[2];
    std::size_t next[2] = {0, 0};
    int in_flight = 0;
    bool secondary_started = false;
    TimeoutHandle timer;
    std::exception_ptr last_error;
    Promise<Result> result;

    ConnectorState(IOLoop& l, Connector::ConnectFunction c) : loop(l), connect(std::move(c)) {}

    void try_connect(int which) {
        if (next[which] >= lists[which].size()) {
            maybe_fail();
            return;
        }
        SocketAddress addr = lists[which][next[which]++];
        ++in_flight;
        Future<std::unique_ptr<IOStream>> f;
        try {
            f = connect(addr);
        } catch (...) {
            f = make_failed_future<std::unique_ptr<IOStream>>(std::current_exception());
        }
        f.add_done_callback([self = shared_from_this(), which, addr](Future<std::unique_ptr<IOStream>> done) {
            self->on_connect_done(which, addr, done);
        });
    }

    void on_connect_done(int which, const SocketAddress& addr, Future<std::unique_ptr<IOStream>>& done) {
        --in_flight;
        if (auto e = done.exception()) {
            last_error = e;
            if (result.done()) return;
            try_connect(which);
            // Do not wait out the timer: a failure starts the other family now.
            if (!secondary_started && !result.done()) on_timeout();
            return;
        }
        std::unique_ptr<IOStream> stream = std::move(done.result());
        if (result.done()) return;  // a later winner: dropping it closes it
        loop.remove_timeout(timer);
        timer = {};
        result.set_result(Result{addr, std::move(stream)});
    }

    void on_timeout() {
        loop.remove_timeout(timer);
        timer = {};
        if (secondary_started) return;
        secondary_started = true;
        try_connect(1);
    }

    void maybe_fail() {
        if (in_flight > 0 || result.done()) return;
        if (next[0] < lists[0].size() || (secondary_started && next[1] < lists[1].size())) return;
        if (!secondary_started && !lists[1].empty()) return;  // the timer will start them
        loop.remove_timeout(timer);
        timer = {};
        result.set_exception(last_error ? last_error
                                        : std::make_exception_ptr(StreamClosedError()));
    }
};

}  // namespace

std::pair<std::vector<SocketAddress>, std::vector<SocketAddress>> Connector::split(
    const std::vector<SocketAddress>& addresses) {
    std::pair<std::vector<SocketAddress>, std::vector<SocketAddress>> out;
    if (addresses.empty()) return out;
    int primary = addresses.front().family();
    for (const auto& a : addresses) (a.family() == primary ? out.first : out.second).push_back(a);
    return out;
}

Future<std::pair<SocketAddress, std::unique_ptr<IOStream>>> Connector::start(
    IOLoop& loop, const std::vector<SocketAddress>& addresses, ConnectFunction connect, Duration timeout) {
    auto st = std::make_shared<ConnectorState>(loop, std::move(connect));
    auto [primary, secondary] = split(addresses);
    st->lists[0] = std::move(primary);
    st->lists[1] = std::move(secondary);
    Future<Result> f = st->result.get_future();
    if (addresses.empty()) {
        st->result.set_exception(ResolveError("no addresses to connect to"));
        return f;
    }
    st->timer = loop.call_later(timeout, [weak = std::weak_ptr<ConnectorState>(st)] {
        if (auto s = weak.lock()) s->on_timeout();
    });
    st->try_connect(0);
    return f;
}

TCPClient::TCPClient(Resolver* resolver, IOLoop& loop) : loop_(loop), resolver_(resolver) {
    if (!resolver_) {
        owned_resolver_ = make_default_resolver(loop);
        resolver_ = owned_resolver_.get();
    }
}

TCPClient::~TCPClient() { close(); }

void TCPClient::close() {
    if (owned_resolver_) owned_resolver_->close();
}

namespace {

Future<std::unique_ptr<IOStream>> connect_one(IOLoop& loop, SocketAddress addr, ConnectOptions options) {
    int fd = ::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    auto stream = std::make_unique<IOStream>(loop, fd, options.stream_options);
    if (!options.source_ip.empty() || options.source_port) {
        auto local = numeric_address(options.source_ip.empty() ? (addr.family() == AF_INET6 ? "::" : "0.0.0.0")
                                                               : options.source_ip,
                                     options.source_port, addr.family());
        if (local.empty())
            throw std::invalid_argument("source address '" + options.source_ip + "' is not numeric or not of the peer's family");
        if (::bind(fd, local.front().get(), local.front().length) != 0)
            throw std::system_error(errno, std::generic_category(), "bind to the source address");
    }
    co_await stream->connect(addr.get(), addr.length);
    co_return stream;
}

Future<std::unique_ptr<IOStream>> connect_impl(IOLoop& loop, Resolver& resolver, std::string host, int port,
                                               ConnectOptions options) {
    std::vector<SocketAddress> addresses = co_await resolver.resolve(host, port, options.family);
    // Built apart from the co_await: GCC 12 mishandles capturing lambdas as temporaries in a
    // co_await expression.
    Connector::ConnectFunction connect = [&loop, options](const SocketAddress& a) {
        return connect_one(loop, a, options);
    };
    auto attempt = Connector::start(loop, addresses, std::move(connect));
    auto winner = co_await std::move(attempt);
    if (!options.ssl_options) co_return std::move(winner.second);
    std::string name = options.server_hostname.empty() ? host : options.server_hostname;
    auto handshake = winner.second->start_tls(*options.ssl_options, std::move(name));
    std::unique_ptr<SSLIOStream> tls = co_await std::move(handshake);
    co_return std::unique_ptr<IOStream>(std::move(tls));
}

}  // namespace

Future<std::unique_ptr<IOStream>> TCPClient::connect(std::string host, int port, ConnectOptions options) {
    if (options.ssl_options && options.ssl_options->server_side())
        throw std::invalid_argument("TCPClient::connect: ssl_options must be a client SSLContext");
    auto timeout = options.timeout;
    auto f = connect_impl(loop_, *resolver_, std::move(host), port, std::move(options));
    if (!timeout) return f;
    return with_timeout(*timeout, std::move(f), loop_);
}

}  // namespace squall
