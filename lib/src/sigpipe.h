// SIGPIPE handling for writers that cannot pass MSG_NOSIGNAL (pipes, sendfile, OpenSSL's socket BIO).
// Internal to the core.
#pragma once

namespace squall::detail {

/// Sets SIGPIPE to ignored unless the program chose a disposition: a peer that went away must
/// be an EPIPE error, never a signal that kills the process (as Python does for Tornado).
void ignore_sigpipe() noexcept;

}  // namespace squall::detail
