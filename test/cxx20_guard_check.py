#!/usr/bin/env python3
"""Checks squall/detail/require_cxx20.h: every top-level public header, compiled as C++17 (or
without coroutines), stops with squall's one #error and no cascade from <coroutine>; all of them
together compile cleanly as C++20 with the same compiler and flags.
Usage: cxx20_guard_check.py SOURCE_ROOT COMPILER [COMPILER ARGS...]"""
import glob
import os
import re
import subprocess
import sys
import tempfile

src, compiler = sys.argv[1], sys.argv[2:]
include_dirs = [os.path.join(src, d, "include") for d in ("poller", "lib", "http", "web", "websocket")]
# Globbed rather than listed, so that a header added later is checked without anyone remembering.
headers = sorted(os.path.relpath(h, d) for d in include_dirs
                 for h in glob.glob(os.path.join(d, "squall", "**", "*.h"), recursive=True)
                 if os.sep + "detail" + os.sep not in h)
if len(headers) < 30:
    sys.exit("found only %d public headers under %s" % (len(headers), include_dirs))

flags = ["-fsyntax-only", "-Wall", "-Wextra", "-Werror"] + ["-I" + d for d in include_dirs]
failures = []


def compile_tu(text, std_flags):
    with tempfile.NamedTemporaryFile("w", suffix=".cpp") as tu:
        tu.write(text)
        tu.flush()
        r = subprocess.run(compiler + std_flags + flags + [tu.name], capture_output=True, text=True,
                           timeout=120)
    return r.returncode, r.stderr


def expect_guard(header, std_flags, message):
    rc, err = compile_tu("#include <%s>\n" % header, std_flags)
    # Diagnostics only ("file:line:col: error:"), not the source lines g++ echoes under them.
    errors = [line for line in err.splitlines() if re.search(r":\d+:\d+: (fatal )?error:", line)]
    what = "%s with %s" % (header, " ".join(std_flags))
    if rc == 0:
        failures.append("%s: compiled, expected the C++20 #error" % what)
    elif not errors or message not in errors[0]:
        failures.append("%s: first error is not squall's #error:\n%s" % (what, err))
    elif len(errors) != 2 or "compilation-stopped-here" not in errors[1]:
        failures.append("%s: more errors than the #error and the stop:\n%s" % (what, err))
    elif "coroutine header" in err or "/coroutine:" in err:
        failures.append("%s: <coroutine>'s own error came through:\n%s" % (what, err))


for h in headers:
    expect_guard(h, ["-std=c++17"], "squall needs C++20: compile with -std=c++20")
# gnu++17 is g++'s default; the coroutine branch is g++'s -fno-coroutines (clang has no such flag).
expect_guard("squall/ioloop.h", ["-std=gnu++17"], "squall needs C++20: compile with -std=c++20")
if "clang" not in os.path.basename(compiler[0]):
    expect_guard("squall/concurrent.h", ["-std=c++20", "-fno-coroutines"], "squall needs C++20 coroutines")

rc, err = compile_tu("".join("#include <%s>\n" % h for h in headers), ["-std=c++20"])
if rc != 0 or err.strip():
    failures.append("the public headers together as C++20: exit %d\n%s" % (rc, err))

for f in failures:
    print("FAIL", f)
print("%d public headers checked as C++17 and C++20: %d failures" % (len(headers), len(failures)))
sys.exit(1 if failures else 0)
