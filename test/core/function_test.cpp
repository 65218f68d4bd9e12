// Tests of MoveOnlyFunction, the callable type behind every IOLoop callback. Internal
// building block with no Tornado counterpart (Python stores plain callables).
#include <memory>
#include <string>

#include "catch.h"
#include "squall/function.h"

using squall::MoveOnlyFunction;

namespace {
struct Counted {
    static inline int alive = 0;
    Counted() { ++alive; }
    Counted(const Counted&) { ++alive; }
    Counted(Counted&&) noexcept { ++alive; }
    ~Counted() { --alive; }
};
}  // namespace

TEST_CASE("MoveOnlyFunction calls small and large callables", "[core][function]") {
    int x = 1;
    MoveOnlyFunction<int(int)> small = [&x](int a) { return a + x; };
    CHECK(small(2) == 3);
    std::string big(100, 'b');
    char pad[64] = {};
    MoveOnlyFunction<std::size_t()> large = [big, pad] { return big.size() + sizeof pad; };
    CHECK(large() == 164);
    MoveOnlyFunction<void()> empty;
    CHECK_FALSE(empty);
    CHECK(small);
}

TEST_CASE("MoveOnlyFunction holds move-only state and moves it", "[core][function]") {
    auto p = std::make_unique<int>(4);
    MoveOnlyFunction<int()> f = [p = std::move(p)] { return *p; };
    MoveOnlyFunction<int()> g = std::move(f);
    CHECK_FALSE(f);
    CHECK(g() == 4);
    MoveOnlyFunction<int()> h;
    h = std::move(g);
    CHECK(h() == 4);
}

TEST_CASE("MoveOnlyFunction destroys what it holds exactly once", "[core][function]") {
    Counted::alive = 0;
    {
        Counted c;
        MoveOnlyFunction<void()> f = [c] {};
        MoveOnlyFunction<void()> g = std::move(f);
        char pad[80] = {};
        MoveOnlyFunction<void()> heap = [c, pad] { (void)pad; };
        MoveOnlyFunction<void()> heap2 = std::move(heap);
        CHECK(Counted::alive == 3);
        g = nullptr;
        CHECK(Counted::alive == 2);
    }
    CHECK(Counted::alive == 0);
}
