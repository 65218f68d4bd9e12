// Emptying a thread's block cache (squall/detail/recycler.h) when the thread exits. Internal.
#include "squall/detail/recycler.h"

namespace squall::detail {
namespace {

struct Reaper {
    ~Reaper() {
        RecycleCache& c = recycle_cache;
        c.gone = true;
        for (std::size_t k = 0; k < recycle_max / recycle_granule; ++k) {
            while (RecycleCache::Block* b = c.heads[k]) {
                c.heads[k] = b->next;
                ::operator delete(b);
            }
            c.counts[k] = 0;
        }
    }
};

}  // namespace

void recycle_cache_attach() {
    // Constructed on the thread's first cached free; destroyed when the thread exits.
    thread_local Reaper reaper;
    (void)reaper;
    recycle_cache.attached = true;
}

}  // namespace squall::detail
