// squall::detail's per-thread block cache (recycler.h): blocks come back by size class, the
// cache stays bounded, a thread's cache is emptied when it exits, and Futures and coroutine
// frames built on it behave. Under AddressSanitizer the cache is bypassed (every free must
// reach the sanitizer), so only the behaviour that holds either way is checked there.
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "catch.h"
#include "squall/concurrent.h"
#include "squall/detail/recycler.h"

using namespace squall;
using namespace squall::detail;

TEST_CASE("recycler: blocks are reused within their size class, the cache stays bounded", "[core][recycler]") {
    void* a = recycled_allocate(100);
    void* b = recycled_allocate(1000);
    std::memset(a, 0xab, 100);  // the whole requested size is usable
    std::memset(b, 0xcd, 1000);
    recycled_deallocate(a, 100);
    recycled_deallocate(b, 1000);
#if !defined(__SANITIZE_ADDRESS__)
    // Same class (65..128 bytes): the block just freed comes back, last in first out.
    CHECK(recycled_allocate(120) == a);
    CHECK(recycled_allocate(1024) == b);
    recycled_deallocate(a, 120);
    recycled_deallocate(b, 1024);
    // At most recycle_depth blocks per class are kept; the rest go back to malloc.
    std::vector<void*> many;
    for (unsigned i = 0; i < recycle_depth + 8; ++i) many.push_back(recycled_allocate(200));
    for (void* p : many) recycled_deallocate(p, 200);
    CHECK(recycle_cache.counts[(200 - 1) / recycle_granule] == recycle_depth);
    std::set<void*> freed(many.begin(), many.end());
    std::vector<void*> again;
    for (unsigned i = 0; i < recycle_depth; ++i) again.push_back(recycled_allocate(200));
    for (void* p : again) CHECK(freed.count(p) == 1);
    CHECK(recycle_cache.counts[(200 - 1) / recycle_granule] == 0);
    for (void* p : again) recycled_deallocate(p, 200);
#endif
    // Above recycle_max blocks go straight to malloc and back.
    void* big = recycled_allocate(recycle_max + 1);
    std::memset(big, 0, recycle_max + 1);
    recycled_deallocate(big, recycle_max + 1);
    recycled_deallocate(nullptr, 64);  // like delete of a null pointer
}

TEST_CASE("recycler: a block freed on another thread, and that thread's exit, are safe", "[core][recycler][threads]") {
    void* p = recycled_allocate(300);
    bool reused = false, attached = false;
    unsigned cached = 0;
    std::thread t([&] {  // Catch2 assertions stay on the main thread
        recycled_deallocate(p, 300);  // cached by this thread...
        void* q = recycled_allocate(300);
        reused = q == p;
        recycled_deallocate(q, 300);
        attached = recycle_cache.attached;
        cached = recycle_cache.counts[(300 - 1) / recycle_granule];
    });  // ...and freed when it exits
    t.join();
#if !defined(__SANITIZE_ADDRESS__)
    CHECK(reused);
    CHECK(attached);
    CHECK(cached == 1);
#else
    CHECK_FALSE(attached);
    CHECK(cached == 0);
    (void)reused;
#endif
}

namespace {
Future<int> add_later(Future<int> a, int b) {
    int x = co_await std::move(a);
    co_return x + b;
}
}  // namespace

TEST_CASE("recycler: Future states and coroutine frames come from it and stay correct", "[core][recycler]") {
    // Many short-lived coroutines and states of different sizes, interleaved, as a server makes
    // them: each result must be its own.
    std::vector<Promise<int>> promises(100);
    std::vector<Future<int>> results;
    for (int i = 0; i < 100; ++i) results.push_back(add_later(promises[static_cast<std::size_t>(i)].get_future(), i));
    for (int i = 99; i >= 0; --i) promises[static_cast<std::size_t>(i)].set_result(1000 * i);
    for (int i = 0; i < 100; ++i) {
        REQUIRE(results[static_cast<std::size_t>(i)].done());
        CHECK(results[static_cast<std::size_t>(i)].result() == 1000 * i + i);
    }
    Promise<std::string> s;
    auto f = s.get_future();
    s.set_result(std::string(500, 'x'));
    CHECK(f.result() == std::string(500, 'x'));
}
