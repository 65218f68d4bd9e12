"""What the Python peer scripts of the interop suite share: the messages the clients send, the
check that fails a client with a clear message, GET /last-close, which tells how squall's server
saw a connection end, and the clients' and servers' message for a library that is missing.
Standard library only, so it runs under whichever interpreter has the peer."""

import json
import sys
import urllib.error
import urllib.request

# Text with one-, two-, three- and four-byte UTF-8 characters.
UTF8_TEXT = "héllo wörld — ☃ 日本語 🎉 ∑"

# (name, payload): lengths on each side of the 7-bit, 16-bit and 64-bit length encodings,
# 64 KiB + 1 and 1 MiB; every byte value appears.
BINARY_PAYLOADS = [
    ("0 bytes", b""),
    ("125 bytes", bytes(range(125))),
    ("126 bytes", bytes(range(126))),
    ("65535 bytes", bytes(i % 256 for i in range(65535))),
    ("65536 bytes", bytes((i * 7) % 256 for i in range(65536))),
    ("64 KiB + 1", bytes((i * 13 + 5) % 256 for i in range(65537))),
    ("1 MiB", bytes((i * 31 + i // 256) % 256 for i in range(1 << 20))),
]

# A long text: multi-byte characters that the 16 KiB-ish reads of a server split anywhere.
LONG_TEXT = (UTF8_TEXT + " ") * 6000

STEP_TIMEOUT = 10  # seconds for any single exchange


class Mismatch(Exception):
    pass


def check(cond, what):
    """Fails the script with `what` unless `cond`."""
    if not cond:
        raise Mismatch(what)


def describe(value):
    """A short view of a message for an error line."""
    if isinstance(value, (bytes, bytearray)):
        return "%d bytes %r..." % (len(value), bytes(value[:16]))
    if isinstance(value, str):
        return "%d chars %r" % (len(value), value[:40])
    return repr(value)


def check_equal(got, want, what):
    check(type(got) == type(want) and got == want, "%s: got %s, want %s" % (what, describe(got), describe(want)))


def last_close(port, conn_id):
    """The server's record of connection `conn_id`: {"code", "reason", "path", "subprotocol",
    "messages"}; the server waits for that connection to end before answering."""
    url = "http://127.0.0.1:%d/last-close?id=%s" % (port, conn_id)
    try:
        with urllib.request.urlopen(url, timeout=STEP_TIMEOUT + 5) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise Mismatch("GET /last-close?id=%s: %d %s" % (conn_id, e.code, e.read().decode(errors="replace")))


def check_server_saw(port, conn_id, code, reason=None):
    record = last_close(port, conn_id)
    check(record["code"] == code, "the server saw close code %r on %s, want %r" % (record["code"], conn_id, code))
    if reason is not None:
        check(record["reason"] == reason,
              "the server saw close reason %r on %s, want %r" % (record["reason"], conn_id, reason))
    return record


def missing_library(script, library, package, error):
    """Exits 1 saying that `script` cannot import `library` and which Debian package has it."""
    print("%s: cannot import %s under %s (%s): apt-get install %s" % (script, library, sys.executable, error, package),
          file=sys.stderr)
    sys.exit(1)


def run_checks(peer, checks):
    """Runs each (name, callable) in order, printing a line per check; exits 1 at the first
    failure (its message says what differed), 0 when all passed."""
    for name, fn in checks:
        try:
            fn()
        except Mismatch as e:
            print("%s: FAIL %s: %s" % (peer, name, e), file=sys.stderr, flush=True)
            sys.exit(1)
        except Exception as e:  # a timeout or a library error is a failure too, with its type
            print("%s: FAIL %s: %s: %s" % (peer, name, type(e).__name__, e), file=sys.stderr, flush=True)
            sys.exit(1)
        print("%s: ok %s" % (peer, name), flush=True)
    print("%s: all %d checks passed" % (peer, len(checks)), flush=True)
