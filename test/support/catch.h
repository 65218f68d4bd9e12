// The one include for Catch2 in squall's tests. Internal test header. Debian 12 ships Catch2 v2;
// this picks v3's headers instead when they exist, so moving to v3 is a one-line change.
#pragma once

#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
