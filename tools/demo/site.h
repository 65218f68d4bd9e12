// The demo's site directory: static/hello.txt, static/big.bin (1 MiB, byte i = i mod 251),
// static/sub/nested.txt, the pages' templates in templates/ and secret.txt outside the static
// root. Part of squall-demo.
#pragma once

#include <string>

namespace squall::demo {

/// Writes the demo files into `dir` (created if missing); throws std::runtime_error on failure.
void populate_site(const std::string& dir);
/// A fresh private directory under $TMPDIR (or /tmp) with the demo files.
std::string make_temporary_site();
/// Removes a directory made by make_temporary_site.
void remove_site(const std::string& dir);
/// True for a directory make_temporary_site made (its name and its files), never for another:
/// the one path removed on a word from the environment.
bool is_temporary_site(const std::string& dir);

}  // namespace squall::demo
