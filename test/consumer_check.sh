#!/usr/bin/env bash
# Builds test/consumer with this checkout as its `subprojects/squall` (what a meson wrap gives a
# user) and runs it; also checks that squall's own tests and tools were not built there.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/test/consumer" "$work/app"
mkdir -p "$work/app/subprojects"
ln -s "$src" "$work/app/subprojects/squall"
meson setup "$work/build" "$work/app" >/dev/null
ninja -C "$work/build" >/dev/null
"$work/build/consumer"
if find "$work/build/subprojects" -name 'test_core' -o -name 'squall-pollbench' | grep -q .; then
    echo "squall built its tests or tools as a subproject" >&2
    exit 1
fi
