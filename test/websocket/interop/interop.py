#!/usr/bin/env python3
"""The interop suite's driver, for both directions. `interop.py SERVER PEER_SCRIPT` tests
squall's server: it starts squall-ws-interop-server on a kernel-chosen loopback port, runs one
peer client script (Python under Debian's /usr/bin/python3, JavaScript under node with Debian's
/usr/share/nodejs on NODE_PATH) with the port as its argument, stops the server and fails if the
peer failed, the server did not exit cleanly or the server logged a warning, an error or a
WebSocket protocol error (except on connections whose id says the peer breaks the protocol on
purpose). `interop.py --client CLIENT PEER_SCRIPT` tests squall's client: it starts one peer
server script the same way, reads the port it prints, runs squall-ws-interop-client with it,
stops the script with SIGTERM and fails if the client failed, the script did not exit with 0 or
it printed anything after its port (an error, a warning, a traceback)."""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile

PEER_TIMEOUT = 90  # seconds for one peer script; each of its steps has its own, shorter ones
PORT_TIMEOUT = 10
STOP_TIMEOUT = 10


def fail(msg):
    print("interop: FAIL: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def python_interpreter():
    """Debian's interpreter, whose dist-packages hold python3-websockets and python3-autobahn
    (a python3 first on PATH, such as a pyenv one, does not see them)."""
    chosen = os.environ.get("SQUALL_INTEROP_PYTHON", "/usr/bin/python3")
    if not os.access(chosen, os.X_OK):
        fail("no Python interpreter at %s (install Debian's python3, or set SQUALL_INTEROP_PYTHON)" % chosen)
    return [chosen], {}


def node_interpreter():
    node = os.environ.get("SQUALL_INTEROP_NODE") or ("/usr/bin/node" if os.access("/usr/bin/node", os.X_OK)
                                                     else shutil.which("node"))
    if not node:
        fail("no node on this machine (install Debian's nodejs and node-ws)")
    paths = [p for p in os.environ.get("NODE_PATH", "").split(":") if p] + ["/usr/share/nodejs"]
    return [node], {"NODE_PATH": ":".join(paths)}


def interpreter(script):
    """The command and the environment additions that run a peer script."""
    return node_interpreter() if script.endswith(".js") else python_interpreter()


def start_server(command, log, env=None):
    """Starts `command`, which prints `port N` first; the process and N."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env)
    ready, _, _ = select.select([proc.stdout], [], [], PORT_TIMEOUT)
    if not ready:
        proc.kill()
        proc.wait()
        fail("the server printed no port within %d s" % PORT_TIMEOUT)
    line = proc.stdout.readline().decode()
    m = re.fullmatch(r"port (\d+)\n", line)
    if not m:
        proc.kill()
        proc.wait()
        fail("unexpected first line from the server: %r" % line)
    return proc, int(m.group(1))


def stop_server(proc):
    """SIGTERM, then its exit status; None if it had died already."""
    if proc.poll() is not None:
        return None
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "still running %d s after SIGTERM" % STOP_TIMEOUT


def test_server(server_exe, script):
    """squall's server against the peer client `script`."""
    command, extra_env = interpreter(script)
    env = dict(os.environ, **extra_env)
    problems = []
    with tempfile.TemporaryFile() as log:
        proc, port = start_server([server_exe], log)
        try:
            peer = subprocess.run(command + [script, str(port)], env=env, timeout=PEER_TIMEOUT)
            if peer.returncode != 0:
                problems.append("the peer %s exited with status %d" % (os.path.basename(script), peer.returncode))
        except subprocess.TimeoutExpired:
            problems.append("the peer %s was still running after %d s" % (os.path.basename(script), PEER_TIMEOUT))
        finally:
            status = stop_server(proc)
        if status is None:
            problems.append("the server died during the test (status %s)" % proc.returncode)
        elif status != 0:
            problems.append("the server's exit: %s" % status)
        log.seek(0)
        server_log = log.read().decode(errors="replace")
    # Tornado's log format: "[W 261203 00:00:00 logger] message"; the access log's warnings are
    # the 4xx answers the peers ask for (a cross-origin handshake). A peer breaks the protocol on
    # purpose only on connections whose id starts with "expect-error-".
    bad = [line for line in server_log.splitlines()
           if re.match(r"\[E ", line) or re.match(r"\[W \S+ \S+ (?!access\])", line)
           or "Uncaught exception" in line
           or ("protocol error" in line and "?id=expect-error-" not in line)]
    if bad:
        problems.append("the server logged:\n  " + "\n  ".join(bad))
    return report(problems, "server log", server_log, "%s passed against squall's server" % os.path.basename(script))


def report(problems, log_name, log_text, success):
    """Prints the log and the problems, or `success` when there are none; the exit status."""
    if problems:
        print("--- %s ---\n%s--- end of %s ---" % (log_name, log_text, log_name), file=sys.stderr)
        for p in problems:
            print("interop: FAIL: " + p, file=sys.stderr)
        return 1
    print("interop: " + success)
    return 0


def run_client(client_exe, port):
    """squall-ws-interop-client's problem, or None when all its checks passed."""
    try:
        client = subprocess.run([client_exe, str(port)], timeout=PEER_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "squall's client was still running after %d s" % PEER_TIMEOUT
    if client.returncode != 0:
        return "squall's client exited with status %d" % client.returncode
    return None


def test_client(client_exe, script):
    """squall's client against the peer server `script`."""
    command, extra_env = interpreter(script)
    with tempfile.TemporaryFile() as log:
        proc, port = start_server(command + [script], log, dict(os.environ, **extra_env))
        try:
            problems = [p for p in [run_client(client_exe, port)] if p]
        finally:
            status = stop_server(proc)
        if status != 0:
            problems.append("the peer server's exit: %s" % ("died during the test, status %s" % proc.returncode
                                                             if status is None else status))
        log.seek(0)
        server_log = log.read().decode(errors="replace") + proc.stdout.read().decode(errors="replace")
    # A peer server prints nothing after its port unless its library reported a problem: an
    # error, a traceback or (Autobahn) a warning on a connection it failed.
    if server_log.strip():
        problems.append("the peer server printed:\n  " + "\n  ".join(server_log.splitlines()))
    return report(problems, "peer server output", server_log,
                  "squall's client passed against %s" % os.path.basename(script))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--client":
        return test_client(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 3:
        return test_server(sys.argv[1], sys.argv[2])
    print("usage: interop.py SERVER PEER_SCRIPT | interop.py --client CLIENT PEER_SCRIPT", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
