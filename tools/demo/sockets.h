// The demo's WebSocket endpoints: /ws (echo), /ws-last-close (the last close frame /ws got),
// /ws-close (closes at once with 4000 "bye") and /chat (the front page's chat room). Part of
// squall-demo; the handlers model tornado/websocket.py (4.0) WebSocketHandler subclasses.
#pragma once

#include <cstddef>
#include <vector>

#include "squall/routing.h"

namespace squall::demo {

/// Appends the four WebSocket routes. A chat member whose unflushed output exceeds
/// `chat_max_backlog` bytes when a message is broadcast is closed with 1008.
void add_websocket_routes(std::vector<URLSpec>& routes, std::size_t chat_max_backlog);

}  // namespace squall::demo
