#!/usr/bin/env python3
"""squall-demo shut down with SIGTERM under load: keep-alive clients hammer /hello and /echo,
streamed uploads are half sent, a WebSocket is open and a kept-alive connection sits idle. After
the signal the idle connection must close at once, every upload must finish with its right
digest and Connection: close, the WebSocket must get a 1001 close, new connections must be
refused, the process must exit 0 on its own, and every request the server logged as answered
must have reached its client whole (none lost). Usage: graceful_shutdown_test.py SQUALL_DEMO"""

import base64
import hashlib
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading

TIMEOUT = 15  # seconds for any one step
LOAD_CLIENTS = 16
UPLOADS = 4
UPLOAD_SIZE = 1 << 20


def fail(msg):
    print("graceful-shutdown: FAIL: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


class Demo:
    """The demo on a kernel-chosen port, its log lines collected as they come."""

    def __init__(self, path):
        self.proc = subprocess.Popen([path, "--port", "0", "--logging", "info", "--shutdown-grace", "20"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        if not ready:
            self.proc.kill()
            fail("squall-demo printed nothing within %d s" % TIMEOUT)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"squall-demo listening on http://[\d.]+:(\d+)/", line)
        if not m:
            self.proc.kill()
            fail("unexpected first line: %r" % line)
        self.port = int(m.group(1))
        self.log = []
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()

    def _read_log(self):
        for raw in self.proc.stderr:
            self.log.append(raw.decode(errors="replace").rstrip("\n"))

    def answered(self, method, path):
        """Requests the access log shows answered with 200."""
        pattern = re.compile(r"\] 200 %s %s " % (method, re.escape(path)))
        return sum(1 for line in self.log if pattern.search(line))


def connect(port):
    c = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def read_response(c, pending=b""):
    """(status, headers, body, rest) of one Content-Length response; None if the connection
    ended before any of it; raises if it ended in the middle."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = c.recv(65536)
        if not chunk:
            if data:
                raise ConnectionError("closed inside a response head")
            return None
        data += chunk
    head, _, data = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(data) < length:
        chunk = c.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside a response body")
        data += chunk
    return status, headers, data[:length], data[length:]


def expect_eof(c, what):
    try:
        while True:
            chunk = c.recv(65536)
            if not chunk:
                return
    except ConnectionResetError:
        return
    except socket.timeout:
        fail(what + ": still open after %d s" % TIMEOUT)


class LoadClient(threading.Thread):
    """One keep-alive connection sending /hello and /echo in turn until the server closes it."""

    def __init__(self, port, index, progress):
        super().__init__(daemon=True)
        self.port, self.index, self.progress = port, index, progress
        self.completed = {"GET /hello": 0, "POST /echo": 0}
        self.unanswered = 0  # sent, then the connection closed before any byte of an answer
        self.error = None

    def run(self):
        try:
            c = connect(self.port)
            n = 0
            while True:
                n += 1
                body = ("%d-%d" % (self.index, n)).encode()
                if n % 2:
                    key, request = "GET /hello", b"GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"
                else:
                    key = "POST /echo"
                    request = b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                try:
                    c.sendall(request)
                    response = read_response(c)
                except (ConnectionResetError, BrokenPipeError):
                    response = None
                if response is None:
                    self.unanswered += 1
                    return
                status, headers, got, _ = response
                expected = b"Hello, world" if key == "GET /hello" else body
                if status != 200 or got != expected:
                    self.error = "%s answered %d %r" % (key, status, got[:60])
                    return
                self.completed[key] += 1
                self.progress.release()
                if headers.get("connection") == "close":
                    expect_eof(c, "a load connection told Connection: close")
                    return
        except Exception as e:  # reported by the main thread
            self.error = "load client %d: %r" % (self.index, e)


def start_upload(port, index):
    c = connect(port)
    body = hashlib.sha256(b"upload %d" % index).digest() * (UPLOAD_SIZE // 32)
    c.sendall(b"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(body))
    c.sendall(body[:len(body) // 2])
    return c, body


def finish_upload(c, body, index):
    c.sendall(body[len(body) // 2:])
    response = read_response(c)
    if response is None:
        fail("upload %d: closed without an answer" % index)
    status, headers, got, _ = response
    if status != 200 or (b'"%s"' % hashlib.sha256(body).hexdigest().encode()) not in got:
        fail("upload %d: answered %d %r" % (index, status, got[:100]))
    if headers.get("connection") != "close":
        fail("upload %d: answered during the shutdown without Connection: close" % index)
    expect_eof(c, "upload %d after its answer" % index)


def open_websocket(port):
    c = connect(port)
    key = base64.b64encode(os.urandom(16)).decode()
    c.sendall(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (port, key)).encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(4096)
        if not chunk:
            fail("websocket: closed during the handshake")
        data += chunk
    if not data.startswith(b"HTTP/1.1 101"):
        fail("websocket: handshake answered %r" % data[:80])
    return c, data.partition(b"\r\n\r\n")[2]


def masked_frame(opcode, payload):
    mask = os.urandom(4)
    return (bytes([0x80 | opcode, 0x80 | len(payload)]) + mask +
            bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def read_frame(c, data):
    """(opcode, payload, rest) of one unmasked server frame of at most 125 bytes."""
    while len(data) < 2 or len(data) < 2 + (data[1] & 0x7F):
        chunk = c.recv(4096)
        if not chunk:
            fail("websocket: closed inside a frame")
        data += chunk
    length = data[1] & 0x7F
    return data[0] & 0x0F, data[2:2 + length], data[2 + length:]


def main():
    demo = Demo(sys.argv[1])
    port = demo.port

    idle = connect(port)
    idle.sendall(b"GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
    if read_response(idle) is None:
        fail("idle connection: no first answer")

    ws, pending = open_websocket(port)
    ws.sendall(masked_frame(0x1, b"still here"))
    opcode, payload, pending = read_frame(ws, pending)
    if (opcode, payload) != (0x1, b"still here"):
        fail("websocket: echo was %r %r" % (opcode, payload))

    uploads = [start_upload(port, i) for i in range(UPLOADS)]

    progress = threading.Semaphore(0)
    load = [LoadClient(port, i, progress) for i in range(LOAD_CLIENTS)]
    for t in load:
        t.start()
    for _ in range(20 * LOAD_CLIENTS):  # the load is running: answers are coming back
        if not progress.acquire(timeout=TIMEOUT):
            fail("the load got no answers")

    demo.proc.send_signal(signal.SIGTERM)

    expect_eof(idle, "the idle keep-alive connection")
    try:
        connect(port).close()
        fail("a new connection was accepted after SIGTERM")
    except ConnectionRefusedError:
        pass

    opcode, payload, pending = read_frame(ws, pending)
    if opcode != 0x8 or struct.unpack("!H", payload[:2])[0] != 1001:
        fail("websocket: expected a 1001 close, got %r %r" % (opcode, payload))
    ws.sendall(masked_frame(0x8, struct.pack("!H", 1001)))
    expect_eof(ws, "the websocket after its closing handshake")

    for i, (c, body) in enumerate(uploads):
        finish_upload(c, body, i)

    for t in load:
        t.join(TIMEOUT)
        if t.is_alive():
            fail("a load client is still running")
        if t.error:
            fail(t.error)

    try:
        code = demo.proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        demo.proc.kill()
        fail("squall-demo did not exit after the shutdown")
    demo.reader.join(TIMEOUT)
    if code != 0:
        fail("squall-demo exited with %d" % code)
    if not any("Shut down: every connection is closed" in line for line in demo.log):
        fail("no shutdown line in the log:\n" + "\n".join(demo.log[-20:]))

    received = {"GET /hello": 1, "POST /echo": 0}  # the idle connection's one answer
    for t in load:
        for key, n in t.completed.items():
            received[key] += n
    for key, n in received.items():
        method, path = key.split()
        logged = demo.answered(method, path)
        if logged != n:
            fail("%s: the server answered %d, the clients received %d" % (key, logged, n))
    if demo.answered("POST", "/upload") != UPLOADS:
        fail("uploads: the log shows %d answered" % demo.answered("POST", "/upload"))
    unanswered = sum(t.unanswered for t in load)
    print("graceful-shutdown: ok: %d /hello and %d /echo answered and received, %d uploads finished; "
          "%d requests were sent on idle connections as they closed (never read by the server)"
          % (received["GET /hello"], received["POST /echo"], UPLOADS, unanswered), flush=True)


if __name__ == "__main__":
    main()
