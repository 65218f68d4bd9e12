// Tests of the resolvers: getaddrinfo-based ones against localhost, and c-ares making real
// queries to a DNS server the test runs on 127.0.0.1. Ports tornado/test/netutil_test.py (4.0)
// _ResolverTestMixin, plus the c-ares cases of the streams issue.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "dns_server.h"
#include "squall/gen.h"
#include "squall/resolver.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::DnsServer;

namespace {

std::vector<std::string> ips(const std::vector<SocketAddress>& addrs) {
    std::vector<std::string> out;
    for (auto& a : addrs) out.push_back(a.ip());
    std::sort(out.begin(), out.end());
    return out;
}

CaresOptions local_dns(const DnsServer& dns) {
    CaresOptions o;
    o.servers = dns.address();
    o.timeout = 300ms;
    o.tries = 1;
    o.search = false;
    return o;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "getaddrinfo resolvers find localhost and reject bad names",
                 "[core][resolver][net][threads]") {
    BlockingResolver blocking;
    ThreadedResolver threaded(io_loop(), 2);
    for (Resolver* r : std::vector<Resolver*>{&blocking, &threaded}) {
        auto addrs = run_sync([&] { return r->resolve("localhost", 80, AF_INET); });
        REQUIRE_FALSE(addrs.empty());
        CHECK(addrs.front().ip() == "127.0.0.1");
        CHECK(addrs.front().port() == 80);
        CHECK_THROWS_AS(run_sync([&] { return r->resolve("an invalid domain", 80); }), ResolveError);
        auto numeric = run_sync([&] { return r->resolve("::1", 8080); });
        REQUIRE(numeric.size() == 1);
        CHECK(numeric.front().family() == AF_INET6);
    }
}

TEST_CASE_METHOD(AsyncTest, "c-ares resolves through a real DNS server on 127.0.0.1",
                 "[core][resolver][cares][net]") {
    if (!cares_available()) {
        WARN("squall was built without c-ares");
        return;
    }
    DnsServer dns(io_loop());
    dns.add("example.test", {"10.1.2.3", "10.1.2.4"}, {"fd00::1"});
    CaresResolver resolver(io_loop(), local_dns(dns));
    auto both = run_sync([&] { return resolver.resolve("example.test", 443); });
    CHECK(ips(both) == std::vector<std::string>{"10.1.2.3", "10.1.2.4", "fd00::1"});
    CHECK(both.front().port() == 443);
    auto v4 = run_sync([&] { return resolver.resolve("example.test", 80, AF_INET); });
    CHECK(ips(v4) == std::vector<std::string>{"10.1.2.3", "10.1.2.4"});
    CHECK(dns.queries() >= 3);  // real queries reached the server

    // A literal address needs no query.
    int before = dns.queries();
    auto literal = run_sync([&] { return resolver.resolve("192.0.2.7", 25); });
    CHECK(ips(literal) == std::vector<std::string>{"192.0.2.7"});
    CHECK(dns.queries() == before);
}

TEST_CASE_METHOD(AsyncTest, "c-ares reports unknown names and silent servers as ResolveError",
                 "[core][resolver][cares][net]") {
    if (!cares_available()) return;
    DnsServer dns(io_loop());
    dns.ignore("slow.test");
    CaresResolver resolver(io_loop(), local_dns(dns));
    CHECK_THROWS_AS(run_sync([&] { return resolver.resolve("nowhere.test", 80, AF_INET); }), ResolveError);

    // While c-ares waits for a server that never answers, the loop keeps running.
    int ticks = 0;
    PeriodicCallback tick([&] { ++ticks; }, 10ms, io_loop());
    tick.start();
    try {
        run_sync([&] { return resolver.resolve("slow.test", 80, AF_INET); });
        FAIL("resolved a name the server never answers");
    } catch (const ResolveError& e) {
        CHECK(std::string(e.what()).find("slow.test") != std::string::npos);
    }
    tick.stop();
    CHECK(ticks >= 5);
}

TEST_CASE_METHOD(AsyncTest, "closing a c-ares resolver fails pending lookups and frees its sockets",
                 "[core][resolver][cares][net]") {
    if (!cares_available()) return;
    DnsServer dns(io_loop());
    dns.ignore("slow.test");
    {
        CaresResolver resolver(io_loop(), local_dns(dns));
        auto pending = resolver.resolve("slow.test", 80, AF_INET);
        run_sync([&]() -> Future<void> {
            while (dns.queries() == 0) co_await squall::moment;  // the query reached the server
        });
        resolver.close();
        REQUIRE(pending.done());
        CHECK_THROWS_AS(pending.result(), ResolveError);
        CHECK_THROWS_AS(resolver.resolve("example.test", 80).result(), ResolveError);
    }
    CHECK(io_loop().handler_count() == 1);  // only the DNS server's socket
}

TEST_CASE_METHOD(AsyncTest, "OverrideResolver maps hosts and host:port pairs", "[core][resolver]") {
    BlockingResolver inner;
    OverrideResolver r(inner, {{"google.com", "127.0.0.1"}}, {{{"google.com", 443}, {"::1", 8443}}});
    auto a = run_sync([&] { return r.resolve("google.com", 80); });
    REQUIRE(a.size() == 1);
    CHECK(a[0].ip() == "127.0.0.1");
    CHECK(a[0].port() == 80);
    auto b = run_sync([&] { return r.resolve("google.com", 443); });
    REQUIRE(b.size() == 1);
    CHECK(b[0].ip() == "::1");
    CHECK(b[0].port() == 8443);
}

TEST_CASE("the default resolver is c-ares when built in", "[core][resolver]") {
    IOLoop loop;
    auto r = make_default_resolver(loop);
    CHECK((dynamic_cast<CaresResolver*>(r.get()) != nullptr) == cares_available());
}
