// Counts heap allocations made through operator new in a benchmark binary and, when
// SQUALL_BENCH_ALLOCS is set, prints them per request each second: performance-notes.md asks
// for allocations per request to be driven toward zero. Include from exactly one file.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>

#include "squall/ioloop.h"

namespace squall::bench {

inline std::atomic<std::size_t> allocations{0};
/// Incremented by the server for each request it answers.
inline std::size_t requests = 0;

/// The reporter, or nothing when SQUALL_BENCH_ALLOCS is unset.
inline std::unique_ptr<PeriodicCallback> report_allocations(IOLoop& loop) {
    if (!std::getenv("SQUALL_BENCH_ALLOCS")) return nullptr;
    auto report = std::make_unique<PeriodicCallback>(
        [last_allocs = std::size_t{0}, last_requests = std::size_t{0}]() mutable {
            std::size_t a = allocations.load(std::memory_order_relaxed), r = requests;
            if (r > last_requests)
                std::fprintf(stderr, "allocations/request %.2f over %zu requests\n",
                             double(a - last_allocs) / double(r - last_requests), r - last_requests);
            last_allocs = a;
            last_requests = r;
        },
        std::chrono::seconds(1), loop);
    report->start();
    return report;
}

}  // namespace squall::bench

void* operator new(std::size_t n) {
    squall::bench::allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
