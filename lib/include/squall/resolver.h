// Name resolution: the Resolver interface with blocking, threaded, c-ares and override
// implementations. Public header. Models tornado/netutil.py (4.0) Resolver, BlockingResolver,
// ThreadedResolver, OverrideResolver, and tornado/platform/caresresolver.py.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <sys/socket.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "squall/concurrent.h"
#include "squall/executor.h"
#include "squall/ioloop.h"
#include "squall/netutil.h"

namespace squall {

/// A name that did not resolve: unknown, a server error, or a timeout.
class ResolveError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Resolves host names to socket addresses. Implementations are used from their IOLoop's
/// thread; the Future completes there.
class Resolver {
public:
    virtual ~Resolver() = default;
    /// Addresses for host:port of `family` (AF_UNSPEC: both), in the resolver's order. Fails
    /// with ResolveError. A numeric address comes back as itself, without a lookup.
    virtual Future<std::vector<SocketAddress>> resolve(std::string host, int port,
                                                       int family = AF_UNSPEC) = 0;
    /// Release resources; pending resolves fail. Idempotent.
    virtual void close() {}
};

/// getaddrinfo(3) on the calling thread: blocks the loop. For tests and tiny programs.
class BlockingResolver : public Resolver {
public:
    Future<std::vector<SocketAddress>> resolve(std::string host, int port, int family = AF_UNSPEC) override;
};

/// getaddrinfo(3) on a thread pool (Tornado's default of 10 threads).
class ThreadedResolver : public Resolver {
public:
    explicit ThreadedResolver(IOLoop& loop = IOLoop::current(), std::size_t threads = 10);
    ~ThreadedResolver() override;
    Future<std::vector<SocketAddress>> resolve(std::string host, int port, int family = AF_UNSPEC) override;
    void close() override;

private:
    IOLoop& loop_;
    std::unique_ptr<ThreadPoolExecutor> pool_;
};

/// Answers some names from a table, passing the rest to another resolver (for tests, and for
/// pinning a host to an address). Keys: host, or host and port; most specific wins.
class OverrideResolver : public Resolver {
public:
    OverrideResolver(Resolver& inner, std::map<std::string, std::string> hosts,
                     std::map<std::pair<std::string, int>, std::pair<std::string, int>> host_ports = {});
    Future<std::vector<SocketAddress>> resolve(std::string host, int port, int family = AF_UNSPEC) override;

private:
    Resolver& inner_;
    std::map<std::string, std::string> hosts_;
    std::map<std::pair<std::string, int>, std::pair<std::string, int>> host_ports_;
};

/// The numeric address `host` at `port`, if `host` is one ("127.0.0.1", "::1"); else nothing.
std::vector<SocketAddress> numeric_address(const std::string& host, int port, int family);

struct CaresOptions {
    /// "ip:port,ip:port" name servers; empty: the system's (/etc/resolv.conf).
    std::string servers;
    std::chrono::milliseconds timeout{5000};  // per try
    int tries = 4;
    /// Apply resolv.conf's search domains to short names.
    bool search = true;
};

/// Non-blocking DNS through c-ares, whose sockets the IOLoop watches (add_handler): nothing
/// blocks the loop thread. Throws std::runtime_error when c-ares cannot start, or when squall
/// was built without c-ares (`cares_available()` tells).
class CaresResolver : public Resolver {
public:
    explicit CaresResolver(IOLoop& loop = IOLoop::current(), CaresOptions options = {});
    ~CaresResolver() override;
    Future<std::vector<SocketAddress>> resolve(std::string host, int port, int family = AF_UNSPEC) override;
    void close() override;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

/// True when squall was built with c-ares.
bool cares_available() noexcept;

/// The resolver Tornado would pick: c-ares when built in, else the threaded one.
std::unique_ptr<Resolver> make_default_resolver(IOLoop& loop = IOLoop::current());

}  // namespace squall
