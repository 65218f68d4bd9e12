// squall's one way to learn, after running code that may have deleted an object, whether the
// object still exists: the object owns a Lifetime; frames running its code and callbacks queued
// for later hold Watches. Internal, used across the libraries (docs/ioloop.md, "Lifetimes").
#pragma once

#include <cstdint>
#include <utility>

namespace squall::detail {

/// Ended by end() or by its destruction, whichever comes first. Not thread-safe: an object
/// and its watches live on one IOLoop's thread, like the callbacks that check them. A watch
/// costs no allocation (the block is allocated once per Lifetime) and no atomic operation.
class Lifetime {
    struct Block {
        std::uint32_t refs = 1;
        bool alive = true;
    };

public:
    class Watch {
    public:
        Watch() noexcept = default;
        Watch(const Watch& other) noexcept : block_(other.block_) {
            if (block_) ++block_->refs;
        }
        Watch(Watch&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
        Watch& operator=(Watch other) noexcept {
            std::swap(block_, other.block_);
            return *this;
        }
        ~Watch() { release(); }

        /// The watched object still exists and has not ended its lifetime.
        bool alive() const noexcept { return block_ && block_->alive; }

    private:
        friend class Lifetime;
        explicit Watch(Block* block) noexcept : block_(block) { ++block_->refs; }
        void release() noexcept {
            if (block_ && --block_->refs == 0) delete block_;
        }
        Block* block_ = nullptr;
    };

    Lifetime() : block_(new Block) {}
    Lifetime(const Lifetime&) = delete;
    Lifetime& operator=(const Lifetime&) = delete;
    ~Lifetime() {
        end();
        if (--block_->refs == 0) delete block_;
    }

    /// Every watch now sees the object gone: for an owner that is being torn down (or closed
    /// for good) before its destructor runs.
    void end() noexcept { block_->alive = false; }
    bool ended() const noexcept { return !block_->alive; }
    Watch watch() const noexcept { return Watch(block_); }

private:
    Block* block_;
};

}  // namespace squall::detail
