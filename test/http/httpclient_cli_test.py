#!/usr/bin/env python3
"""squall-httpclient (the command-line client modelled on `python -m tornado.httpclient`, with
curl's flags) run as a real process against servers this test starts on 127.0.0.1 with
kernel-chosen ports: every flag, and every class of failure with curl's exit status. Usage:
httpclient_cli_test.py SQUALL_HTTPCLIENT"""

import gzip
import hashlib
import http.server
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import zlib

TOOL = sys.argv[1]
STEP_TIMEOUT = 60  # seconds any one run of the tool may take
BLOCK = 64 * 1024


def generated_block(k):
    """Block k of a generated body: its number, then 'x's (so gzip shrinks it to little)."""
    return k.to_bytes(8, "little") + b"x" * (BLOCK - 8)


def generated_blocks(size):
    for k, sent in enumerate(range(0, size, BLOCK)):
        yield generated_block(k)[: min(BLOCK, size - sent)]


def generated_sha256(size):
    h = hashlib.sha256()
    for piece in generated_blocks(size):
        h.update(piece)
    return h.hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def echo(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        lines = [self.command + " " + self.path] + ["%s: %s" % kv for kv in self.headers.items()]
        self.reply(200, ("\n".join(lines) + "\n\n").encode() + body, [("Content-Type", "text/plain")])

    def generated(self, size, framing):
        self.send_response(200)
        if framing == "length":
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        if framing == "gzip":
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        deflate = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        for piece in generated_blocks(size):
            if framing == "length":
                self.wfile.write(piece)
                continue
            if framing == "gzip":
                piece = deflate.compress(piece)
            if piece:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if framing != "length":
            tail = deflate.flush() if framing == "gzip" else b""
            if tail:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(tail), tail))
            self.wfile.write(b"0\r\n\r\n")

    def route(self):
        if self.path.startswith("http://"):  # absolute-form: a request for a proxy
            seen = "proxied %s %s\nProxy-Authorization: %s" % (self.command, self.path,
                                                                self.headers.get("Proxy-Authorization", ""))
            return self.reply(200, seen.encode())
        path, _, query = self.path.partition("?")
        if path == "/hello":
            return self.reply(200, b"Hello world!", [("Content-Type", "text/plain; charset=utf-8")])
        if path == "/echo":
            return self.echo()
        if path == "/missing":
            return self.reply(404, b"no such page")
        if path == "/loop":
            return self.reply(302, b"again", [("Location", "/loop")])
        if path == "/redirect":
            return self.reply(302, b"moved", [("Location", "/hello")])
        if path == "/redirect2":
            return self.reply(302, b"moved", [("Location", "/redirect")])
        if path == "/gzip":
            return self.reply(200, gzip.compress(b"g" * 1000), [("Content-Encoding", "gzip")])
        if path.startswith("/generated/"):
            _, _, size, framing = path.split("/")
            return self.generated(int(size), framing)
        if path == "/empty-reply":
            self.close_connection = True
            return None
        if path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"only a tenth")
            self.close_connection = True
            return None
        if path == "/garbage":
            self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
            self.close_connection = True
            return None
        return self.reply(404, b"no such page")

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = do_PROPFIND = route


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up on purpose (TLS refused, a full disk): their checks tell


def start_server(tls_context=None):
    server = Server(("127.0.0.1", 0), Handler)
    if tls_context:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def self_signed_cert(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=STEP_TIMEOUT)
    return cert, key


class Result:
    def __init__(self, proc):
        self.rc, self.out, self.err = proc.returncode, proc.stdout or b"", proc.stderr.decode(errors="replace")


def run(*args, stdin=None, stdout=subprocess.PIPE, cwd=None):
    proc = subprocess.run([TOOL, *args], input=stdin, stdout=stdout, stderr=subprocess.PIPE,
                          timeout=STEP_TIMEOUT, cwd=cwd)
    return Result(proc)


failures = []


def check(condition, what, result=None):
    if not condition:
        detail = "" if result is None else " (rc %d, stdout %r, stderr %r)" % (result.rc, result.out[:300], result.err[:500])
        failures.append(what + detail)
        print("FAIL: " + what + detail, flush=True)


def expect(result, rc, what):
    check(result.rc == rc, "%s: exit %d expected" % (what, rc), result)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check_curl(base, tls_base, cert, work):
    """--curl: the same flags through CurlAsyncHTTPClient, and libcurl's failures mapped onto the
    same exit statuses. Skipped (with a note) in a build without libcurl, where --curl is exit 4."""
    r = run("--curl", base + "/hello")
    if r.rc == 4 and "without libcurl" in r.err:
        print("httpclient-cli: built without libcurl, --curl checks skipped", flush=True)
        return
    check(r.rc == 0 and r.out == b"Hello world!", "--curl GET", r)
    r = run("--curl", "-i", "-d", "a=b", "-u", "Aladdin:open sesame", base + "/echo")
    check(r.rc == 0 and r.out.startswith(b"HTTP/1.1 200 OK\r\n") and r.out.endswith(b"\n\na=b"), "--curl -i -d", r)
    check(b"\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\n" in r.out, "--curl -u", r)
    r = run("--curl", "-v", base + "/hello")
    check("> GET /hello HTTP/1.1" in r.err and "< HTTP/1.1 200 OK" in r.err, "--curl -v traces both heads", r)
    r = run("--curl", base + "/gzip")
    check(r.rc == 0 and r.out == b"g" * 1000, "--curl undoes gzip", r)
    r = run("--curl", base + "/redirect")
    check(r.rc == 0 and r.out == b"Hello world!", "--curl follows redirects", r)
    expect(run("--curl", base + "/loop"), 47, "--curl: a redirect loop")
    expect(run("--curl", "-f", base + "/missing"), 22, "--curl -f")
    expect(run("--curl", "http://127.0.0.1:%d/" % closed_port()), 7, "--curl: a closed port")
    expect(run("--curl", tls_base + "/hello"), 60, "--curl: a self-signed certificate")
    r = run("--curl", "--cacert", cert, tls_base + "/hello")
    check(r.rc == 0 and r.out == b"Hello world!", "--curl --cacert", r)
    expect(run("--curl", "--cacert", os.path.join(work, "nosuch.pem"), tls_base + "/hello"), 77,
           "--curl --cacert naming a missing file")
    expect(run("--curl", base + "/empty-reply"), 52, "--curl: an empty reply")
    expect(run("--curl", base + "/truncated"), 56, "--curl: a body cut short")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        r = run("--curl", "--timeout", "0.2", "http://127.0.0.1:%d/" % silent.getsockname()[1])
        expect(r, 28, "--curl: a server that never answers")
        check("timed out" in r.err, "--curl: a timeout says so", r)


def main():
    work = tempfile.mkdtemp(prefix="squall-cli-")
    plain = start_server()
    base = "http://127.0.0.1:%d" % plain.server_address[1]
    cert, key = self_signed_cert(work)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    secure = start_server(tls)
    tls_base = "https://127.0.0.1:%d" % secure.server_address[1]

    # --help: the program's name, plain flag names, no CLI11 syntax, no absolute path.
    r = run("--help")
    expect(r, 0, "--help")
    text = r.out.decode()
    check(text.startswith("Fetch URLs") and "Usage: squall-httpclient [OPTIONS] URL..." in text, "--help usage line", r)
    check("-H, --header HEADER" in text and "-o, --output FILE" in text, "--help names the flags plainly", r)
    check("{" not in text.replace("%{", "") and TOOL not in text and "REQUIRED" not in text and "TEXT" not in text,
          "--help without CLI11's syntax", r)
    check("47 too many redirects" in text, "--help lists the exit statuses", r)

    # Plain fetches, Tornado's flags and curl's.
    r = run(base + "/hello")
    expect(r, 0, "GET")
    check(r.out == b"Hello world!", "GET prints the body", r)
    check(r.err == "", "GET is quiet on stderr", r)
    r = run("127.0.0.1:%d/hello" % plain.server_address[1])
    check(r.rc == 0 and r.out == b"Hello world!", "a URL without a scheme is http://", r)
    r = run(base + "/hello", base + "/echo")
    check(r.rc == 0 and r.out.startswith(b"Hello world!GET /echo\n"), "several URLs, one after another", r)
    for flag in ("-i", "--include", "--print_headers"):
        r = run(flag, base + "/hello")
        check(r.rc == 0 and r.out.startswith(b"HTTP/1.1 200 OK\r\n") and r.out.endswith(b"\r\n\r\nHello world!"),
              flag + " prints the head, then the body", r)
    for flags in (["--no-body"], ["--print_body=false"], ["-i", "--no-body"]):
        r = run(*flags, base + "/hello")
        check(r.rc == 0 and b"Hello world!" not in r.out, " ".join(flags) + " leaves the body out", r)
    r = run("-I", base + "/echo")
    check(r.rc == 0 and r.out.startswith(b"HTTP/1.1 200 OK\r\n") and r.out.endswith(b"\r\n\r\n"), "-I prints the head", r)
    check(b"\n\nHEAD /echo" not in r.out, "-I prints no body", r)
    r = run("--head", "-v", base + "/echo")
    check("> HEAD /echo HTTP/1.1" in r.err, "--head sends HEAD", r)

    # Request flags.
    r = run("-H", "X-A: 1", "-H", "X-B: 2", "--header", "X-C:3", base + "/echo")
    check(r.rc == 0 and b"\nX-A: 1\n" in r.out and b"\nX-B: 2\n" in r.out and b"\nX-C: 3\n" in r.out, "-H repeated", r)
    expect(run("-H", "no colon", base + "/echo"), 2, "-H without a colon")
    r = run("-X", "POST", base + "/echo")
    check(r.rc == 0 and r.out.startswith(b"POST /echo\n") and b"\nContent-Length: 0\n" in r.out,
          "-X POST without a body sends Content-Length: 0", r)
    r = run("--request", "DELETE", base + "/echo")
    check(r.rc == 0 and r.out.startswith(b"DELETE /echo\n"), "--request DELETE", r)
    r = run("-X", "PROPFIND", base + "/echo")
    check(r.rc == 0 and r.out.startswith(b"PROPFIND /echo\n"), "-X with a method of one's own", r)
    expect(run("-X", "BAD METHOD", base + "/echo"), 2, "-X with a method that is no token")
    r = run("-d", "a=b", base + "/echo")
    check(r.rc == 0 and r.out.startswith(b"POST /echo\n") and r.out.endswith(b"\n\na=b"), "-d posts", r)
    check(b"\nContent-Type: application/x-www-form-urlencoded\n" in r.out, "-d is a form, as curl's", r)
    body_file = os.path.join(work, "body.bin")
    with open(body_file, "wb") as f:
        f.write(b"from\na file\0")
    r = run("-X", "PUT", "--data-binary", "@" + body_file, base + "/echo")
    check(r.rc == 0 and r.out.startswith(b"PUT /echo\n") and r.out.endswith(b"\n\nfrom\na file\0"), "-d @FILE", r)
    r = run("-d", "@-", base + "/echo", stdin=b"from stdin")
    check(r.rc == 0 and r.out.endswith(b"\n\nfrom stdin"), "-d @-", r)
    r = run("-d", "@" + os.path.join(work, "nosuch.txt"), base + "/echo")
    expect(r, 26, "-d @ a missing file")
    check("cannot read " + os.path.join(work, "nosuch.txt") + ": No such file or directory" in r.err,
          "a missing file's reason is given", r)
    r = run("-d", "@" + work, base + "/echo")
    check(r.rc == 26 and "cannot read %s: Is a directory" % work in r.err, "-d @ a directory", r)
    r = run("-u", "Aladdin:open sesame", base + "/echo")
    check(b"\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\n" in r.out, "-u", r)
    r = run("-A", "tester/1.0", base + "/echo")
    check(b"\nUser-Agent: tester/1.0\n" in r.out, "-A", r)
    r = run(base + "/echo")
    check(b"\nUser-Agent: squall-httpclient/0.1\n" in r.out and b"\nAccept-Encoding: gzip\n" in r.out,
          "the default User-Agent and gzip", r)
    r = run("--compressed", base + "/gzip")
    check(r.rc == 0 and r.out == b"g" * 1000, "--compressed undoes gzip", r)
    r = run("--raw", base + "/gzip")
    check(r.rc == 0 and r.out[:2] == b"\x1f\x8b" and gzip.decompress(r.out) == b"g" * 1000, "--raw passes gzip on", r)
    r = run("--raw", base + "/echo")
    check(b"Accept-Encoding" not in r.out, "--raw asks for no compression", r)
    # -x: plain http through a proxy (the origin's name is never resolved: only the proxy is asked).
    proxy = "127.0.0.1:%d" % plain.server_address[1]
    r = run("-x", proxy, "http://origin.invalid:8080/x?y=1")
    check(r.rc == 0 and r.out == b"proxied GET http://origin.invalid:8080/x?y=1\nProxy-Authorization: ",
          "-x sends the absolute URL to the proxy", r)
    r = run("--proxy", "http://u:p@" + proxy, "http://origin.invalid/")
    check(r.rc == 0 and r.out.endswith(b"\nProxy-Authorization: Basic dTpw"), "-x with the proxy's credentials", r)
    r = run("-x", "http://u:p@" + proxy, "-U", "Aladdin:open sesame", "http://origin.invalid/")
    check(r.rc == 0 and r.out.endswith(b"\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), "-U", r)
    r = run("-x", proxy, "https://origin.invalid/")
    expect(r, 4, "-x with an https URL")
    check("https through a proxy is not supported" in r.err, "-x with https says why", r)
    r = run("-x", "socks5://" + proxy, "http://origin.invalid/")
    expect(r, 4, "-x socks5://")
    check("only http:// proxies are supported" in r.err, "-x socks5:// says why", r)
    expect(run("-x", "127.0.0.1:%d" % closed_port(), "http://origin.invalid/"), 7, "-x to a closed port")
    expect(run("-x", "nosuch.invalid:3128", "http://origin.invalid/"), 5, "-x naming an unresolvable proxy")
    expect(run("-x", "127.0.0.1:notaport", "http://origin.invalid/"), 2, "-x with a bad port")

    # -v: both heads on stderr, curl's prefixes; the body alone on stdout.
    r = run("-v", base + "/hello")
    check(r.rc == 0 and r.out == b"Hello world!", "-v keeps stdout the body", r)
    check("> GET /hello HTTP/1.1\n" in r.err and "> Host: 127.0.0.1:%d\n" % plain.server_address[1] in r.err,
          "-v shows the request head", r)
    check("< HTTP/1.1 200 OK\n" in r.err and "< Content-Length: 12\n" in r.err, "-v shows the response head", r)
    check(-1 < r.err.find("> GET") < r.err.find("< HTTP"), "-v in order", r)

    # Redirects.
    r = run(base + "/redirect")
    check(r.rc == 0 and r.out == b"Hello world!", "redirects are followed", r)
    r = run("-L", "-w", "%{num_redirects} %{url_effective}", base + "/redirect2")
    check(r.rc == 0 and r.out == b"Hello world!2 " + (base + "/hello").encode(), "-L and -w after redirects", r)
    for flag in ("--no-follow", "--follow_redirects=false"):
        r = run(flag, base + "/redirect")
        check(r.rc == 0 and r.out == b"moved", flag + " shows the redirect itself", r)
    r = run(base + "/loop")
    expect(r, 47, "a redirect loop")
    check("too many redirects" in r.err and r.out == b"", "a redirect loop says so", r)
    expect(run("--max-redirs", "1", base + "/redirect2"), 47, "--max-redirs 1 with two redirects")
    r = run("--max_redirects", "2", base + "/redirect2")
    check(r.rc == 0 and r.out == b"Hello world!", "--max_redirects 2 with two redirects", r)

    # HTTP errors: a response like any other, unless -f.
    r = run(base + "/missing")
    check(r.rc == 0 and r.out == b"no such page", "a 404 without -f", r)
    for flag in ("-f", "--fail"):
        r = run(flag, base + "/missing")
        expect(r, 22, flag + " with a 404")
        check(r.out == b"" and "HTTP 404: Not Found" in r.err, flag + " prints no body and says why", r)
    r = run("-f", "-s", base + "/missing")
    check(r.rc == 22 and r.err == "", "-s silences the message", r)
    r = run("-f", "-sS", base + "/missing")
    check(r.rc == 22 and "HTTP 404" in r.err, "-S shows it again", r)
    r = run("--silent", "--show-error", "-f", base + "/hello")
    check(r.rc == 0 and r.out == b"Hello world!", "-f with a 200", r)

    # -w.
    r = run("-w", "\\n%{http_code} %{size_download} %{content_type} %{url_effective}\\t%%\\n", base + "/hello")
    check(r.rc == 0 and r.out == ("Hello world!\n200 12 text/plain; charset=utf-8 %s/hello\t%%\n" % base).encode(),
          "-w's variables", r)
    r = run("--write-out", "%{time_total}", "-o", "/dev/null", base + "/hello")
    check(r.rc == 0 and re.fullmatch(rb"\d+\.\d{6}", r.out) and float(r.out) > 0, "-w %{time_total}", r)
    r = run("-w", "%{http_code}", "-s", base + "/missing")
    check(r.out == b"no such page404", "-w %{http_code} of a 404", r)
    r = run("-w", "%{http_code}", "-s", "http://127.0.0.1:%d/" % closed_port())
    check(r.rc == 7 and r.out == b"000", "-w %{http_code} without a response", r)
    r = run("-w", "%{bogus}", base + "/hello")
    check(r.rc == 0 and "unknown --write-out variable: bogus" in r.err, "-w with an unknown variable", r)

    # -o: written when all went well; an existing file survives a failure.
    target = os.path.join(work, "out.txt")
    r = run("-o", target, base + "/hello")
    check(r.rc == 0 and r.out == b"" and open(target, "rb").read() == b"Hello world!", "-o", r)
    umask = os.umask(0)
    os.umask(umask)
    check(os.stat(target).st_mode & 0o777 == 0o666 & ~umask, "-o makes a new file as open() would", r)
    with open(target, "wb") as f:
        f.write(b"precious")
    os.chmod(target, 0o640)
    for path, rc in (("/truncated", 56), ("/missing", 22)):
        r = run("-f", "-o", target, base + path)
        expect(r, rc, "-o with a failing fetch " + path)
        check(open(target, "rb").read() == b"precious", "-o leaves the file as it was after " + path, r)
    check(sorted(os.listdir(work)) == ["body.bin", "cert.pem", "key.pem", "out.txt"], "-o leaves no temporary file")
    r = run("--output", target, base + "/hello")
    check(r.rc == 0 and open(target, "rb").read() == b"Hello world!", "--output replaces the file", r)
    check(os.stat(target).st_mode & 0o777 == 0o640, "the replaced file keeps its mode", r)
    r = run("-o", os.path.join(work, "nosuch", "out.txt"), base + "/hello")
    expect(r, 23, "-o into a missing directory")
    check("No such file or directory" in r.err, "-o's failure gives the reason", r)
    with open("/dev/full", "wb") as full:
        r = run(base + "/generated/1000000/length", stdout=full)
    expect(r, 23, "writing to a full device")
    check("No space left on device" in r.err, "a write error gives the reason", r)

    proc = subprocess.Popen([TOOL, base + "/generated/10000000/length"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.read(10)
    proc.stdout.close()  # as `| head -c 10` does
    try:
        rc = proc.wait(timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    err = proc.stderr.read().decode()
    check(len(first) == 10 and rc == 23 and "Broken pipe" in err, "a reader that leaves (rc %d, %r)" % (rc, err))

    # No size limit when streaming: 150 MB to a file (Content-Length) and through a pipe (gzip, chunked).
    big = 150 * 1000 * 1000
    big_file = os.path.join(work, "big.bin")
    r = run("-s", "-o", big_file, base + "/generated/%d/length" % big)
    expect(r, 0, "150 MB with -o")
    check(os.path.getsize(big_file) == big, "150 MB with -o: the size")
    h = hashlib.sha256()
    with open(big_file, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            h.update(piece)
    expected = generated_sha256(big)
    check(h.hexdigest() == expected, "150 MB with -o: the digest")
    os.unlink(big_file)
    proc = subprocess.Popen([TOOL, "-s", base + "/generated/%d/gzip" % big], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    timer = threading.Timer(STEP_TIMEOUT, proc.kill)
    timer.start()
    h, size = hashlib.sha256(), 0
    for piece in iter(lambda: proc.stdout.read(1 << 20), b""):
        h.update(piece)
        size += len(piece)
    err = proc.stderr.read().decode()
    proc.wait()
    timer.cancel()
    check(proc.returncode == 0 and size == big and h.hexdigest() == expected,
          "150 MB gzip-chunked to stdout (rc %d, %d bytes, %s)" % (proc.returncode, size, err))
    r = run("--max-filesize", "1000", base + "/generated/1001/chunked")
    expect(r, 63, "--max-filesize")
    check("max_body_size (1000 bytes)" in r.err, "--max-filesize names the limit", r)
    r = run("--max-filesize", "1000", base + "/generated/1000/length")
    check(r.rc == 0 and len(r.out) == 1000, "--max-filesize at the limit", r)

    # TLS.
    r = run(tls_base + "/hello")
    expect(r, 60, "a self-signed certificate")
    check("certificate verify failed" in r.err and "[W " not in r.err and "SSL Error" not in r.err,
          "a TLS failure is reported once, without the library's log line", r)
    for flags in (["--cacert", cert], ["--ca_certs", cert], ["-k"], ["--insecure"], ["--validate_cert=false"]):
        r = run(*flags, tls_base + "/hello")
        check(r.rc == 0 and r.out == b"Hello world!", "https with " + " ".join(flags), r)
    r = run("--cacert", os.path.join(work, "nosuch.pem"), tls_base + "/hello")
    check(r.rc == 77 and "cannot load ca_certs " + os.path.join(work, "nosuch.pem") in r.err,
          "--cacert naming a missing file: exit 77", r)
    r = run("https://127.0.0.1:%d/hello" % plain.server_address[1])
    expect(r, 35, "TLS to a plain HTTP port")
    check("TLS handshake failed" in r.err and "[W " not in r.err, "the handshake failure is reported alone", r)

    # Each class of failure and its status.
    r = run("ftp://127.0.0.1/x")
    expect(r, 1, "an unsupported protocol")
    check("unsupported protocol" in r.err, "an unsupported protocol says so", r)
    expect(run("--bogus-flag", base + "/hello"), 2, "an unknown flag")
    expect(run(), 2, "no URL")
    r = run("http://[::1/")
    expect(r, 3, "a malformed URL")
    r = run("http://nosuch.invalid/")
    expect(r, 6, "an unresolvable host")
    check("cannot resolve" in r.err, "an unresolvable host says so", r)
    r = run("http://127.0.0.1:%d/" % closed_port())
    expect(r, 7, "a refused connection")
    check("refused" in r.err.lower(), "a refused connection says so", r)
    silent = socket.socket()  # accepts (the kernel does) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    for flags in (["--timeout", "0.3"], ["-m", "0.3"], ["--max-time", "0.3"]):
        r = run(*flags, "http://127.0.0.1:%d/" % silent.getsockname()[1])
        expect(r, 28, "a server that never answers, " + flags[0])
        check("Timeout" in r.err, "a timeout says so", r)
    silent.close()
    # A full accept queue (Linux holds backlog + 1): the kernel drops further SYNs unanswered.
    full_backlog = socket.socket()
    full_backlog.bind(("127.0.0.1", 0))
    full_backlog.listen(0)
    fillers = [socket.create_connection(full_backlog.getsockname(), timeout=STEP_TIMEOUT)]
    r = run("--connect-timeout", "0.3", "--timeout", "30", "http://127.0.0.1:%d/" % full_backlog.getsockname()[1])
    expect(r, 28, "--connect-timeout")
    check("Timeout while connecting" in r.err, "--connect-timeout says so", r)
    for c in fillers:
        c.close()
    full_backlog.close()
    r = run(base + "/empty-reply")
    expect(r, 52, "an empty reply")
    r = run(base + "/truncated")
    expect(r, 56, "a body cut short")
    r = run(base + "/garbage")
    expect(r, 8, "a malformed response")

    check_curl(base, tls_base, cert, work)

    plain.shutdown()
    secure.shutdown()
    if failures:
        print("httpclient-cli: %d checks failed" % len(failures), flush=True)
        sys.exit(1)
    print("httpclient-cli: all checks passed", flush=True)


if __name__ == "__main__":
    main()
