#!/usr/bin/env python3
"""squall-demo under socket activation, as systemd starts it: the test owns a listening socket,
queues a request on it before any server runs, starts squall-demo with the socket as descriptor
3 and LISTEN_PID / LISTEN_FDS set, and checks the queued request and new ones are answered; then
it stops that server and starts another on the same socket (a restart), again with a request
waiting. A descriptor 3 that is not a listening socket, and sockets meant for another process,
are checked too. Usage: socket_activation_test.py SQUALL_DEMO"""

import os
import re
import select
import signal
import socket
import subprocess
import sys

TIMEOUT = 10  # seconds for each step


def fail(msg):
    print("socket-activation: FAIL: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def start_demo(demo, fd3, listen_pid="$$", count="1"):
    """squall-demo with `fd3` (a descriptor or None) as descriptor 3 and the variables set by the
    shell that then becomes it, so $$ is the demo's own process id."""
    def place_fd():
        if fd3 is not None:
            os.dup2(fd3, 3)
            os.set_inheritable(3, True)  # dup2 onto itself (fd3 may be 3) keeps close-on-exec
    script = 'LISTEN_PID=%s LISTEN_FDS=%s exec "$0" --port 0 --logging warning' % (listen_pid, count)
    return subprocess.Popen(["/bin/sh", "-c", script, demo], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=place_fd, close_fds=False)


def first_line(proc):
    ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
    if not ready:
        proc.kill()
        fail("squall-demo printed nothing within %d s" % TIMEOUT)
    return proc.stdout.readline().decode()


def listening_port(line):
    m = re.match(r"squall-demo listening on http://([\d.]+):(\d+)/", line)
    if not m:
        fail("unexpected first line: %r" % line)
    return int(m.group(2))


def send_request(port):
    c = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    c.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    return c


def expect_answer(c, what):
    data = b""
    try:
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        fail("%s: no complete answer within %d s" % (what, TIMEOUT))
    c.close()
    if not data.startswith(b"HTTP/1.1 200 "):
        fail("%s: answered %r" % (what, data[:80]))


def stop(proc, what):
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        fail("%s still running %d s after SIGTERM" % (what, TIMEOUT))
    errors = proc.stderr.read().decode()
    if code != 0:
        fail("%s exited with %d: %s" % (what, code, errors))


def serve_with_activation(demo, listener, port, what):
    """A request queued before the server starts, then one after: both answered."""
    waiting = send_request(port)  # in the kernel's backlog: nothing accepts yet
    proc = start_demo(demo, listener.fileno())
    served = listening_port(first_line(proc))
    if served != port:
        fail("%s listens on %d, not on the passed socket's %d" % (what, served, port))
    expect_answer(waiting, what + ", the request queued before it started")
    expect_answer(send_request(port), what + ", a request after it started")
    stop(proc, what)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    demo = sys.argv[1]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]

    serve_with_activation(demo, listener, port, "the first server")
    serve_with_activation(demo, listener, port, "the restarted server")  # same socket: nothing refused

    # Sockets meant for another process are not taken: the demo binds its own port.
    other = start_demo(demo, listener.fileno(), listen_pid="1")
    if listening_port(first_line(other)) == port:
        fail("a server took sockets whose LISTEN_PID names another process")
    stop(other, "the server given another process's sockets")

    # Descriptor 3 is not a listening socket: a clear error and exit 1, nothing served.
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    bad = start_demo(demo, plain.fileno())
    try:
        code = bad.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        bad.kill()
        fail("squall-demo kept running with a descriptor 3 that is not a listening socket")
    message = bad.stderr.read().decode()
    if code != 1 or "descriptor 3 is not a listening socket" not in message:
        fail("a non-listening descriptor 3: exit %d, %r" % (code, message))
    print("socket-activation: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
