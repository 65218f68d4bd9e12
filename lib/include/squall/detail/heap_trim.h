// Gives the heap's free pages back to the system after a crowd of connections has gone, which
// the allocator does not do by itself when one live block sits above the freed ones. Internal;
// no Tornado counterpart (Python's allocator has the same habit).
#pragma once

#include <cstddef>

namespace squall {
class IOLoop;
}

namespace squall::detail {

/// How many fewer streams must be open on a thread than at their peak since the last trim.
inline constexpr std::size_t heap_trim_after_closes = 1024;

/// Called by every stream as it is made and destroyed on `loop`'s thread. Once
/// heap_trim_after_closes fewer are open than at their peak, a trim runs on the loop half a
/// second later (one at a time), so a steady load never pays for it and a burst pays once.
void note_stream_opened() noexcept;
void note_stream_closed(IOLoop& loop) noexcept;

/// Returns free heap pages to the system now (glibc's malloc_trim; nothing elsewhere).
void trim_heap() noexcept;

}  // namespace squall::detail
