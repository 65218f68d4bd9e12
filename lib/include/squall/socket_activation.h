// Listening sockets handed over by systemd socket activation (or anything speaking its
// protocol: LISTEN_PID, LISTEN_FDS, descriptors from 3), so a service restarts without
// refusing connections. Public header. No Tornado counterpart; the protocol is sd_listen_fds(3).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <vector>

namespace squall {

/// The listening sockets passed to this process: none unless LISTEN_PID is this process's id;
/// then LISTEN_FDS of them from descriptor 3, made non-blocking and close-on-exec for
/// TCPServer::add_sockets (the caller owns them). With `unset_environment` the variables
/// (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES) are removed, so child processes do not take the
/// sockets for theirs. Throws std::invalid_argument when LISTEN_FDS is not a count of open
/// listening sockets.
std::vector<int> systemd_listen_fds(bool unset_environment = true);

}  // namespace squall
