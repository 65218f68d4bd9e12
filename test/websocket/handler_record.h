// What a test's WebSocketHandler saw, for the test to check once the connection has ended;
// shared by the handler and client tests. Internal test header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "squall/concurrent.h"

namespace squall::testing {

struct HandlerRecord {
    std::vector<std::string> events;
    int closes = 0;
    std::optional<std::uint16_t> close_code;
    std::string close_reason;
    bool write_after_close_failed = false;
    Promise<void> closed;  // set by the first on_close
};

}  // namespace squall::testing
