// The longest text a regular expression can match, read off its syntax, so that a search over
// a growing buffer can resume near where the last one stopped. Internal to the core; used by
// IOStream::read_until_regex (tornado/iostream.py has no such thing: it rescans everything).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace squall::detail {

/// An upper bound on the length in bytes of any match of `pattern` (RE2 syntax, Latin-1), or
/// nullopt when matches are unbounded (`*`, `+`, `{n,}`) or the syntax is not understood.
/// The bound may overestimate; it never underestimates. `pattern` must already be valid.
std::optional<std::size_t> max_match_width(std::string_view pattern);

}  // namespace squall::detail
