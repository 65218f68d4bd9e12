// The abstract readiness poller and its registry. Public header. Models the `_impl` objects that
// tornado/ioloop.py (4.0) wraps (select.epoll, _KQueue, _Select): a backend only translates
// (fd, events) in and (fd, events) out, level triggered; the IOLoop owns handlers and timers.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace squall {

/// Readiness bits with Tornado's values (IOLoop.READ / WRITE / ERROR), equal to EPOLLIN,
/// EPOLLOUT and EPOLLERR|EPOLLHUP. ERROR is always implied on add and modify.
enum class Events : std::uint32_t {
    none = 0,
    read = 0x001,
    write = 0x004,
    error = 0x008 | 0x010,
};

constexpr Events operator|(Events a, Events b) noexcept {
    return static_cast<Events>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr Events operator&(Events a, Events b) noexcept {
    return static_cast<Events>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
constexpr Events operator~(Events a) noexcept {
    return static_cast<Events>(~static_cast<std::uint32_t>(a) & 0x01dU);
}
constexpr Events& operator|=(Events& a, Events b) noexcept { return a = a | b; }
constexpr Events& operator&=(Events& a, Events b) noexcept { return a = a & b; }
/// True when any bit of `bits` is set in `e`.
constexpr bool any(Events e, Events bits = static_cast<Events>(0x01d)) noexcept {
    return (static_cast<std::uint32_t>(e) & static_cast<std::uint32_t>(bits)) != 0;
}
/// "read|write|error" style text, for logs and test messages.
std::string to_string(Events e);

/// One fd the kernel reported ready, with the bits it reported.
struct ReadyEvent {
    int fd;
    Events events;
};

/// A readiness backend. Level triggered only; ERROR is reported whether asked for or not.
/// Not thread-safe: one poller belongs to one IOLoop on one thread.
class Poller {
public:
    Poller() = default;
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;
    virtual ~Poller() = default;

    /// "epoll", "poll", "select", "kqueue" or "io_uring".
    virtual std::string_view name() const noexcept = 0;
    /// Start watching `fd` (Tornado's `register`). EEXIST when already watched.
    virtual std::error_code add(int fd, Events events) = 0;
    /// Change the interest set of a watched fd. ENOENT when not watched.
    virtual std::error_code modify(int fd, Events events) = 0;
    /// Stop watching `fd` (Tornado's `unregister`). ENOENT when not watched.
    virtual std::error_code remove(int fd) = 0;
    /// Wait up to `timeout_ms` (-1: forever, 0: do not block) and fill `out`, which is cleared
    /// first. An interrupted wait (EINTR) is not an error: it returns success and no events.
    virtual std::error_code poll(int timeout_ms, std::vector<ReadyEvent>& out) = 0;
    /// The kernel object's descriptor (epoll, kqueue, io_uring), or -1 for poll and select.
    virtual int fileno() const noexcept { return -1; }
    /// True when the kernel object is not inherited usefully by a forked child (kqueue).
    virtual bool needs_reinit_after_fork() const noexcept { return false; }
};

/// Thrown by make_poller for an unknown name or a backend that cannot run here.
class PollerUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Every backend name squall knows, compiled in or not.
std::span<const std::string_view> known_pollers() noexcept;

/// Backends compiled in and able to initialise on this machine, best first. The first call probes
/// (io_uring may be refused by the kernel or a sandbox); later calls return the cached answer.
std::span<const std::string_view> available_pollers();

/// Build a backend by name. An empty name means `SQUALL_POLLER` when set, else the best available.
/// Throws PollerUnavailable, naming the available backends, for an unknown or unusable name.
std::unique_ptr<Poller> make_poller(std::string_view name = {});

}  // namespace squall
