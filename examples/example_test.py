"""What the examples' tests share: start an example, read the port from its first line, stop it."""
import http.client
import re
import subprocess
import sys


class Example:
    """An example process listening on a port the kernel chose (it runs with --port 0)."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(list(args) + ["--port", "0"], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # blocks until the example listens (or exits)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.proc.kill()
            sys.exit(f"{args[0]}: no port in its first line: {line!r}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}/"

    def peak_memory_kib(self):
        """The process's peak resident set (VmHWM), in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmHWM")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def request(port, method, path, body=None, headers=None):
    """One request on its own connection, the path sent exactly as given (urllib would
    normalise a ".." away); returns the response and its body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def check(condition, message):
    if not condition:
        sys.exit("FAIL: " + message)
    print("ok:", message)
    sys.stdout.flush()


def binary(name):
    """The path of an example binary, given as the test's argument NAME=PATH."""
    for arg in sys.argv[1:]:
        key, _, value = arg.partition("=")
        if key == name:
            return value
    sys.exit(f"no {name}=PATH argument")
