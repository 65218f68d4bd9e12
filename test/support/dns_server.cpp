// The test DNS server: parses one question per datagram and answers from its tables, NXDOMAIN
// for unknown names (RFC 1035 wire format). Internal test support.
#include "dns_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace squall::testing {
namespace {

constexpr std::uint16_t kTypeA = 1, kTypeAAAA = 28;

void put16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
}

}  // namespace

DnsServer::DnsServer(IOLoop& loop) : loop_(loop) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::system_error(errno, std::generic_category(), "bind");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    loop_.add_handler(fd_, [this](int, Events) { on_readable(); }, Events::read);
}

DnsServer::~DnsServer() {
    loop_.remove_handler(fd_);
    ::close(fd_);
}

std::string DnsServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

void DnsServer::add(const std::string& name, std::vector<std::string> ipv4, std::vector<std::string> ipv6) {
    a_[name] = std::move(ipv4);
    aaaa_[name] = std::move(ipv6);
}

void DnsServer::on_readable() {
    unsigned char buf[1500];
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 12) return;
    ++queries_;
    // The question: labels up to a zero byte, then type and class.
    std::size_t pos = 12;
    std::string name;
    while (pos < static_cast<std::size_t>(n) && buf[pos] != 0) {
        std::size_t len = buf[pos++];
        if (pos + len > static_cast<std::size_t>(n)) return;
        if (!name.empty()) name.push_back('.');
        name.append(reinterpret_cast<char*>(buf + pos), len);
        pos += len;
    }
    if (pos + 5 > static_cast<std::size_t>(n)) return;
    std::size_t question_end = pos + 5;
    std::uint16_t qtype = static_cast<std::uint16_t>(buf[pos + 1] << 8 | buf[pos + 2]);
    if (silent_.count(name)) return;

    bool known = a_.count(name) > 0;
    const auto& table = qtype == kTypeAAAA ? aaaa_ : a_;
    std::vector<std::string> answers;
    if (auto it = table.find(name); it != table.end() && (qtype == kTypeA || qtype == kTypeAAAA))
        answers = it->second;

    std::string out(reinterpret_cast<char*>(buf), 2);  // the query's id
    std::uint16_t flags = 0x8000 | 0x0400 | 0x0080 | (buf[2] & 0x01) << 8;  // QR AA RA, RD copied
    if (!known) flags |= 3;  // NXDOMAIN
    put16(out, flags);
    put16(out, 1);
    put16(out, static_cast<std::uint16_t>(answers.size()));
    put16(out, 0);
    put16(out, 0);
    out.append(reinterpret_cast<char*>(buf + 12), question_end - 12);
    for (const auto& ip : answers) {
        put16(out, 0xC00C);  // the name: a pointer to the question's
        put16(out, qtype);
        put16(out, 1);  // IN
        put16(out, 0);
        put16(out, 60);  // TTL
        unsigned char raw[16];
        int family = qtype == kTypeA ? AF_INET : AF_INET6;
        ::inet_pton(family, ip.c_str(), raw);
        std::size_t size = family == AF_INET ? 4 : 16;
        put16(out, static_cast<std::uint16_t>(size));
        out.append(reinterpret_cast<char*>(raw), size);
    }
    ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
}

}  // namespace squall::testing
