#!/usr/bin/env python3
"""Prints "N passed, N failed" for one build's test run: Catch2 test cases from the tally files
that test/support/main.cpp writes, plus one per meson test that failed without reporting failing
cases (a crash, a sanitizer abort, a timeout) or that has no Catch2 tally at all."""
import json
import os
import sys

build = sys.argv[1]
passed = failed = 0
log = os.path.join(build, "meson-logs", "testlog.json")
with open(log) as f:
    for line in f:
        if not line.strip():
            continue
        t = json.loads(line)
        name = t["name"].split(" / ")[-1].strip()
        result = t["result"]
        tally = os.path.join(build, "tally-%s.txt" % name)
        ok = result in ("OK", "EXPECTEDFAIL", "SKIP")
        if result == "SKIP":
            continue
        if os.path.exists(tally):
            with open(tally) as tf:
                p, fl = (int(x) for x in tf.read().split()[:2])
            passed += p
            failed += fl
            if not ok and fl == 0:
                failed += 1
        elif ok:
            passed += 1
        else:
            failed += 1
print("%d passed, %d failed" % (passed, failed))
