#!/usr/bin/env python3
"""The abuse suite's attacker: starts squall-abuse-server as a child process on a loopback port,
runs one attack on it (`abuse.py ATTACK SERVER`), then checks that the server still answers a
probe promptly, that its descriptor count is back where it began and that its memory stayed
within a stated bound. The figures go to stderr; the exit status is 1 if any check failed."""

import gzip
import os
import re
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

MB = 1024 * 1024
failures = []


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def check(cond, msg):
    if not cond:
        failures.append(msg)
        log("FAIL: " + msg)
    return cond


def raise_fd_limit():
    """The soft limit (often 1,024) up to the hard one; the server inherits it as well."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# ---- the server under attack -------------------------------------------------------------------

class Server:
    started = []  # killed at exit if an attack ends by an exception

    def __init__(self, exe, *flags):
        # meson test sets MALLOC_PERTURB_, which fills every allocation and so makes all of it
        # resident: the memory figures are of the server as it runs without it.
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_PERTURB_"}
        self.proc = subprocess.Popen([exe, *flags], stdout=subprocess.PIPE, env=env)
        Server.started.append(self.proc)
        self.port = self._read_port(10.0)
        self.pid = self.proc.pid

    def _read_port(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.proc.kill()
            raise RuntimeError("the server printed no port within %.0f s" % timeout)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"port (\d+)", line)
        if not m:
            raise RuntimeError("unexpected first line from the server: %r" % line)
        return int(m.group(1))

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.pid))

    def memory(self):
        """(VmRSS, VmHWM) in bytes."""
        fields = {}
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    fields[name] = int(value.split()[0]) * 1024
        return fields["VmRSS"], fields["VmHWM"]

    def wait_fds(self, target, timeout):
        """Polls until the count is at most `target` (or the deadline passes); returns the count."""
        deadline = time.monotonic() + timeout
        n = self.fds()
        while n > target and time.monotonic() < deadline:
            time.sleep(0.05)
            n = self.fds()
        return n

    def wait_rss(self, target, timeout):
        """Polls until VmRSS is at most `target` bytes (or the deadline passes); returns it."""
        deadline = time.monotonic() + timeout
        rss = self.memory()[0]
        while rss > target and time.monotonic() < deadline:
            time.sleep(0.05)
            rss = self.memory()[0]
        return rss

    def settled_fds(self, period=0.3):
        """The fewest descriptors seen over `period`: the warm-up probe's may still be closing."""
        deadline = time.monotonic() + period
        n = self.fds()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            n = min(n, self.fds())
        return n

    def wait_fds_at_least(self, target, timeout):
        deadline = time.monotonic() + timeout
        n = self.fds()
        while n < target and time.monotonic() < deadline:
            time.sleep(0.05)
            n = self.fds()
        return n

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if not check(self.alive(), "the server died during the attack (status %s)" % self.proc.returncode):
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            check(False, "the server did not stop within 10 s of SIGTERM")
            return
        check(code == 0, "the server exited with status %d" % code)


# ---- HTTP over plain sockets ---------------------------------------------------------------------

class Conn:
    """One client connection reading HTTP/1.1 responses with a deadline on every wait."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.eof = False

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no response before the deadline")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(1 << 20)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _line(self, deadline):
        while b"\r\n" not in self.buf:
            if not self._fill(deadline):
                return None
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _exactly(self, n, deadline):
        while len(self.buf) < n:
            if not self._fill(deadline):
                return None
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self, timeout=5.0, head=False):
        """(status, headers, body), or None if the server closed before a whole response."""
        deadline = time.monotonic() + timeout
        status_line = self._line(deadline)
        if not status_line:
            return None
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = self._line(deadline)
            if line is None:
                return None
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self._read_body(headers, deadline, head)
        return None if body is None else (status, headers, body)

    def _read_body(self, headers, deadline, head):
        if head:
            return b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size_line = self._line(deadline)
                if size_line is None:
                    return None
                size = int(size_line.split(b";")[0], 16)
                if size == 0:
                    return body if self._line(deadline) is not None else None
                piece = self._exactly(size + 2, deadline)
                if piece is None:
                    return None
                body += piece[:-2]
        return self._exactly(int(headers.get("content-length", "0")), deadline)

    def closed_by_peer(self, timeout=5.0):
        """True once the server closes (EOF or reset) with nothing more sent, before the deadline."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except TimeoutError:
            return False
        return True

    def close(self):
        self.sock.close()


def reset(sock):
    """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def get(port, path, headers=b"", timeout=5.0):
    c = Conn(port, timeout)
    try:
        c.send(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        return c.read_response(timeout)
    finally:
        c.close()


def probe(port, timeout=2.0):
    """Seconds for GET /hello on a new connection; raises if the answer is wrong or late."""
    start = time.monotonic()
    r = get(port, "/hello", b"Connection: close\r\n", timeout)
    if r is None or r[0] != 200 or r[2] != b"Hello, world":
        raise RuntimeError("bad probe answer: %r" % (r,))
    return time.monotonic() - start


class Prober(threading.Thread):
    """Probes the server every `interval` seconds while an attack runs: other clients are served."""

    def __init__(self, port, interval=0.1):
        super().__init__(daemon=True)
        self.port, self.interval = port, interval
        self.latencies, self.errors = [], []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                self.latencies.append(probe(self.port))
            except Exception as e:  # noqa: BLE001 - every failure is a finding
                self.errors.append(repr(e))
            self.stopping.wait(self.interval)

    def finish(self, max_latency):
        self.stopping.set()
        self.join(10)
        worst = max(self.latencies, default=0.0)
        log("  probes during the attack: %d answered, %d failed, worst %.1f ms, median %.1f ms" % (
            len(self.latencies), len(self.errors), worst * 1000,
            sorted(self.latencies)[len(self.latencies) // 2] * 1000 if self.latencies else 0))
        check(not self.errors, "probes failed during the attack: %s" % self.errors[:3])
        check(self.latencies, "no probe was answered during the attack")
        check(worst < max_latency, "a probe took %.2f s during the attack (bound %.2f s)" % (worst, max_latency))


# ---- the frame every attack runs in ------------------------------------------------------------------

class Attack:
    """Baseline figures before, checks after: probe latency, descriptors back, memory bound."""

    def __init__(self, name, server, memory_bound):
        self.name, self.server, self.memory_bound = name, server, memory_bound

    def __enter__(self):
        probe(self.server.port)  # first-use allocations belong to the baseline
        self.fds_before = self.server.settled_fds()
        self.rss_before, _ = self.server.memory()
        self.start = time.monotonic()
        log("%s: server pid %d port %d, fds %d, RSS %.1f MiB" % (
            self.name, self.server.pid, self.server.port, self.fds_before, self.rss_before / MB))
        return self

    def __exit__(self, kind, value, tb):
        if kind is not None:
            return False
        duration = time.monotonic() - self.start
        fds = self.server.wait_fds(self.fds_before, 15)
        rss, hwm = self.server.memory()
        latency = probe(self.server.port)
        log("%s: attack took %.2f s; fds before %d after %d; RSS before %.1f MiB peak %.1f MiB after %.1f MiB "
            "(bound: peak - before < %.0f MiB); probe after %.1f ms" % (
                self.name, duration, self.fds_before, fds, self.rss_before / MB, hwm / MB, rss / MB,
                self.memory_bound / MB, latency * 1000))
        check(fds == self.fds_before, "descriptors not back: %d before, %d after" % (self.fds_before, fds))
        check(hwm - self.rss_before < self.memory_bound,
              "memory grew by %.1f MiB (bound %.0f MiB)" % ((hwm - self.rss_before) / MB, self.memory_bound / MB))
        check(latency < 1.0, "the probe after the attack took %.2f s" % latency)
        return False


def open_connections(port, n, timeout=10.0):
    socks = []
    for _ in range(n):
        socks.append(socket.create_connection(("127.0.0.1", port), timeout=timeout))
    return socks


# ---- 1. slow headers and slow bodies ----------------------------------------------------------------

SLOW_HEADER = b"X-Slow: y\r\n"


def attack_slow(exe):
    """1,000 slowloris connections and 1,000 slow bodies, one byte each per 0.2 s: each must be
    cut off by the server's 1 s header or body timeout while probes are answered."""
    n, timeout = 2000, 1.0
    server = Server(exe, "--idle-timeout", str(timeout), "--body-timeout", str(timeout))
    with Attack("slow", server, 96 * MB):
        socks, opened = [], []  # the timeouts run from each connection's start
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            opened.append(time.monotonic())
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n" if i % 2 == 0 else
                      b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            s.setblocking(False)
            socks.append(s)
        prober = Prober(server.port)
        prober.start()
        cut = trickle_until_cut(socks, opened, deadline=time.monotonic() + timeout + 10)
        prober.finish(max_latency=1.0)
        for s in socks:
            s.close()
        times = sorted(cut.values())
        log("  %d of %d slow connections cut off, after %.2f s to %.2f s (timeouts %.1f s)" % (
            len(cut), n, times[0] if times else 0, times[-1] if times else 0, timeout))
        check(len(cut) == n, "%d slow connections were never cut off" % (n - len(cut)))
        check(not times or times[0] > timeout * 0.8, "a connection was cut off early: %.2f s" % times[0])
        check(not times or times[-1] < timeout + 5, "a connection was cut off late: %.2f s" % times[-1])
    server.stop()


def trickle_until_cut(socks, opened, deadline):
    """Sends one byte to every open socket each round; returns {index: seconds until cut off}."""
    poller = select.poll()
    by_fd = {s.fileno(): i for i, s in enumerate(socks)}
    for s in socks:
        poller.register(s, select.POLLIN)
    cut, sent = {}, [0] * len(socks)
    next_round = time.monotonic()
    while len(cut) < len(socks) and time.monotonic() < deadline:
        if time.monotonic() >= next_round:
            for i, s in enumerate(socks):
                if i not in cut and not send_byte(s, SLOW_HEADER[sent[i] % len(SLOW_HEADER)]):
                    cut[i] = time.monotonic() - opened[i]
                    poller.unregister(s)
                sent[i] += 1
            next_round += 0.2
        for fd, _ in poller.poll(50):
            i = by_fd[fd]
            if is_closed(socks[i]):
                cut[i] = time.monotonic() - opened[i]
                poller.unregister(fd)
    return cut


def send_byte(sock, byte):
    try:
        sock.send(bytes([byte]))
        return True
    except BlockingIOError:
        return True
    except OSError:
        return False


def is_closed(sock):
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


# ---- 2. many idle connections -------------------------------------------------------------------------

def idle_server(exe):
    """(n, a server that lets connections idle for 2 minutes), or (n, None) when the
    descriptor limit cannot hold n connections (SQUALL_ABUSE_IDLE_COUNT, default 15,000)."""
    n = int(os.environ.get("SQUALL_ABUSE_IDLE_COUNT", "15000"))
    hard = raise_fd_limit()
    if not check(hard >= n + 200, "RLIMIT_NOFILE's hard limit %d is too low for %d connections" % (hard, n)):
        return n, None
    return n, Server(exe, "--idle-timeout", "120")


def attack_idle(exe):
    """15,000 connections that send nothing, held open, then all closed by the client."""
    n, server = idle_server(exe)
    if server is None:
        return
    # An idle connection costs about 1.5 KiB (its stream, the serving loop's state and frame);
    # 16 KiB each is the bound for the whole attack, sanitizer builds included.
    with Attack("idle", server, n * 16 * 1024) as a:
        start = time.monotonic()
        socks = open_connections(server.port, n)
        held = server.wait_fds_at_least(a.fds_before + n, 30)
        log("  %d connections opened in %.2f s; server fds %d" % (n, time.monotonic() - start, held))
        check(held >= a.fds_before + n, "the server holds %d descriptors, expected %d" % (held, a.fds_before + n))
        latencies = [probe(server.port) for _ in range(5)]
        rss, hwm = server.memory()
        log("  with %d idle connections: RSS %.1f MiB (%.0f bytes per connection), probe worst %.1f ms" % (
            n, rss / MB, (rss - a.rss_before) / n, max(latencies) * 1000))
        check(max(latencies) < 1.0, "a probe took %.2f s beside the idle connections" % max(latencies))
        for s in socks:
            s.close()
    server.stop()


# What an idle kept-alive connection may cost in the normal build: twice what it does.
IDLE_KEEPALIVE_BYTES = 4096


def keepalive_burst(port, n):
    """n connections that each get one answer on a kept-alive connection, then stay open."""
    socks = open_connections(port, n)
    for s in socks:
        s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    for s in socks:
        answer = b""
        while not answer.endswith(b"Hello, world"):
            chunk = s.recv(4096)
            if not chunk:
                raise RuntimeError("a kept-alive connection closed before its answer")
            answer += chunk
    return socks


def attack_idle_keepalive(exe):
    """Three bursts of 15,000 kept-alive connections idle after one request each, every burst
    closed before the next: an idle connection holds no read buffer, and the memory comes back."""
    n, server = idle_server(exe)
    if server is None:
        return
    with Attack("idle-keepalive", server, n * 16 * 1024) as a:
        for burst in range(3):
            socks = keepalive_burst(server.port, n)
            held = server.wait_fds_at_least(a.fds_before + n, 30)
            check(held >= a.fds_before + n, "the server holds %d descriptors, expected %d" % (held, a.fds_before + n))
            rss, _ = server.memory()
            per_connection = (rss - a.rss_before) / n
            log("  burst %d: %d idle kept-alive connections, RSS %.1f MiB (%.0f bytes per connection)" % (
                burst + 1, n, rss / MB, per_connection))
            # About 2 KiB each: a kept-alive connection waiting for its next request holds no
            # buffer and none of the next request's objects.
            if os.environ.get("SQUALL_ABUSE_SANITIZE", "none") == "none":
                check(per_connection < IDLE_KEEPALIVE_BYTES, "%.0f bytes per idle kept-alive connection, the bound is %d"
                      % (per_connection, IDLE_KEEPALIVE_BYTES))
            for s in socks:
                s.close()
            server.wait_fds(a.fds_before, 30)
            # The server trims its heap shortly after a crowd has gone (half a second).
            rss = server.wait_rss(a.rss_before + 20 * MB, 10)
            log("  burst %d closed: RSS %.1f MiB" % (burst + 1, rss / MB))
            check(rss - a.rss_before < 20 * MB, "RSS %.1f MiB after burst %d, %.1f MiB before the first" % (
                rss / MB, burst + 1, a.rss_before / MB))
    server.stop()


# ---- 3. many short connections --------------------------------------------------------------------------

SHORT_REQUEST = b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


def short_worker(port, count):
    """Child process: `count` times connect, one request, read the answer to the close, close."""
    bad = 0
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(SHORT_REQUEST)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        if not data.startswith(b"HTTP/1.1 200") or not data.endswith(b"Hello, world"):
            bad += 1
        s.close()
    print(bad, flush=True)


def attack_short(exe):
    """200,000 connections (SQUALL_ABUSE_SHORT_COUNT), each connect, one request, close, from two
    processes. The server closes first (Connection: close), so the TIME_WAIT states are its and
    the client's ephemeral ports are not used up."""
    n = int(os.environ.get("SQUALL_ABUSE_SHORT_COUNT", "200000"))
    workers = 2
    server = Server(exe)
    with Attack("short", server, 32 * MB):
        prober = Prober(server.port, interval=0.25)
        prober.start()
        start = time.monotonic()
        procs = [subprocess.Popen([sys.executable, __file__, "short-worker", str(server.port), str(n // workers)],
                                  stdout=subprocess.PIPE) for _ in range(workers)]
        bad = 0
        for p in procs:
            out, _ = p.communicate(timeout=140)
            check(p.returncode == 0, "a short-connection worker failed (status %d)" % p.returncode)
            bad += int(out or b"0")
        elapsed = time.monotonic() - start
        prober.finish(max_latency=1.0)
        log("  %d short connections in %.2f s (%.0f per second), %d bad answers" % (
            n, elapsed, n / elapsed, bad))
        check(bad == 0, "%d short connections got a wrong answer" % bad)
    server.stop()


# ---- 4. pipelining without reading -------------------------------------------------------------------------

def attack_pipeline(exe):
    """A client pipelines requests and never reads: the server must stop reading once its answers
    are unsent, so its memory stays bounded, and its 3 s write timeout then closes the connection."""
    server = Server(exe, "--write-timeout", "3")
    with Attack("pipeline", server, 48 * MB) as a:
        prober = Prober(server.port)
        prober.start()
        for path in ["/big?n=1048576", "/hello"]:
            pipeline_without_reading(server, a.fds_before, path)
        prober.finish(max_latency=1.0)
    server.stop()


def pipeline_without_reading(server, fds_before, path):
    request = ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode()
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.setblocking(False)
    blob = request * 1000
    sent, start = 0, time.monotonic()
    last_progress = start
    # Sends until the server has taken nothing for 1.5 s (it stopped reading) or 64 MiB went in.
    while sent < 64 * MB and time.monotonic() - last_progress < 1.5:
        try:
            sent += s.send(blob)
            last_progress = time.monotonic()
        except BlockingIOError:
            select.select([], [s], [], 0.1)
    stalled = time.monotonic()
    rss, hwm = server.memory()
    log("  %s: %d requests (%.1f MiB) accepted before the server stopped reading, in %.2f s; "
        "server RSS %.1f MiB, peak %.1f MiB" % (path, sent // len(request), sent / MB, stalled - start,
                                              rss / MB, hwm / MB))
    check(sent < 64 * MB, "the server read 64 MiB of pipelined requests without stopping")
    # The write timeout closes the connection: its descriptor goes, with no read from us.
    fds = server.wait_fds(fds_before, 10)
    log("  %s: server fds back to %d %.2f s after the stall" % (path, fds, time.monotonic() - stalled))
    check(fds <= fds_before, "the write timeout did not close the pipelining connection")
    s.close()


# ---- 5. floods within the limits ----------------------------------------------------------------------

def flood_headers(n):
    return b"GET /count HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-F%d: %d\r\n" % (i, i) for i in range(n - 1)) + b"\r\n"


def flood_query(n):
    return b"GET /count?" + b"&".join(b"a%d=%d" % (i, i) for i in range(n)) + b" HTTP/1.1\r\nHost: x\r\n\r\n"


def flood_cookies(n):
    cookie = b"; ".join(b"c%d=%d" % (i, i) for i in range(n))
    return b"GET /count HTTP/1.1\r\nHost: x\r\nCookie: " + cookie + b"\r\n\r\n"


def post(path, content_type, body):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: " + content_type +
            b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def flood_form(n):
    return post(b"/count", b"application/x-www-form-urlencoded", b"&".join(b"f%d=%d" % (i, i) for i in range(n)))


def flood_files(n):
    parts = b"".join(b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"f%d\"; filename=\"f%d.txt\"\r\n"
                     b"Content-Type: text/plain\r\n\r\ncontent %d\r\n" % (i, i, i) for i in range(n))
    return post(b"/count", b"multipart/form-data; boundary=BOUNDARY", parts + b"--BOUNDARY--\r\n")


# (name, request builder, the count the server reports, N, the limit, the status one past it)
FLOODS = [
    ("headers", flood_headers, b"headers=%d", 25, 100, 431),
    ("query arguments", flood_query, b"args=%d", 250, 1000, 400),
    ("cookies", flood_cookies, b"cookies=%d", 1000, None, None),
    ("form fields", flood_form, b"args=%d", 250, 1000, 400),
    ("multipart files", flood_files, b"files=%d", 25, 100, 400),
]


def time_requests(port, request, reps, expect):
    """Seconds for `reps` answers to `request` on one keep-alive connection (the best of 3 runs)."""
    best = None
    for _ in range(3):
        c = Conn(port)
        start = time.monotonic()
        for _ in range(reps):
            c.send(request)
            r = c.read_response()
            if not check(r is not None and r[0] == 200 and expect in r[2], "bad flood answer %r" % (r,)):
                c.close()
                return float("inf")
        elapsed = time.monotonic() - start
        c.close()
        best = elapsed if best is None else min(best, elapsed)
    return best


def attack_flood(exe):
    """Each flood at N and 4N (4N at the limit where there is one): all of it parsed, the cost
    linear (time for 4N under 16 times that for N, where quadratic cost would give 16), and one
    past the limit refused."""
    server = Server(exe, "--max-body-size", str(16 * MB))
    reps = 100
    with Attack("flood", server, 32 * MB):
        for name, build, expect, n, limit, past_status in FLOODS:
            t1 = time_requests(server.port, build(n), reps, expect % n)
            t4 = time_requests(server.port, build(4 * n), reps, expect % (4 * n))
            ratio = t4 / t1
            log("  %s: %d requests with %d: %.1f ms, with %d: %.1f ms, ratio %.2f" % (
                name, reps, n, t1 * 1000, 4 * n, t4 * 1000, ratio))
            check(ratio < 16, "%s: the cost grew %.1f times for 4 times as many" % (name, ratio))
            if limit:
                r = get_raw(server.port, build(limit + 1))
                log("  %s: %d (one past the limit) answered %s" % (name, limit + 1, r and r[0]))
                check(r is not None and r[0] == past_status,
                      "%s: one past the limit answered %r, expected %d" % (name, r and r[0], past_status))
    server.stop()


def get_raw(port, request, timeout=5.0):
    c = Conn(port, timeout)
    try:
        c.send(request)
        return c.read_response(timeout)
    finally:
        c.close()


# ---- 6. resets and half-closed sockets ------------------------------------------------------------------

def attack_reset(exe):
    """Peers that reset mid-headers, mid-body and mid-response; then half-closed peers, which get
    their answers before the server closes (as in Tornado)."""
    server = Server(exe, "--max-body-size", str(16 * MB))
    # The mid-body peers come faster than the server drops them: a few hundred hold their 64 KiB
    # read and copied into the body (about 300 KiB each with the read buffer) at once; the bound
    # is all 500 at 320 KiB.
    with Attack("reset", server, 500 * 320 * 1024):
        prober = Prober(server.port)
        prober.start()
        start = time.monotonic()
        reset_many(server.port, 500, b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Half: ", 0)
        reset_many(server.port, 500, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" +
                   b"b" * 65536, 0)
        # 4 MiB: more than the socket buffers take, so the server is still writing at the reset.
        reset_many(server.port, 200, b"GET /big?n=4194304 HTTP/1.1\r\nHost: x\r\n\r\n", 65536)
        log("  1,200 resets (500 mid-headers, 500 mid-body, 200 mid-response) in %.2f s" % (
            time.monotonic() - start))
        prober.finish(max_latency=1.0)
        half_closed(server.port)
    server.stop()


def reset_many(port, n, request, read_first):
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(request)
        got = 0
        while got < read_first:
            chunk = s.recv(read_first - got)
            if not chunk:
                break
            got += len(chunk)
        reset(s)


HALF_CLOSED = [
    ("GET", b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", [b"Hello, world"]),
    ("POST with a body", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", [b"hello"]),
    ("two pipelined GETs", b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n" * 2, [b"Hello, world"] * 2),
]


def half_closed(port):
    for name, request, bodies in HALF_CLOSED:
        c = Conn(port)
        c.send(request)
        c.sock.shutdown(socket.SHUT_WR)
        got = [c.read_response() for _ in bodies]
        closed = c.closed_by_peer()
        log("  half-closed after %s: answered %s, then %s" % (
            name, [r and r[0] for r in got], "closed" if closed else "left open"))
        check(all(r is not None and r[0] == 200 for r in got) and [r[2] for r in got] == bodies,
              "half-closed %s: answers %r" % (name, got))
        check(closed, "half-closed %s: the server did not close" % name)
        c.close()


# ---- 7. gzip bombs -------------------------------------------------------------------------------------------

def attack_gzip_bomb(exe):
    """Gzip bodies that inflate to 64 MiB against a 1 MiB max_body_size: 413 each time, the
    server's memory bounded by the limit, not by the inflated size; a body under it is decoded."""
    limit = MB
    server = Server(exe, "--max-body-size", str(limit), "--decompress", "1")
    bomb = gzip.compress(b"\0" * (64 * MB), 9)
    fine = gzip.compress(b"z" * (limit - 1), 9)
    with Attack("gzip-bomb", server, 32 * MB):
        statuses, start = [], time.monotonic()
        for i in range(20):
            chunked = i % 2 == 1
            statuses.append(send_gzip(server.port, bomb, chunked))
        log("  20 bombs (%d bytes inflating to 64 MiB, half of them chunked) in %.2f s: %s" % (
            len(bomb), time.monotonic() - start, sorted(set(statuses))))
        check(statuses == [413] * 20, "gzip bombs answered %r" % statuses)
        r = send_gzip(server.port, fine, False, full=True)
        log("  a body inflating to 1 byte under the limit: %s" % ((r and (r[0], r[1].get("x-body-length"))),))
        check(r is not None and r[0] == 200 and r[1].get("x-body-length") == str(limit - 1),
              "a gzip body under the limit answered %r" % (r and r[0],))
    server.stop()


def send_gzip(port, body, chunked, full=False):
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
    if chunked:
        request = head + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    else:
        request = head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    c = Conn(port)
    try:
        c.send(request)
        r = c.read_response()
    except (BrokenPipeError, ConnectionResetError) as e:
        r = None
        log("  the connection broke before the answer: %r" % e)
    finally:
        c.close()
    return r if full else r and r[0]


# ---- 8. request smuggling ------------------------------------------------------------------------------------

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"  # 404 here: any 404 means it was run
FOLLOW_UP = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
HELLO_SMUGGLED = b"hello" + SMUGGLED
REFUSED = {400}


def chunked(*pieces, ext=b""):
    return b"".join(b"%x%s\r\n%s\r\n" % (len(p), ext, p) for p in pieces) + b"0\r\n\r\n"


def echo(headers, body):
    return b"POST /echo HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n" + body


SMUGGLING = [
    # (name, request, the statuses allowed for it, the body /echo must return if it answers 200)
    ("CL and TE", echo(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n" + SMUGGLED), REFUSED, None),
    ("TE and CL", echo(b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n" % len(chunked(SMUGGLED)), chunked(SMUGGLED)), REFUSED, None),
    ("TE twice", echo(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", chunked(SMUGGLED)),
     REFUSED | {200, 501}, SMUGGLED),
    ("TE chunked, chunked", echo(b"Transfer-Encoding: chunked, chunked\r\n", chunked(SMUGGLED)), REFUSED | {501}, None),
    ("TE unknown", echo(b"Transfer-Encoding: xchunked\r\n", chunked(SMUGGLED)), REFUSED | {501}, None),
    ("TE gzip, chunked", echo(b"Transfer-Encoding: gzip, chunked\r\n", chunked(SMUGGLED)), REFUSED | {501}, None),
    ("TE chunked, identity", echo(b"Transfer-Encoding: chunked, identity\r\n", chunked(SMUGGLED)),
     REFUSED | {501}, None),
    ("TE with a space before the colon", echo(b"Transfer-Encoding : chunked\r\n", chunked(SMUGGLED)), REFUSED, None),
    ("TE with a vertical tab", echo(b"Transfer-Encoding:\x0bchunked\r\n", chunked(SMUGGLED)), REFUSED, None),
    ("TE in HTTP/1.0", b"POST /echo HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(SMUGGLED),
     REFUSED, None),
    ("TE obs-folded", echo(b"X-A: b\r\nTransfer-Encoding:\r\n chunked\r\n", chunked(SMUGGLED)), REFUSED, None),
    ("obs-fold", b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", REFUSED, None),
    ("two different CLs", echo(b"Content-Length: 5\r\nContent-Length: %d\r\n" % len(HELLO_SMUGGLED), HELLO_SMUGGLED), REFUSED, None),
    ("CL list with two values", echo(b"Content-Length: 5, %d\r\n" % len(HELLO_SMUGGLED), HELLO_SMUGGLED), REFUSED, None),
    ("equal CLs", echo(b"Content-Length: %d\r\nContent-Length: %d\r\n" % ((len(HELLO_SMUGGLED),) * 2), HELLO_SMUGGLED),
     REFUSED | {200}, HELLO_SMUGGLED),
    ("CL with a sign", echo(b"Content-Length: +%d\r\n" % len(HELLO_SMUGGLED), HELLO_SMUGGLED), REFUSED, None),
    ("CL in hex", echo(b"Content-Length: 0x%x\r\n" % len(HELLO_SMUGGLED), HELLO_SMUGGLED), REFUSED, None),
    ("CL past 2^64", echo(b"Content-Length: 18446744073709551657\r\n", HELLO_SMUGGLED), REFUSED | {413}, None),
    ("GET with a CL body", b"GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED,
     {200}, None),
    ("bare LF line ends", b"GET /hello HTTP/1.1\nHost: x\n\n", REFUSED | {200}, None),
    ("bare LF in chunked framing", echo(b"Transfer-Encoding: chunked\r\n", b"%x\n" % len(SMUGGLED) + SMUGGLED + b"\n0\n\n"),
     REFUSED | {200}, SMUGGLED),
    ("bare CR", b"GET /hello HTTP/1.1\rHost: x\r\n\r\n", REFUSED, None),
    ("NUL in a header value", b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", REFUSED, None),
    ("NUL in a header name", b"GET /hello HTTP/1.1\r\nHost: x\r\nX-\0A: b\r\n\r\n", REFUSED, None),
    ("NUL in the target", b"GET /hel\0lo HTTP/1.1\r\nHost: x\r\n\r\n", REFUSED, None),
    ("NUL in a chunk size", echo(b"Transfer-Encoding: chunked\r\n", b"5\0\r\nhello\r\n0\r\n\r\n"), REFUSED, None),
    ("short chunk extension", echo(b"Transfer-Encoding: chunked\r\n", chunked(b"hello", ext=b";a=b")), {200}, b"hello"),
    ("chunk extension of 8 KiB", echo(b"Transfer-Encoding: chunked\r\n", chunked(b"hello", ext=b";" + b"a" * 8192)),
     REFUSED, None),
    ("chunk size past 2^64", echo(b"Transfer-Encoding: chunked\r\n", b"1" + b"0" * 16 + b"\r\nhello\r\n0\r\n\r\n"),
     REFUSED | {413}, None),
    ("negative chunk size", echo(b"Transfer-Encoding: chunked\r\n", b"-5\r\nhello\r\n0\r\n\r\n"), REFUSED, None),
    ("chunk size in 0x", echo(b"Transfer-Encoding: chunked\r\n", b"0x5\r\nhello\r\n0\r\n\r\n"), REFUSED, None),
    ("chunk longer than its size", echo(b"Transfer-Encoding: chunked\r\n", b"5\r\nhello" + SMUGGLED + b"\r\n0\r\n\r\n"),
     REFUSED, None),
    ("a million one-byte chunks", echo(b"Transfer-Encoding: chunked\r\n", b"1\r\nx\r\n" * 1000000 + b"0\r\n\r\n"),
     REFUSED | {200, 413}, b"x" * 1000000),
]


def attack_smuggling(exe):
    """Each shape followed, on the same connection, by a plain GET: the first is answered as the
    RFC reads it or refused and the connection closed; no byte of it is ever run as a request."""
    server = Server(exe, "--max-body-size", str(2 * MB))
    with Attack("smuggling", server, 48 * MB):
        for name, request, allowed, body in SMUGGLING:
            smuggle_one(server.port, name, request, allowed, body)
    server.stop()


def smuggle_one(port, name, request, allowed, body):
    c = Conn(port)
    start = time.monotonic()
    try:
        c.send(request + FOLLOW_UP)
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused before it all went: the answer may still be readable
    answers = read_answers(c)
    elapsed = time.monotonic() - start
    c.close()
    codes = [a[0] for a in answers]
    log("  %s: %s in %.1f ms" % (name, codes or "closed without an answer", elapsed * 1000))
    if not check(codes, "%s: no answer" % name):
        return
    check(404 not in codes, "%s: a smuggled request was run (answers %r)" % (name, codes))
    check(codes[0] in allowed, "%s: answered %d, allowed %r" % (name, codes[0], sorted(allowed)))
    if codes[0] == 200:
        check(body is None or answers[0][2] == body or b"Hello" in answers[0][2],
              "%s: the body was read wrong (%d bytes)" % (name, len(answers[0][2])))
        check(codes == [200, 200] and answers[1][2] == b"Hello, world",
              "%s: the follow-up request was not answered in order: %r" % (name, codes))
    else:
        check(len(codes) == 1, "%s: refused, yet more was answered: %r" % (name, codes))


def read_answers(c):
    """Every response until the server closes or falls silent for 3 s (at most two)."""
    answers = []
    while len(answers) < 2:
        try:
            r = c.read_response(timeout=3.0)
        except (TimeoutError, socket.timeout):
            break
        if r is None:
            break
        answers.append(r)
    return answers


# ---- entry point -----------------------------------------------------------------------------------------------

ATTACKS = {
    "slow": attack_slow,
    "idle": attack_idle,
    "idle-keepalive": attack_idle_keepalive,
    "short": attack_short,
    "pipeline": attack_pipeline,
    "flood": attack_flood,
    "reset": attack_reset,
    "gzip-bomb": attack_gzip_bomb,
    "smuggling": attack_smuggling,
}


def main(argv):
    if len(argv) == 4 and argv[1] == "short-worker":
        short_worker(int(argv[2]), int(argv[3]))
        return 0
    if len(argv) != 3 or argv[1] not in ATTACKS:
        log("usage: abuse.py {%s} SERVER" % ",".join(ATTACKS))
        return 2
    raise_fd_limit()  # before the server starts, so it inherits the raised limit too
    start = time.monotonic()
    try:
        ATTACKS[argv[1]](argv[2])
    finally:
        for proc in Server.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    log("%s: %s in %.1f s" % (argv[1], "FAILED: %d checks" % len(failures) if failures else "passed",
                              time.monotonic() - start))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
