// Factories of the individual backends, and the poller error category. Internal header of
// poller/; the registry is the only user of the factories.
#pragma once

#include <memory>
#include <system_error>

#include "squall/poller/poller.h"

namespace squall::detail {

std::unique_ptr<Poller> make_epoll_poller();
std::unique_ptr<Poller> make_poll_poller();
std::unique_ptr<Poller> make_select_poller();
std::unique_ptr<Poller> make_io_uring_poller();
/// Why io_uring cannot run here (empty when it can). Probed once, then cached.
std::error_code probe_io_uring();

inline std::error_code errno_code(int e) { return {e, std::generic_category()}; }

}  // namespace squall::detail
