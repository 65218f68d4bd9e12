// The getaddrinfo-based resolvers and OverrideResolver. Internal. Models tornado/netutil.py (4.0)
// BlockingResolver, ThreadedResolver (a pool of 10 threads) and OverrideResolver.
#include "squall/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

namespace squall {
namespace {

std::vector<SocketAddress> getaddrinfo_addresses(const std::string& host, int port, int family) {
    if (auto numeric = numeric_address(host, port, family); !numeric.empty()) return numeric;
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string service = std::to_string(port);
    int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
    if (rc != 0) throw ResolveError("cannot resolve '" + host + "': " + ::gai_strerror(rc));
    std::vector<SocketAddress> out;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        SocketAddress a;
        std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
        a.length = ai->ai_addrlen;
        out.push_back(a);
    }
    ::freeaddrinfo(res);
    if (out.empty()) throw ResolveError("cannot resolve '" + host + "': no addresses");
    return out;
}

}  // namespace

std::vector<SocketAddress> numeric_address(const std::string& host, int port, int family) {
    SocketAddress a;
    if (family != AF_INET6) {
        sockaddr_in v4{};
        if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
            v4.sin_family = AF_INET;
            v4.sin_port = htons(static_cast<uint16_t>(port));
            std::memcpy(&a.storage, &v4, sizeof v4);
            a.length = sizeof v4;
            return {a};
        }
    }
    if (family != AF_INET) {
        sockaddr_in6 v6{};
        if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
            v6.sin6_family = AF_INET6;
            v6.sin6_port = htons(static_cast<uint16_t>(port));
            std::memcpy(&a.storage, &v6, sizeof v6);
            a.length = sizeof v6;
            return {a};
        }
    }
    return {};
}

Future<std::vector<SocketAddress>> BlockingResolver::resolve(std::string host, int port, int family) {
    return run_synchronously([&] { return getaddrinfo_addresses(host, port, family); });
}

ThreadedResolver::ThreadedResolver(IOLoop& loop, std::size_t threads)
    : loop_(loop), pool_(std::make_unique<ThreadPoolExecutor>(threads)) {}

ThreadedResolver::~ThreadedResolver() { close(); }

Future<std::vector<SocketAddress>> ThreadedResolver::resolve(std::string host, int port, int family) {
    if (!pool_) return make_failed_future<std::vector<SocketAddress>>(
        std::make_exception_ptr(ResolveError("resolver is closed")));
    return run_on_executor(*pool_, [host = std::move(host), port, family] {
        return getaddrinfo_addresses(host, port, family);
    }, loop_);
}

void ThreadedResolver::close() {
    if (!pool_) return;
    pool_->shutdown();  // waits for lookups in flight; their results still reach the loop
    pool_.reset();
}

OverrideResolver::OverrideResolver(Resolver& inner, std::map<std::string, std::string> hosts,
                                   std::map<std::pair<std::string, int>, std::pair<std::string, int>> host_ports)
    : inner_(inner), hosts_(std::move(hosts)), host_ports_(std::move(host_ports)) {}

Future<std::vector<SocketAddress>> OverrideResolver::resolve(std::string host, int port, int family) {
    if (auto it = host_ports_.find({host, port}); it != host_ports_.end()) {
        host = it->second.first;
        port = it->second.second;
    } else if (auto h = hosts_.find(host); h != hosts_.end()) {
        host = h->second;
    }
    return inner_.resolve(std::move(host), port, family);
}

std::unique_ptr<Resolver> make_default_resolver(IOLoop& loop) {
    if (cares_available()) return std::make_unique<CaresResolver>(loop);
    return std::make_unique<ThreadedResolver>(loop);
}

}  // namespace squall
