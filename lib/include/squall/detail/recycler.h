// A per-thread cache of freed small blocks, so that the objects every request makes and drops
// (Future states, coroutine frames, connection and request objects) skip malloc. Internal. No
// Tornado counterpart (Python allocates for it); asio's recycling allocator is the same idea.
#pragma once

#include <cstddef>
#include <new>

namespace squall::detail {

/// Blocks up to this size are recycled, in size classes of `recycle_granule` bytes.
inline constexpr std::size_t recycle_max = 1024;
inline constexpr std::size_t recycle_granule = 64;
/// Freed blocks kept per class and thread; beyond that they go back to malloc.
inline constexpr unsigned recycle_depth = 32;

struct RecycleCache {
    struct Block {
        Block* next;
    };
    Block* heads[recycle_max / recycle_granule] = {};
    unsigned counts[recycle_max / recycle_granule] = {};
    bool attached = false;  // recycle_cache_attach has run on this thread
    bool gone = false;      // the thread is exiting: plain new/delete from here on
};

/// Trivially destructible, so blocks freed late in thread exit still find it (and see `gone`).
inline thread_local RecycleCache recycle_cache;

/// Registers the thread's cache for emptying when the thread exits. Defined in recycler.cpp.
void recycle_cache_attach();

/// Cached sizes are rounded up to their class, whoever allocates: a block made where the cache
/// is bypassed (below) and freed where it is not fits any size of its class.
constexpr std::size_t recycle_block_size(std::size_t size) {
    return size == 0 || size > recycle_max ? size : ((size - 1) / recycle_granule + 1) * recycle_granule;
}

#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer must see every free to catch a use after it.
inline void* recycled_allocate(std::size_t size) { return ::operator new(recycle_block_size(size)); }
inline void recycled_deallocate(void* p, std::size_t) noexcept { ::operator delete(p); }
#else
inline void* recycled_allocate(std::size_t size) {
    if (size == 0 || size > recycle_max) return ::operator new(size);
    const std::size_t k = (size - 1) / recycle_granule;
    RecycleCache& c = recycle_cache;
    if (RecycleCache::Block* b = c.heads[k]) {
        c.heads[k] = b->next;
        --c.counts[k];
        return b;
    }
    return ::operator new(recycle_block_size(size));
}

/// `size` must be the size given to recycled_allocate (sized delete passes it).
inline void recycled_deallocate(void* p, std::size_t size) noexcept {
    if (!p) return;
    RecycleCache& c = recycle_cache;
    if (size == 0 || size > recycle_max || c.gone) return ::operator delete(p);
    const std::size_t k = (size - 1) / recycle_granule;
    if (c.counts[k] >= recycle_depth) return ::operator delete(p);
    if (!c.attached) recycle_cache_attach();
    auto* b = static_cast<RecycleCache::Block*>(p);
    b->next = c.heads[k];
    c.heads[k] = b;
    ++c.counts[k];
}
#endif

/// For std::allocate_shared and containers: the same cache behind the Allocator interface.
template <class T>
struct RecyclingAllocator {
    using value_type = T;
    RecyclingAllocator() noexcept = default;
    template <class U>
    RecyclingAllocator(const RecyclingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(recycled_allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { recycled_deallocate(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const RecyclingAllocator<U>&) const noexcept {
        return true;
    }
};

/// Base of classes made and dropped per request or per operation: `new T` and `delete`
/// (through a virtual destructor too, which passes the most derived size) use the cache.
struct Recycled {
    static void* operator new(std::size_t size) { return recycled_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { recycled_deallocate(p, size); }
};

}  // namespace squall::detail
