// Errors of squall's pollers that errno cannot say clearly. Public header. No Tornado
// counterpart: Python's select module raises ValueError for an fd past FD_SETSIZE.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <system_error>

namespace squall {

enum class PollerErrc {
    /// select(2) cannot watch descriptors at or above FD_SETSIZE (1024 on Linux).
    fd_too_large_for_select = 1,
};

const std::error_category& poller_category() noexcept;

inline std::error_code make_error_code(PollerErrc e) noexcept {
    return {static_cast<int>(e), poller_category()};
}

}  // namespace squall

template <>
struct std::is_error_code_enum<squall::PollerErrc> : std::true_type {};
