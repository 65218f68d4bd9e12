"""webspider crawls a small site served here: every page below the base URL is found once,
nothing outside it is fetched, and no more fetches than --concurrency are ever in flight."""
import http.server
import subprocess
import threading
import time

from example_test import binary, check

CONCURRENCY = 3
# /site/ links to 12 pages and to things the spider must not fetch; the pages link on.
PAGES = {"/site/": "".join(f'<a href="p{i}.html">{i}</a>' for i in range(12))
         + '<a href="/outside.html">out</a> <a href="missing.html#top">gone</a>'}
for i in range(12):
    PAGES[f"/site/p{i}.html"] = f"<a href='p{(i + 1) % 12}.html#frag'>next</a> <a href=\"./\">up</a> <a href=\"deep/d{i}.html\">deep</a>"
    PAGES[f"/site/deep/d{i}.html"] = '<a href="../p0.html">p0</a>'
PAGES["/outside.html"] = "must not be fetched"

lock = threading.Lock()
in_flight = max_in_flight = 0
requested = []


class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global in_flight, max_in_flight
        with lock:
            in_flight += 1
            max_in_flight = max(max_in_flight, in_flight)
            requested.append(self.path)
        time.sleep(0.02)  # keeps each request open a while, so that fetches overlap
        body = PAGES.get(self.path)
        # No longer counted before a byte of the answer leaves: the spider may start its next
        # fetch as soon as this one is answered, possibly before this thread runs again.
        with lock:
            in_flight -= 1
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html")
        data = (body or "not found").encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}/site/"
out = subprocess.run([binary("webspider"), "--concurrency", str(CONCURRENCY), "--timeout", "30", base],
                     capture_output=True, text=True, timeout=60)
server.shutdown()
check(out.returncode == 0, f"the crawl finishes ({out.stderr.strip()})")
lines = out.stdout.splitlines()
expected = {"http://127.0.0.1:%d%s" % (server.server_address[1], p) for p in PAGES if p.startswith("/site/")}
check(set(lines[:-1]) == expected, "every page below the base URL is listed")
check(len(lines[:-1]) == len(expected), "each one once")
check(lines[-1].startswith("Done in ") and lines[-1].endswith(f"fetched {len(expected)} URLs."), "then the summary")
site_paths = {p for p in PAGES if p.startswith("/site/")}
check(set(requested) == site_paths | {"/site/missing.html"}, "nothing outside the base URL is fetched")
check(requested.count("/site/missing.html") == 1 and "missing.html" in out.stderr, "a 404 is fetched once and reported")
check(len(requested) == len(set(requested)), "no URL is fetched twice")
check(max_in_flight <= CONCURRENCY, f"at most {CONCURRENCY} fetches in flight (at most {max_in_flight} were)")
check(max_in_flight >= 2, "the workers fetch concurrently")
