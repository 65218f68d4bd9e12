// The kqueue backend's injectable entry points. Public header. Models tornado/platform/kqueue.py
// (4.0) `_KQueue`. Honest status: compile-checked and tested against an in-process emulation on
// Linux; real-kernel tested only on a BSD or macOS machine.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <memory>

#if __has_include(<sys/event.h>)
#include <sys/event.h>
#include <sys/types.h>
#else
#include "squall/poller/sys_event_shim.h"
#endif

#include "squall/poller/poller.h"

namespace squall {

/// The two system calls the backend makes, so tests can hand it an emulation.
struct KeventApi {
    int (*kqueue)();
    int (*kevent)(int kq, const struct kevent* changes, int nchanges, struct kevent* events,
                  int nevents, const struct timespec* timeout);
};

/// A kqueue backend over `api`. Throws std::system_error when api.kqueue() fails.
std::unique_ptr<Poller> make_kqueue_poller(KeventApi api);

}  // namespace squall
