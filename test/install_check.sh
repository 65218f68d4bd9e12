#!/usr/bin/env bash
# Installs this build into a temporary directory (meson install --destdir) and uses it as users of
# an installed squall do: test/consumer through `pkg-config --cflags --libs squall`, and
# test/cmake_consumer through CMake's find_package(squall); each program must run and exit 0.
# Usage: install_check.sh BUILD_DIR COMPILER [COMPILER ARGS...]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$1
shift
cxx=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The build is up to date: meson test built it before running this.
meson install -C "$build" --no-rebuild --destdir "$work/root" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log"; exit 1; }
read -r prefix libdir datadir < <(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
print(opts["prefix"], opts["libdir"], opts["datadir"])')
root=$work/root$prefix

cmp -s "$src/LICENSE" "$root/$datadir/doc/squall/LICENSE" || { echo "LICENSE not installed" >&2; exit 1; }

# pkg-config: the .pc names the real prefix; --define-variable points it at the temporary one.
export PKG_CONFIG_PATH=$root/$libdir/pkgconfig
flags=$(pkg-config --define-variable=prefix="$root" --cflags --libs squall)
case " $flags " in *" -I$root/"*) ;; *) echo "pkg-config's flags miss the installed headers: $flags" >&2; exit 1 ;; esac
# shellcheck disable=SC2086  # the flags are words
"${cxx[@]}" -std=c++20 -Wall -Wextra -Werror -o "$work/pc-consumer" "$src/test/consumer/main.cpp" $flags
"$work/pc-consumer"

# CMake: squall::squall must carry the headers, the libraries and C++20 (the project sets none).
cmake -S "$src/test/cmake_consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$root" \
      -DCMAKE_CXX_COMPILER="${cxx[-1]}" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" \
      -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; exit 1; }
found=$(sed -n 's/^squall_DIR:PATH=//p' "$work/cmake/CMakeCache.txt")
case "$found" in "$root"/*) ;; *) echo "CMake found squall in $found, not in the test's install" >&2; exit 1 ;; esac
cmake --build "$work/cmake" >"$work/cmake-build.log" 2>&1 || { cat "$work/cmake-build.log"; exit 1; }
"$work/cmake/app"
