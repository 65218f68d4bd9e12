// Tests of detail::Lifetime, the one way squall's objects let callbacks learn that they were
// destroyed or ended: watches outlive the object, copies and moves share the block.
#include <memory>
#include <vector>

#include "catch.h"
#include "squall/detail/lifetime.h"

using squall::detail::Lifetime;

TEST_CASE("Lifetime: watches see the owner's end, by end() or destruction, and outlive it", "[core][lifetime]") {
    Lifetime::Watch outliving;
    CHECK_FALSE(outliving.alive());  // a default watch watches nothing
    {
        auto owner = std::make_unique<Lifetime>();
        Lifetime::Watch w = owner->watch();
        Lifetime::Watch copy = w;
        outliving = std::move(copy);
        CHECK(w.alive());
        CHECK(outliving.alive());
        owner.reset();  // the object is deleted, say from inside its own callback
        CHECK_FALSE(w.alive());
        CHECK_FALSE(outliving.alive());
    }
    CHECK_FALSE(outliving.alive());  // the block outlives the owner and the first watch

    Lifetime closing;
    std::vector<Lifetime::Watch> many(3, closing.watch());
    CHECK_FALSE(closing.ended());
    closing.end();  // closed for good before its destructor
    CHECK(closing.ended());
    for (const auto& w : many) CHECK_FALSE(w.alive());
}
