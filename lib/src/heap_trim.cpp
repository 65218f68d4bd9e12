// The stream census behind heap trimming. Internal. See squall/detail/heap_trim.h.
#include "squall/detail/heap_trim.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>

#include "squall/detail/stream_buffers.h"
#include "squall/ioloop.h"

namespace squall::detail {
namespace {

struct Census {
    std::size_t open = 0;
    std::size_t peak = 0;  // the most open at once since the last trim
    bool scheduled = false;
};

thread_local Census census;

/// Marks the trim unscheduled however its callback ends: run, or dropped with its loop.
struct Scheduled {
    bool owns = true;
    Scheduled() = default;
    Scheduled(Scheduled&& o) noexcept : owns(std::exchange(o.owns, false)) {}
    Scheduled& operator=(Scheduled&&) = delete;
    ~Scheduled() {
        if (owns) census.scheduled = false;
    }
};

}  // namespace

void note_stream_opened() noexcept {
    ++census.open;
    census.peak = std::max(census.peak, census.open);
}

void note_stream_closed(IOLoop& loop) noexcept {
    if (census.open > 0) --census.open;
    if (census.scheduled || census.peak - census.open < heap_trim_after_closes || loop.closed()) return;
    census.scheduled = true;
    try {
        loop.call_later(std::chrono::milliseconds(500), [guard = Scheduled()] {
            census.peak = census.open;
            trim_heap();
        });
    } catch (...) {
        census.scheduled = false;  // no memory for the timer: the next close tries again
    }
}

void trim_heap() noexcept {
    drop_cached_read_chunks(4);  // enough for a few busy connections
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

}  // namespace squall::detail
