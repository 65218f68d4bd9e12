// The seam between the client's handshake and its connection: a stream whose handshake is done
// becomes a WebSocketClientConnection with its read loop running. Internal. Models the end of
// WebSocketClientConnection.headers_received in tornado/websocket.py (4.0).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "squall/iostream.h"
#include "squall/websocket_client.h"

namespace squall::detail {

/// Starts the protocol (client role) on `stream`, whose buffer may already hold frames that came
/// with the 101 head; `compression` as the server accepted it.
std::shared_ptr<WebSocketClientConnection> start_client_connection(std::shared_ptr<IOStream> stream,
                                                                   HTTPHeaders response_headers,
                                                                   const WebSocketConnectOptions& options,
                                                                   std::optional<DeflateParameters> compression,
                                                                   std::string log_name);

}  // namespace squall::detail
