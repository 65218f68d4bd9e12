#!/usr/bin/env python3
"""The demo's pages in a real browser: `demo_browser_test.py SQUALL_DEMO` starts squall-demo on a
kernel-chosen loopback port and headless Chromium (Debian's) and drives pages over the DevTools
protocol (with python3-websockets). The chat room: two pages of the front page, what one types
reaches both, as text, and the room goes on once a page is closed. The form upload: a file picked
in /form-upload's form is sent, its progress bar reaches the end and the server's answer names the
file with its size and SHA-256. The tour: every try-it control of the front page answers in its
box, the live panel fills, and the pages are styled and lead back (screenshots kept in
$SQUALL_SCREENSHOTS when it is set)."""

import asyncio
import base64
import ctypes
import hashlib
import json
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

try:
    import websockets
except ImportError as e:
    print("demo_browser_test: cannot import websockets under %s (%s): apt-get install python3-websockets"
          % (sys.executable, e), file=sys.stderr)
    sys.exit(1)

CHROMIUM = os.environ.get("SQUALL_CHROMIUM", "/usr/bin/chromium")
STARTUP_TIMEOUT = 30  # seconds for squall-demo's first line, and for Chromium's DevTools line
STEP_TIMEOUT = 15     # seconds for one DevTools command or one awaited event
PAGE_TIMEOUT_MS = 10000  # a promise awaited in a page rejects after this, before STEP_TIMEOUT ends
STOP_TIMEOUT = 10
TEST_TIMEOUT = 120    # seconds for the whole browser session (meson's timeout is longer)


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def on_sigterm(signum, frame):
    # meson's timeout: unwind so that the finally blocks stop Chromium and squall-demo.
    raise Failure("stopped by signal %d (the meson timeout?)" % signum)


# --- squall-demo ---------------------------------------------------------------------------------

def start_demo(exe, log):
    proc = subprocess.Popen([exe, "--port", "0"], stdout=subprocess.PIPE, stderr=log)
    ready, _, _ = select.select([proc.stdout], [], [], STARTUP_TIMEOUT)
    line = proc.stdout.readline().decode() if ready else ""
    m = re.match(r"squall-demo listening on http://127\.0\.0\.1:([0-9]+)/ \(site .*\)\n", line)
    if not m:
        proc.kill()
        proc.wait()
        raise Failure("squall-demo's first line within %d s was %r" % (STARTUP_TIMEOUT, line))
    return proc, int(m.group(1))


def stop_demo(proc):
    """SIGTERM; its exit status."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise Failure("squall-demo did not exit within %d s of SIGTERM" % STOP_TIMEOUT)


# --- Chromium --------------------------------------------------------------------------------------

def die_with_parent():
    # In Chromium's own process group (stopped with killpg below), and killed by the kernel should
    # this script be killed outright: the group is out of meson's reach.
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Chromium:
    def __init__(self):
        if not os.access(CHROMIUM, os.X_OK):
            raise Failure("no Chromium at %s: apt-get install chromium (tools/dev test installs it)" % CHROMIUM)
        self.profile = tempfile.mkdtemp(prefix="squall-chromium-")
        self.closed_politely = False  # Browser.close sent: give it time to exit before the kill
        self.stderr_tail = []
        self.endpoint = queue.Queue()
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             "--user-data-dir=" + self.profile, "--no-first-run", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True, preexec_fn=die_with_parent)
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self):
        # Drains Chromium's stderr (full of D-Bus complaints) so that it never blocks on it.
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self.stderr_tail = (self.stderr_tail + [line])[-30:]
            m = re.match(r"DevTools listening on (ws://127\.0\.0\.1:[0-9]+/devtools/browser/\S+)$", line)
            if m:
                self.endpoint.put(m.group(1))
        self.endpoint.put(None)

    def browser_url(self):
        try:
            url = self.endpoint.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            url = None
        if url is None:
            raise Failure("Chromium printed no DevTools endpoint within %d s; its stderr ended with:\n%s"
                          % (STARTUP_TIMEOUT, "\n".join(self.stderr_tail)))
        return url

    def stop(self):
        """The whole process group, whatever state it is in, then the profile."""
        try:
            self.proc.wait(STOP_TIMEOUT if self.closed_politely else 0)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class DevTools:
    """One browser-level DevTools connection; pages are flat sessions on it (sessionId)."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.replies = {}
        self.waiters = []  # [method, sessionId, predicate, future]
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self):
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                if "id" in msg:
                    fut = self.replies.pop(msg["id"], None)
                    if fut and not fut.done():
                        fut.set_result(msg)
                    continue
                for w in list(self.waiters):
                    method, session, predicate, fut = w
                    if (msg.get("method") == method and msg.get("sessionId") == session and not fut.done()
                            and predicate(msg.get("params", {}))):
                        fut.set_result(msg.get("params", {}))
                        self.waiters.remove(w)
        except websockets.exceptions.ConnectionClosed:
            pass
        for fut in list(self.replies.values()) + [w[3] for w in self.waiters]:
            if not fut.done():
                fut.set_exception(Failure("the DevTools connection closed"))

    async def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        fut = asyncio.get_running_loop().create_future()
        self.replies[self.next_id] = fut
        await self.ws.send(json.dumps(msg))
        try:
            reply = await asyncio.wait_for(fut, STEP_TIMEOUT)
        except asyncio.TimeoutError:
            raise Failure("%s: no answer within %d s" % (method, STEP_TIMEOUT))
        if "error" in reply:
            raise Failure("%s: %s" % (method, reply["error"]))
        return reply["result"]

    def expect(self, method, session=None, predicate=lambda params: True):
        """A future for the next such event; made before the command that causes it."""
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append([method, session, predicate, fut])
        return fut

    async def arrived(self, fut, what):
        try:
            return await asyncio.wait_for(fut, STEP_TIMEOUT)
        except asyncio.TimeoutError:
            raise Failure("%s: not within %d s" % (what, STEP_TIMEOUT))


class Page:
    def __init__(self, devtools, name, target, session):
        self.devtools, self.name, self.target, self.session = devtools, name, target, session

    @classmethod
    async def open(cls, devtools, name, url):
        target = (await devtools.call("Target.createTarget", {"url": "about:blank"}))["targetId"]
        session = (await devtools.call("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        page = cls(devtools, name, target, session)
        await page.call("Page.enable")
        await page.call("Runtime.enable")
        loaded = devtools.expect("Page.loadEventFired", session)
        nav = await page.call("Page.navigate", {"url": url})
        check("errorText" not in nav, "page %s: navigating to %s: %s" % (name, url, nav.get("errorText")))
        await devtools.arrived(loaded, "page %s: the load event" % name)
        return page

    async def call(self, method, params=None):
        return await self.devtools.call(method, params, self.session)

    async def evaluate(self, expression):
        """The value of `expression` in the page; a promise is awaited (it has its own timeout)."""
        reply = await self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                     "returnByValue": True})
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise Failure("page %s: %s" % (self.name, details.get("exception", {}).get("description")
                                           or details.get("text")))
        return reply["result"].get("value")

    async def until(self, condition, what):
        """Waits in the page for `condition` (a JS expression) to hold, tested again on each of the
        page's DOM changes and after each submit or key release (the form's handler has run by
        then); fails after PAGE_TIMEOUT_MS."""
        script = """new Promise((resolve, reject) => {
          const holds = () => { try { return %(condition)s; } catch (e) { return false; } };
          if (holds()) return resolve(true);
          const test = () => { if (holds()) finish(() => resolve(true)); };
          const observer = new MutationObserver(test);
          const finish = (settle) => {
            observer.disconnect();
            clearTimeout(timer);
            for (const type of ["submit", "keyup"]) document.removeEventListener(type, test);
            settle();
          };
          const timer = setTimeout(() => finish(() => reject(new Error(%(what)s))), %(ms)d);
          observer.observe(document, {childList: true, subtree: true, characterData: true});
          for (const type of ["submit", "keyup"]) document.addEventListener(type, test);
        })""" % {"condition": condition, "what": json.dumps("not within %d ms: %s" % (PAGE_TIMEOUT_MS, what)),
                 "ms": PAGE_TIMEOUT_MS}
        await self.evaluate(script)

    async def lines(self):
        """The chat log as rendered: each line's text and how many elements it holds."""
        return await self.evaluate(
            "Array.from(document.getElementById('log').children, d => [d.textContent, d.childElementCount])")

    async def wait_connected(self):
        # The page's socket (its top-level `ws`) is open once it shows "(connected)".
        await self.until("ws.readyState === WebSocket.OPEN && "
                         "Array.from(document.getElementById('log').children).some(d => d.textContent === '(connected)')",
                         "the chat socket open")

    async def type_and_send(self, text):
        """Types `text` into the message box as keyboard input and presses Enter (submitting the form)."""
        await self.call("Page.bringToFront")
        focused = await self.evaluate("document.getElementById('message').focus(), document.activeElement.id")
        check(focused == "message", "page %s: the focus is on %r, not the message box" % (self.name, focused))
        await self.call("Input.insertText", {"text": text})
        typed = await self.evaluate("document.getElementById('message').value")
        check(typed == text, "page %s: the message box holds %r after typing %r" % (self.name, typed, text))
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter",
                                                       "windowsVirtualKeyCode": 13, "text": "\r"})
        # The form's submit handler sends and empties the box.
        await self.until("document.getElementById('message').value === ''", "the message box emptied by submit")

    async def wait_line(self, text, sender):
        try:
            await self.until("Array.from(document.getElementById('log').children).some(d => d.textContent === %s)"
                             % json.dumps(text), "%r (sent by %s) in the log" % (text, sender))
        except Failure as e:
            raise Failure("%s; the log holds (text, element count) %r" % (e, await self.lines()))


# --- the test --------------------------------------------------------------------------------------

MESSAGES = [  # (sender, text)
    ("A", "hello from A"),
    ("B", "hello from B"),
    ("A", "h\u00e9llo \u2603"),                      # non-ASCII UTF-8, both ways
    ("B", "gr\u00fc\u00dfe \U0001F600 \u65e5\u672c"),
    ("A", "<b>x</b>"),                               # markup that must stay text
    ("B", "<img src=x onerror=\"document.title='xss'\"> &amp; \"q\" 'r' & <"),
]
AFTER_B_LEFT = ["A again, B gone", "and once more"]


async def drive(url, devtools_url):
    async with websockets.connect(devtools_url, max_size=None, open_timeout=STEP_TIMEOUT,
                                  close_timeout=STEP_TIMEOUT) as ws:
        devtools = DevTools(ws)
        version = await devtools.call("Browser.getVersion")
        print("browser: %s" % version.get("product"), flush=True)

        pages = {"A": await Page.open(devtools, "A", url)}
        await pages["A"].wait_connected()
        pages["B"] = await Page.open(devtools, "B", url)
        await pages["B"].wait_connected()

        sent = []
        for sender, text in MESSAGES:
            await pages[sender].type_and_send(text)
            sent.append(text)
            for page in pages.values():  # the room sends every message to every member, sender included
                await page.wait_line(text, sender)
            print("%s -> A, B: %r" % (sender, text), flush=True)

        expected = [["(connected)", 0]] + [[t, 0] for t in sent]
        for name, page in pages.items():
            lines = await page.lines()
            check(lines == expected, "page %s's log (text, element count) is %r, expected %r" % (name, lines, expected))
            title = await page.evaluate("document.title")
            check(title == "squall demo", "page %s's title became %r: a message ran as markup" % (name, title))
            found = await page.evaluate("document.querySelectorAll('#log b, #log img').length")
            check(found == 0, "page %s: %d elements made from messages in the log" % (name, found))

        # Page B goes; the room drops it and A's messages still go round.
        gone = devtools.expect("Target.targetDestroyed", None, lambda p: p.get("targetId") == pages["B"].target)
        await devtools.call("Target.setDiscoverTargets", {"discover": True})
        closed = await devtools.call("Target.closeTarget", {"targetId": pages["B"].target})
        check(closed.get("success", True), "Target.closeTarget failed")
        await devtools.arrived(gone, "page B destroyed")
        del pages["B"]
        for text in AFTER_B_LEFT:
            await pages["A"].type_and_send(text)
            sent.append(text)
            await pages["A"].wait_line(text, "A")
            print("A -> A (B closed): %r" % text, flush=True)
        lines = await pages["A"].lines()
        expected = [["(connected)", 0]] + [[t, 0] for t in sent]
        check(lines == expected, "page A's log is %r, expected %r" % (lines, expected))
        still_open = await pages["A"].evaluate("ws.readyState === WebSocket.OPEN")
        check(still_open, "page A's chat socket closed after B left")

        await upload_a_file(devtools, url)
        await tour(devtools, url)

        try:
            await devtools.call("Browser.close")
        except Failure:
            pass  # the browser may close the connection before it answers
        devtools.reader.cancel()


async def upload_a_file(devtools, url):
    """/form-upload: a file of random bytes picked in the form goes up as multipart/form-data."""
    data = os.urandom(6 * 1024 * 1024 + 7)
    with tempfile.TemporaryDirectory(prefix="squall-upload-") as folder:
        path = os.path.join(folder, "random \u00e9.bin")
        with open(path, "wb") as f:
            f.write(data)
        page = await Page.open(devtools, "U", url + "form-upload")
        root = (await page.call("DOM.getDocument"))["root"]["nodeId"]
        node = (await page.call("DOM.querySelector", {"nodeId": root, "selector": "input[type=file]"}))["nodeId"]
        await page.call("DOM.setFileInputFiles", {"files": [path], "nodeId": node})
        await page.evaluate("document.querySelector('#upload button').click()")
        await page.until("document.getElementById('result').textContent !== ''", "the upload's answer")
        status, _, body = (await page.evaluate("document.getElementById('result').textContent")).partition("\n")
        check(status == "200", "the upload was answered %r: %r" % (status, body))
        parts = json.loads(body)["parts"]
        expected = [{"name": "file", "filename": "random \u00e9.bin", "content_type": "application/octet-stream",
                     "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
                    {"name": "comment", "content_type": "text/plain", "size": 5, "value": "hello"}]
        check(parts == expected, "the server saw the parts %r, expected %r" % (parts, expected))
        progress = await page.evaluate("[document.getElementById('progress').value, "
                                       "document.getElementById('percent').textContent]")
        check(progress == [1, "100%"], "the progress bar ended at %r" % (progress,))
        print("form upload: %d bytes, SHA-256 as sent, progress %r" % (len(data), progress), flush=True)


TRIES = [  # (the box, a JS expression that presses its control, what its answer must hold)
    ("hello", "document.querySelector('#hello button').click()", ["HTTP 200", "Hello, world"]),
    ("echo", "document.querySelector('#echo button').click()", ["HTTP 200", "x-body-length: 22", "Hello from the browser"]),
    ("gzip", "document.querySelector('#gzip button').click()", ["HTTP 200", "content-encoding: gzip", "vary: Accept-Encoding"]),
    ("static", "document.querySelector('#static button').click()", ["HTTP 206", "content-range: bytes 0-99/1048576",
                                                                    "100 bytes of body"]),
    ("redirect", "document.querySelector('#redirect button').click()", ["HTTP 200", "followed a redirect to /hello"]),
    ("xsrf", "document.querySelector('#xsrf button').click()", ["HTTP 403"]),
    ("cookie", "document.querySelector('[data-cookie-read]').click()", ["HTTP 401", "/cookie?set=alice"]),
    ("cookie", "document.querySelector('[data-cookie-set]').click()", ["HTTP 200", "\n\nset"]),
    ("cookie", "document.querySelector('[data-cookie-read]').click()", ["HTTP 200", "alice"]),
    ("websocket", "document.querySelector('#websocket button').click()",
     ["received: ping from the browser", "closed: 1000", "permessage-deflate"]),
    ("websocket", "document.querySelector('[data-ws-close]').click()", ["closed: 4000 bye"]),
]


async def screenshot(page, name):
    """A PNG of the page; kept in $SQUALL_SCREENSHOTS when that is set. Returns its size."""
    shot = await page.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    data = base64.b64decode(shot["data"])
    check(data.startswith(b"\x89PNG"), "the %s screenshot is not a PNG" % name)
    folder = os.environ.get("SQUALL_SCREENSHOTS")
    if folder:
        with open(os.path.join(folder, name + ".png"), "wb") as f:
            f.write(data)
    return len(data)


async def tour(devtools, url):
    """The front page as a tour: every try-it control answers in its box, the live panel fills."""
    page = await Page.open(devtools, "T", url)
    await page.call("Emulation.setDeviceMetricsOverride", {"width": 1200, "height": 900, "deviceScaleFactor": 1,
                                                           "mobile": False})
    styled = await page.evaluate("getComputedStyle(document.querySelector('header.top')).display")
    check(styled == "flex", "the stylesheet is not applied (header display %r)" % styled)
    for box, press, expected in TRIES:
        result = "document.getElementById('%s-result')" % box
        await page.evaluate(result + ".textContent = ''")
        await page.evaluate(press)
        condition = " && ".join("%s.textContent.includes(%s)" % (result, json.dumps(e)) for e in expected)
        try:
            await page.until(condition, "the %s box showing %r" % (box, expected))
        except Failure as e:
            raise Failure("%s; it shows %r" % (e, await page.evaluate(result + ".textContent")))
        print("tour: %s answered %r" % (box, expected), flush=True)
    await page.until("/^[0-9]+$/.test(document.getElementById('stat-connections').textContent) && "
                     "document.getElementById('stat-poller').textContent.length > 0 && "
                     "/MiB$/.test(document.getElementById('stat-rss').textContent) && "
                     "/^[0-9.]+$/.test(document.getElementById('stat-rate').textContent)", "the live panel filled")
    panel = await page.evaluate("Array.from(document.querySelectorAll('#panel dd'), d => d.textContent)")
    print("tour: live panel %r" % (panel,), flush=True)
    size = await screenshot(page, "tour")
    check(size > 50000, "the tour's screenshot is only %d bytes: is the page blank?" % size)
    await devtools.call("Storage.clearCookies")  # the tour set one: /cookie answers 401 again
    for path, name in (("cookie", "cookie-401"), ("xsrf", "xsrf"), ("form-upload", "form-upload")):
        other = await Page.open(devtools, name, url + path)
        back = await other.evaluate("document.querySelector('p.back a') && document.querySelector('p.back a').getAttribute('href')")
        check(back == "/", "%s has no way back to the tour (%r)" % (path, back))
        await screenshot(other, name)


def main():
    if len(sys.argv) != 2:
        print("usage: demo_browser_test.py SQUALL_DEMO", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, on_sigterm)
    started = time.monotonic()
    demo_log = tempfile.TemporaryFile()
    demo = chromium = None
    status = None
    try:
        demo, port = start_demo(sys.argv[1], demo_log)
        chromium = Chromium()
        asyncio.run(asyncio.wait_for(drive("http://127.0.0.1:%d/" % port, chromium.browser_url()),
                                     TEST_TIMEOUT))
        chromium.closed_politely = True
        status = stop_demo(demo)
        demo = None
        check(status == 0, "squall-demo exited with %s after SIGTERM" % status)
        demo_log.seek(0)
        errors = [l for l in demo_log.read().decode(errors="replace").splitlines() if l.startswith("[E ")]
        check(not errors, "squall-demo logged errors:\n" + "\n".join(errors))
    except Failure as e:
        print("demo_browser_test: FAIL: %s" % e, file=sys.stderr, flush=True)
        demo_log.seek(0)
        logged = demo_log.read().decode(errors="replace")
        if logged:
            print("squall-demo's log:\n" + logged, file=sys.stderr)
        return 1
    except asyncio.TimeoutError:
        print("demo_browser_test: FAIL: the whole browser session overran", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if chromium:
            chromium.stop()
        if demo:
            demo.kill()
            demo.wait()
    print("demo_browser_test: passed in %.1f s" % (time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
