// MoveOnlyFunction: a move-only, type-erased callable with small-buffer storage. Public header.
// C++20 has no std::move_only_function; the IOLoop keeps callbacks and timers in this type so
// that a lambda holding a few pointers never touches the heap (Tornado stores plain callables).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstddef>
#include <cstring>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace squall {

template <class Signature>
class MoveOnlyFunction;

/// A move-only `R(Args...)` callable. Callables of up to `inline_size` bytes whose move cannot
/// throw are stored inline; larger ones live on the heap. Calling an empty one is undefined
/// (check with `operator bool`).
template <class R, class... Args>
class MoveOnlyFunction<R(Args...)> {
public:
    static constexpr std::size_t inline_size = 4 * sizeof(void*);

    MoveOnlyFunction() noexcept = default;
    MoveOnlyFunction(std::nullptr_t) noexcept {}

    template <class F, class D = std::decay_t<F>,
              class = std::enable_if_t<!std::is_same_v<D, MoveOnlyFunction> &&
                                       std::is_invocable_r_v<R, D&, Args...>>>
    MoveOnlyFunction(F&& f) {  // NOLINT: implicit like std::function
        // A null function pointer makes an empty function (a function reference never is null).
        if constexpr ((std::is_pointer_v<D> || std::is_member_pointer_v<D>) &&
                      !std::is_function_v<std::remove_reference_t<F>>) {
            if (f == nullptr) return;
        }
        if constexpr (fits_inline<D>()) {
            ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
            ops_ = &inline_ops<D>;
        } else {
            D* p = new D(std::forward<F>(f));
            std::memcpy(storage_, &p, sizeof(p));
            ops_ = &heap_ops<D>;
        }
    }

    MoveOnlyFunction(MoveOnlyFunction&& other) noexcept { take(other); }
    MoveOnlyFunction& operator=(MoveOnlyFunction&& other) noexcept {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }
    MoveOnlyFunction& operator=(std::nullptr_t) noexcept {
        reset();
        return *this;
    }
    MoveOnlyFunction(const MoveOnlyFunction&) = delete;
    MoveOnlyFunction& operator=(const MoveOnlyFunction&) = delete;
    ~MoveOnlyFunction() { reset(); }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    R operator()(Args... args) {
        return ops_->invoke(storage_, std::forward<Args>(args)...);
    }

    void reset() noexcept {
        if (ops_) {
            if (ops_->destroy) ops_->destroy(storage_);
            ops_ = nullptr;
        }
    }

private:
    struct Ops {
        R (*invoke)(void*, Args&&...);
        // null when a plain byte copy relocates the callable (trivially copyable or heap pointer)
        void (*relocate)(void* from, void* to) noexcept;
        void (*destroy)(void*) noexcept;  // null when trivially destructible
    };

    template <class D>
    static constexpr bool fits_inline() {
        return sizeof(D) <= inline_size && alignof(D) <= alignof(std::max_align_t) &&
               std::is_nothrow_move_constructible_v<D>;
    }

    template <class D>
    static R invoke_inline(void* s, Args&&... args) {
        return std::invoke(*std::launder(static_cast<D*>(s)), std::forward<Args>(args)...);
    }
    template <class D>
    static void relocate_inline(void* from, void* to) noexcept {
        D* src = std::launder(static_cast<D*>(from));
        ::new (to) D(std::move(*src));
        src->~D();
    }
    template <class D>
    static void destroy_inline(void* s) noexcept {
        std::launder(static_cast<D*>(s))->~D();
    }
    template <class D>
    static D* heap_ptr(void* s) noexcept {
        D* p;
        std::memcpy(&p, s, sizeof(p));
        return p;
    }
    template <class D>
    static R invoke_heap(void* s, Args&&... args) {
        return std::invoke(*heap_ptr<D>(s), std::forward<Args>(args)...);
    }
    template <class D>
    static void destroy_heap(void* s) noexcept {
        delete heap_ptr<D>(s);
    }

    template <class D>
    static constexpr Ops inline_ops{
        &invoke_inline<D>,
        std::is_trivially_copyable_v<D> ? nullptr : &relocate_inline<D>,
        std::is_trivially_destructible_v<D> ? nullptr : &destroy_inline<D>,
    };
    template <class D>
    static constexpr Ops heap_ops{&invoke_heap<D>, nullptr, &destroy_heap<D>};

    void take(MoveOnlyFunction& other) noexcept {
        ops_ = other.ops_;
        if (!ops_) return;
        if (ops_->relocate)
            ops_->relocate(other.storage_, storage_);
        else
            std::memcpy(storage_, other.storage_, inline_size);
        other.ops_ = nullptr;
    }

    alignas(std::max_align_t) unsigned char storage_[inline_size];
    const Ops* ops_ = nullptr;
};

}  // namespace squall
