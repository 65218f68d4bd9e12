// Automatic restarts for development: the process re-executes itself, with the same arguments
// and environment, when its executable or a watched file changes, so rebuilding a server is
// enough to run the new one. Public header. Models tornado/autoreload.py (4.0): start, watch,
// add_reload_hook, with inotify instead of Tornado's half-second stat() poll where it exists.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <functional>
#include <string>

#include "squall/ioloop.h"

namespace squall::autoreload {

/// Watch this process's executable (and what watch() adds) from `loop`; when one is written
/// (closed after writing, or renamed into place), or its directory is removed and made again
/// with it inside (checked twice a second), the reload hooks run and the process re-executes
/// itself: same pid, same arguments, same environment. Descriptors opened without
/// close-on-exec survive the restart (squall opens all of its own close-on-exec). If the new
/// executable cannot be run (half written, not a program) the failure is logged and the
/// process goes on, still watching. Idempotent: later calls add nothing. Call it on the loop's
/// thread; ApplicationSettings::autoreload (on with debug) calls it for an Application.
/// Throws std::system_error when the executable cannot be found or watched.
void start(IOLoop& loop = IOLoop::current());

/// Also restart when `path` changes (a configuration file, templates compiled in...). May be
/// called before or after start(). Throws std::system_error when its directory cannot be watched.
void watch(const std::string& path);

/// Run `hook` just before the process re-executes, in the order added (a hook that throws is
/// logged and the others still run).
void add_reload_hook(std::function<void()> hook);

/// True once start() has run in this process.
bool started() noexcept;

}  // namespace squall::autoreload
