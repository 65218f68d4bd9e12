// CaresResolver: c-ares queries whose sockets are IOLoop handlers and whose timeouts are IOLoop
// timers. Internal; built when c-ares is found. Models tornado/platform/caresresolver.py (4.0),
// using ares_getaddrinfo (c-ares 1.16+) instead of gethostbyname so both families work.
#include <ares.h>
#include <netinet/in.h>

#include <cstring>
#include <map>

#include "squall/log.h"
#include "squall/resolver.h"

namespace squall {

namespace {

struct Query {
    Promise<std::vector<SocketAddress>> promise;
    std::string host;
};

struct Library {
    Library() {
        if (int rc = ::ares_library_init(ARES_LIB_INIT_ALL); rc != ARES_SUCCESS)
            throw std::runtime_error(std::string("c-ares: ") + ::ares_strerror(rc));
    }
};

}  // namespace

struct CaresResolver::Impl {
    IOLoop& loop;
    ares_channel channel = nullptr;
    std::map<int, Events> sockets;  // c-ares sockets the loop watches
    TimeoutHandle timer;
    bool closed = false;

    explicit Impl(IOLoop& l) : loop(l) {}

    // c-ares tells us which sockets to watch; this is the whole bridge to the IOLoop.
    static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
        auto* self = static_cast<Impl*>(data);
        Events want = (readable ? Events::read : Events::none) | (writable ? Events::write : Events::none);
        auto it = self->sockets.find(fd);
        try {
            if (want == Events::none) {
                if (it != self->sockets.end()) {
                    self->loop.remove_handler(fd);
                    self->sockets.erase(it);
                }
            } else if (it == self->sockets.end()) {
                self->loop.add_handler(fd, [self](int sock, Events e) { self->on_ready(sock, e); }, want);
                self->sockets[fd] = want;
            } else if (it->second != want) {
                self->loop.update_handler(fd, want);
                it->second = want;
            }
        } catch (const std::exception& e) {
            // No exception may cross back into c-ares.
            gen_log().logf(LogLevel::error, "c-ares socket %d: %s", static_cast<int>(fd), e.what());
        }
    }

    void on_ready(int fd, Events e) {
        ares_socket_t r = any(e, Events::read | Events::error) ? fd : ARES_SOCKET_BAD;
        ares_socket_t w = any(e, Events::write | Events::error) ? fd : ARES_SOCKET_BAD;
        ::ares_process_fd(channel, r, w);
        schedule_timeout();
    }

    // c-ares retries and times out only when it is called; ask it when next to call.
    void schedule_timeout() {
        loop.remove_timeout(timer);
        timer = {};
        if (closed) return;
        timeval tv{};
        if (!::ares_timeout(channel, nullptr, &tv)) return;  // nothing pending
        auto delay = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
        timer = loop.call_later(delay, [this] {
            timer = {};
            ::ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            schedule_timeout();
        });
    }

    static void on_result(void* arg, int status, int, ares_addrinfo* result) {
        std::unique_ptr<Query> q(static_cast<Query*>(arg));
        try {
            if (status != ARES_SUCCESS) {
                q->promise.set_exception(ResolveError("cannot resolve '" + q->host + "': " + ::ares_strerror(status)));
            } else {
                std::vector<SocketAddress> out;
                for (ares_addrinfo_node* n = result->nodes; n; n = n->ai_next) {
                    SocketAddress a;
                    std::memcpy(&a.storage, n->ai_addr, n->ai_addrlen);
                    a.length = n->ai_addrlen;
                    out.push_back(a);
                }
                if (out.empty())
                    q->promise.set_exception(ResolveError("cannot resolve '" + q->host + "': no addresses"));
                else
                    q->promise.set_result(std::move(out));
            }
        } catch (const std::exception& e) {
            gen_log().logf(LogLevel::error, "c-ares result for %s: %s", q->host.c_str(), e.what());
        }
        if (result) ::ares_freeaddrinfo(result);
    }
};

bool cares_available() noexcept { return true; }

CaresResolver::CaresResolver(IOLoop& loop, CaresOptions options) : impl_(std::make_unique<Impl>(loop)) {
    static Library library;
    ares_options opts{};
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    opts.sock_state_cb = &Impl::on_sock_state;
    opts.sock_state_cb_data = impl_.get();
    opts.timeout = static_cast<int>(options.timeout.count());
    opts.tries = options.tries;
    if (!options.search) {
        mask |= ARES_OPT_FLAGS;
        opts.flags = ARES_FLAG_NOSEARCH;
    }
    if (int rc = ::ares_init_options(&impl_->channel, &opts, mask); rc != ARES_SUCCESS)
        throw std::runtime_error(std::string("c-ares: ") + ::ares_strerror(rc));
    if (!options.servers.empty()) {
        if (int rc = ::ares_set_servers_ports_csv(impl_->channel, options.servers.c_str()); rc != ARES_SUCCESS) {
            ::ares_destroy(impl_->channel);
            throw std::invalid_argument("c-ares: bad servers '" + options.servers + "': " + ::ares_strerror(rc));
        }
    }
}

CaresResolver::~CaresResolver() { close(); }

void CaresResolver::close() {
    if (impl_->closed) return;
    impl_->closed = true;
    impl_->loop.remove_timeout(impl_->timer);
    // Pending queries complete with ARES_EDESTRUCTION (their Futures fail); c-ares closes its
    // sockets, which removes their handlers through on_sock_state.
    ::ares_destroy(impl_->channel);
    for (auto& [fd, events] : impl_->sockets) impl_->loop.remove_handler(fd);
    impl_->sockets.clear();
}

Future<std::vector<SocketAddress>> CaresResolver::resolve(std::string host, int port, int family) {
    if (auto numeric = numeric_address(host, port, family); !numeric.empty())
        return make_ready_future(std::move(numeric));
    if (impl_->closed)
        return make_failed_future<std::vector<SocketAddress>>(std::make_exception_ptr(ResolveError("resolver is closed")));
    auto* q = new Query{{}, host};
    Future<std::vector<SocketAddress>> f = q->promise.get_future();
    ares_addrinfo_hints hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    std::string service = std::to_string(port);
    // The callback may run inside this call (from /etc/hosts, or on an immediate error).
    ::ares_getaddrinfo(impl_->channel, host.c_str(), service.c_str(), &hints, &Impl::on_result, q);
    impl_->schedule_timeout();
    return f;
}

}  // namespace squall
