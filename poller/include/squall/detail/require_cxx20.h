// Stops a compilation that is not C++20 with one clear error, before the first C++20 header
// (<coroutine>, <span>, <concepts>) buries it under a cascade. Every public header includes it
// first; it sits in poller/, the lowest layer, so that every library sees it.
#pragma once

// g++ 10 reports -std=c++20 as 201709L, so it lands in the first branch; a C++20 mode without
// coroutines (-fno-coroutines, or a compiler without them) in the second. Both name what works.
// #error alone lets the compiler go on into the cascade; a missing include is fatal in g++ and
// clang, so the file named below (which does not exist) ends the compilation right after it.
#if !defined(__cplusplus) || __cplusplus < 202002L
#error "squall needs C++20: compile with -std=c++20 (g++ 12 or clang 14 and newer)"
#include <squall/detail/compilation-stopped-here>
#elif !defined(__cpp_impl_coroutine)
#error "squall needs C++20 coroutines: compile with -std=c++20, without -fno-coroutines (g++ 12 or clang 14 and newer)"
#include <squall/detail/compilation-stopped-here>
#endif
