// An in-process emulation of kqueue(2)/kevent(2) over poll(2), so the kqueue backend's real
// translation logic runs in Linux CI. Internal test support. Models the kernel behaviour that
// tornado/platform/kqueue.py (4.0) relies on, plus known quirks as opt-in modes.
#pragma once

#include "squall/poller/kqueue.h"

namespace squall::testing {

struct FakeKqueueQuirks {
    /// Old macOS: a kevent() call with more than one change fails with EINVAL.
    bool einval_on_batches = false;
    /// Failed changes come back as EV_ERROR records in the event list (data = errno) when the
    /// caller passes room for events, instead of failing the call.
    bool error_records = false;
};

/// The fake's entry points. One emulated kqueue state per process: tests use one at a time.
KeventApi fake_kevent_api(FakeKqueueQuirks quirks = {});
/// How many kevent() calls carried changes since the last fake_kevent_api() (batching checks).
int fake_kevent_change_calls();

}  // namespace squall::testing
