"""proxy forwards a GET and a POST to an upstream served here, headers and bodies both ways,
adds X-Forwarded-For and Via, passes an upstream error on, and answers 502 without an upstream."""
import http.server
import json
import socket
import threading

from example_test import Example, binary, check, request


class Upstream(http.server.BaseHTTPRequestHandler):
    """Answers with what it received, as JSON, and a few headers to pass back."""
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length", 0))
        seen = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                "body": self.rfile.read(length).decode()}
        data = json.dumps(seen).encode()
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Upstream", "yes")
        self.send_header("Set-Cookie", "a=1")
        self.send_header("Set-Cookie", "b=2")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass



upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
threading.Thread(target=upstream.serve_forever, daemon=True).start()
upstream_url = f"http://127.0.0.1:{upstream.server_address[1]}"

with Example(binary("proxy"), "--upstream", upstream_url) as proxy:
    response, data = request(proxy.port, "GET", "/some/path?q=1&r=2", headers={"X-Test": "kept", "Accept": "text/x-test", "Connection": "X-Hop", "X-Hop": "this connection only"})
    seen = json.loads(data)
    check(response.status == 200 and seen["method"] == "GET", "a GET goes through")
    check(seen["path"] == "/some/path?q=1&r=2", "with its path and query")
    check(seen["headers"].get("X-Test") == "kept" and seen["headers"].get("Accept") == "text/x-test",
          "with its headers")
    check("X-Hop" not in seen["headers"], "but not those its Connection field names")
    check(seen["headers"].get("X-Forwarded-For") == "127.0.0.1", "X-Forwarded-For names the client")
    check("squall-proxy" in seen["headers"].get("Via", ""), "Via names the proxy on the way in")
    check(response.getheader("X-Upstream") == "yes", "the upstream's headers come back")
    check(response.getheader("Content-Type") == "application/json", "its Content-Type too")
    check(response.headers.get_all("Set-Cookie") == ["a=1", "b=2"], "repeated headers stay repeated")
    check("squall-proxy" in response.getheader("Via", ""), "Via names the proxy on the way out")

    body = "name=squall&" + "x" * 100000
    response, data = request(proxy.port, "POST", "/form", body=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "10.0.0.1"})
    seen = json.loads(data)
    check(response.status == 200 and seen["method"] == "POST" and seen["body"] == body, "a POST body goes through")
    check(seen["headers"].get("Content-Type") == "application/x-www-form-urlencoded", "with its Content-Type")
    check(seen["headers"].get("X-Forwarded-For") == "10.0.0.1, 127.0.0.1", "X-Forwarded-For is appended to")

    response, data = request(proxy.port, "GET", "/missing")
    check(response.status == 404 and json.loads(data)["path"] == "/missing", "an upstream 404 is passed on with its body")

upstream.shutdown()

# A port nobody listens on: bound by the kernel's choice, then closed.
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    dead_port = s.getsockname()[1]
with Example(binary("proxy"), "--upstream", f"http://127.0.0.1:{dead_port}") as proxy:
    response, data = request(proxy.port, "GET", "/")
    check(response.status == 502, f"a dead upstream gives 502 ({data.decode().strip()})")
