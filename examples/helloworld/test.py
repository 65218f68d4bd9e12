"""helloworld answers "Hello, world" on the port it prints."""
import subprocess
import urllib.request

from example_test import Example, binary, check

with Example(binary("helloworld")) as app:
    with urllib.request.urlopen(app.url, timeout=10) as response:
        check(response.status == 200, "GET / is 200")
        check(response.read() == b"Hello, world", "the body is Hello, world")

# Flags come from squall/options.h: --help lists them, an unknown one is refused with a message.
out = subprocess.run([binary("helloworld"), "--help"], capture_output=True, text=True, timeout=10)
check(out.returncode == 0 and "--port" in out.stdout, "--help lists --port")
out = subprocess.run([binary("helloworld"), "--nope"], capture_output=True, text=True, timeout=10)
check(out.returncode == 1 and "--nope" in out.stderr, "an unknown flag is refused: " + out.stderr.strip())
