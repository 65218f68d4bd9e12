"""static_server serves its root with ETags and 304s and nothing from outside it."""
import os
import tempfile

from example_test import Example, binary, check, request


def get(port, path, headers=None):
    return request(port, "GET", path, headers=headers)


with tempfile.TemporaryDirectory() as tmp:
    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "docs"))
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write("<h1>home</h1>")
    with open(os.path.join(root, "docs", "notes.txt"), "w") as f:
        f.write("some notes\n")
    with open(os.path.join(tmp, "secret.txt"), "w") as f:
        f.write("not for the web")
    os.symlink(os.path.join(tmp, "secret.txt"), os.path.join(root, "link.txt"))

    with Example(binary("static_server"), "--root", root) as server:
        response, body = get(server.port, "/docs/notes.txt")
        check(response.status == 200 and body == b"some notes\n", "a file is served")
        check(response.getheader("Content-Type", "").startswith("text/plain"), "with its type")
        etag = response.getheader("ETag")
        check(etag is not None, "with an ETag")
        response, body = get(server.port, "/docs/notes.txt", {"If-None-Match": etag})
        check(response.status == 304 and body == b"", "the same ETag gets 304 without a body")
        response, body = get(server.port, "/docs/notes.txt", {"Range": "bytes=5-"})
        check(response.status == 206 and body == b"notes\n", "a range gets 206 and the bytes asked for")
        response, body = get(server.port, "/")
        check(response.status == 200 and body == b"<h1>home</h1>", "/ serves index.html")
        response, _ = get(server.port, "/missing.txt")
        check(response.status == 404, "a missing file is 404")
        for path in ["/../secret.txt", "/docs/../../secret.txt", "/%2e%2e/secret.txt", "/link.txt"]:
            response, body = get(server.port, path)
            check(response.status in (403, 404) and b"not for the web" not in body, f"{path} is refused ({response.status})")
