// Text for event masks and the poller error category. Internal.
#include <string>

#include "squall/poller/errors.h"
#include "squall/poller/poller.h"

namespace squall {

std::string to_string(Events e) {
    std::string s;
    if (any(e, Events::read)) s += "read|";
    if (any(e, Events::write)) s += "write|";
    if (any(e, Events::error)) s += "error|";
    if (s.empty()) return "none";
    s.pop_back();
    return s;
}

namespace {
struct PollerCategory final : std::error_category {
    const char* name() const noexcept override { return "squall.poller"; }
    std::string message(int code) const override {
        switch (static_cast<PollerErrc>(code)) {
        case PollerErrc::fd_too_large_for_select:
            return "descriptor is at or above FD_SETSIZE; select cannot watch it "
                   "(use the epoll or poll backend)";
        }
        return "unknown poller error";
    }
};
}  // namespace

const std::error_category& poller_category() noexcept {
    static PollerCategory category;
    return category;
}

}  // namespace squall
