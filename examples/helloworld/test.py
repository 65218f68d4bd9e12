"""helloworld answers "Hello, world" on the port it prints."""
import urllib.request

from example_test import Example, binary, check

with Example(binary("helloworld")) as app:
    with urllib.request.urlopen(app.url, timeout=10) as response:
        check(response.status == 200, "GET / is 200")
        check(response.read() == b"Hello, world", "the body is Hello, world")
