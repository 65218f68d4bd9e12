// A small authoritative DNS server on 127.0.0.1 (UDP, a port the kernel picks) driven by an
// IOLoop, so resolver tests make real queries without the network. Internal test support.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "squall/ioloop.h"

namespace squall::testing {

class DnsServer {
public:
    explicit DnsServer(IOLoop& loop);
    ~DnsServer();
    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;

    /// "127.0.0.1:port", the form CaresOptions::servers takes.
    std::string address() const;
    /// Answer A queries for `name` with these IPv4 addresses and AAAA queries with these IPv6.
    void add(const std::string& name, std::vector<std::string> ipv4, std::vector<std::string> ipv6 = {});
    /// Never answer queries for `name` (for timeouts).
    void ignore(const std::string& name) { silent_.insert(name); }
    /// Queries received so far.
    int queries() const noexcept { return queries_; }

private:
    void on_readable();

    IOLoop& loop_;
    int fd_ = -1;
    int port_ = 0;
    int queries_ = 0;
    std::map<std::string, std::vector<std::string>> a_, aaaa_;
    std::set<std::string> silent_;
};

}  // namespace squall::testing
