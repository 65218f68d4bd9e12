#!/usr/bin/env python3
"""squall behind real proxies, as deployed: nginx and HAProxy on loopback (plain and TLS) in
front of two squall-deploy-backend processes. For each proxy it checks that the client's
address and scheme reach the handler through xheaders (the client connects from 127.0.0.2, the
proxy from 127.0.0.1), that the proxy keeps its upstream connections alive, that both backends
serve, and that a rolling restart of the backends (SIGTERM, a graceful shutdown, then a new
process on the same port, one backend at a time) under load loses no request.
Usage: proxy_test.py SQUALL_DEPLOY_BACKEND"""

import http.client
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 15  # seconds for any one step
CLIENT_IP = "127.0.0.2"  # a loopback address other than the proxies' own
LOAD_CLIENTS = 8


def fail(msg):
    print("proxy-test: FAIL: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc, what):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail("%s exited with %d" % (what, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)  # polling a port another process opens: nothing to wait on
    fail("%s is not listening on %d" % (what, port))


class Backend:
    def __init__(self, path, port=0):
        self.path = path
        self.proc = subprocess.Popen([path, str(port)], stdout=subprocess.PIPE)
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("port "):
            self.proc.kill()
            fail("backend printed %r" % line)
        self.port = int(line.split()[1])

    def restart(self):
        """SIGTERM (a graceful shutdown), then a new process on the same port."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("a backend did not exit after SIGTERM")
        if code != 0:
            fail("a backend exited with %d after SIGTERM" % code)
        return Backend(self.path, self.port)


def make_certificate(directory):
    key, cert = os.path.join(directory, "key.pem"), os.path.join(directory, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    both = os.path.join(directory, "both.pem")
    with open(both, "w") as out:
        out.write(open(cert).read() + open(key).read())
    return key, cert, both


def start_nginx(directory, ports, backends, key, cert):
    # max_fails=0: a backend restarting is retried on the next request, not shunned for
    # fail_timeout (10 s), which would leave no live upstream while its sibling restarts.
    upstream = "".join("        server 127.0.0.1:%d max_fails=0;\n" % b.port for b in backends)
    conf = os.path.join(directory, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes 1;
daemon off;
master_process off;
error_log %(dir)s/nginx-error.log;
pid %(dir)s/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(dir)s;
    proxy_temp_path %(dir)s;
    fastcgi_temp_path %(dir)s;
    uwsgi_temp_path %(dir)s;
    scgi_temp_path %(dir)s;
    upstream squall {
%(upstream)s        keepalive 16;
    }
    server {
        listen 127.0.0.1:%(plain)d;
        listen 127.0.0.1:%(tls)d ssl;
        ssl_certificate %(cert)s;
        ssl_certificate_key %(key)s;
        location / {
            proxy_pass http://squall;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout;
        }
    }
}
""" % {"dir": directory, "upstream": upstream, "plain": ports[0], "tls": ports[1], "cert": cert, "key": key})
    return subprocess.Popen(["nginx", "-p", directory, "-c", conf], stderr=subprocess.DEVNULL)


def start_haproxy(directory, ports, backends, both):
    servers = "".join("    server s%d 127.0.0.1:%d\n" % (i, b.port) for i, b in enumerate(backends))
    conf = os.path.join(directory, "haproxy.cfg")
    with open(conf, "w") as f:
        f.write("""global
    maxconn 1024
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    option http-keep-alive
    retries 3
    retry-on all-retryable-errors
    option redispatch 1
frontend web
    bind 127.0.0.1:%(plain)d
    bind 127.0.0.1:%(tls)d ssl crt %(both)s
    option forwardfor
    http-request set-header X-Real-IP %%[src]
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
    default_backend squall
backend squall
    balance roundrobin
    http-reuse safe
%(servers)s""" % {"plain": ports[0], "tls": ports[1], "both": both, "servers": servers})
    return subprocess.Popen(["haproxy", "-db", "-f", conf], stderr=subprocess.DEVNULL)


def connection(port, tls=False):
    if tls:
        context = ssl._create_unverified_context()
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=TIMEOUT, source_address=(CLIENT_IP, 0),
                                           context=context)
    return http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT, source_address=(CLIENT_IP, 0))


def whoami(conn, path="/whoami"):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read().decode()
    if r.status != 200:
        raise RuntimeError("%s answered %d %r" % (path, r.status, body[:80]))
    pid, remote_ip, protocol, stream = body.split()
    return pid, remote_ip, protocol, stream


def check_forwarding(name, ports):
    for port, tls, scheme in ((ports[0], False, "http"), (ports[1], True, "https")):
        conn = connection(port, tls)
        pids, upstream = set(), set()
        for _ in range(40):
            pid, remote_ip, protocol, stream = whoami(conn)
            if remote_ip != CLIENT_IP:
                fail("%s: the handler saw remote_ip %s, not the client's %s" % (name, remote_ip, CLIENT_IP))
            if protocol != scheme:
                fail("%s: the handler saw protocol %s for %s" % (name, protocol, scheme))
            pids.add(pid)
            upstream.add((pid, stream))
        conn.close()
        if len(pids) != 2:
            fail("%s (%s): requests reached %d backends, not 2" % (name, scheme, len(pids)))
        if len(upstream) > 8:  # 40 requests, one at a time: a few kept connections, not 40
            fail("%s (%s): %d upstream connections for 40 requests: no keep-alive" % (name, scheme, len(upstream)))
    return len(upstream)


class Load(threading.Thread):
    """Keep-alive requests through the proxy until told to stop; every failure is counted."""

    progress = threading.Condition()  # notified on every answer

    def __init__(self, port, index):
        super().__init__(daemon=True)
        self.port, self.index = port, index
        self.stop = threading.Event()
        self.done, self.failures, self.pids = 0, [], set()

    def run(self):
        conn = connection(self.port)
        n = 0
        while not self.stop.is_set():
            n += 1
            try:
                pid, remote_ip, _, _ = whoami(conn, "/slow" if n % 3 == 0 else "/whoami")
                if remote_ip != CLIENT_IP:
                    raise RuntimeError("remote_ip %s" % remote_ip)
                self.pids.add(pid)
                with Load.progress:
                    self.done += 1
                    Load.progress.notify_all()
            except Exception as e:
                self.failures.append(repr(e))
                conn.close()
                conn = connection(self.port)
        conn.close()


def rolling_restart(name, port, backends):
    load = [Load(port, i) for i in range(LOAD_CLIENTS)]
    for t in load:
        t.start()

    def answered():
        return sum(t.done for t in load)

    def wait_for_more(n):
        with Load.progress:
            target = answered() + n
            if not Load.progress.wait_for(lambda: answered() >= target, TIMEOUT):
                fail("%s: the load stalled" % name)

    wait_for_more(100)
    for i in range(len(backends)):
        backends[i] = backends[i].restart()
        wait_for_more(100)  # the next backend goes only once requests flow again
    for t in load:
        t.stop.set()
    for t in load:
        t.join(TIMEOUT)
    failures = [f for t in load for f in t.failures]
    if failures:
        fail("%s: %d of %d requests failed during the rolling restart, e.g. %s"
             % (name, len(failures), answered() + len(failures), failures[0]))
    new_pids = {str(b.proc.pid) for b in backends}
    seen = set().union(*(t.pids for t in load))
    if not new_pids <= seen:
        fail("%s: the restarted backends served nothing" % name)
    return answered()


def main():
    backend_path = sys.argv[1]
    directory = tempfile.mkdtemp(prefix="squall-proxy-test-")
    backends = [Backend(backend_path), Backend(backend_path)]
    proxies = []
    try:
        key, cert, both = make_certificate(directory)
        for name in ("nginx", "haproxy"):
            ports = (free_port(), free_port())
            proc = (start_nginx(directory, ports, backends, key, cert) if name == "nginx"
                    else start_haproxy(directory, ports, backends, both))
            proxies.append(proc)
            wait_listening(ports[0], proc, name)
            wait_listening(ports[1], proc, name)
            kept = check_forwarding(name, ports)
            served = rolling_restart(name, ports[0], backends)
            print("proxy-test: %s ok: xheaders (remote_ip, http and https), %d upstream connections for 40 requests, "
                  "%d requests and 0 failures across a rolling restart of 2 backends" % (name, kept, served),
                  flush=True)
            proc.terminate()
            proc.wait(TIMEOUT)
    finally:
        for p in proxies:
            if p.poll() is None:
                p.kill()
        for b in backends:
            if b.proc.poll() is None:
                b.proc.kill()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
