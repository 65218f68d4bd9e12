"""A 64 MiB upload streamed by the uploader comes back with the right size and SHA-256, and the
server's peak memory stays far below the upload's size."""
import hashlib
import json
import os
import subprocess
import tempfile
import urllib.error
import urllib.request

from example_test import Example, binary, check, request

SIZE = 64 * 1024 * 1024

with tempfile.TemporaryDirectory() as tmp, Example(binary("file_upload")) as server:
    path = os.path.join(tmp, "big file.bin")
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        block = os.urandom(1024 * 1024)
        for i in range(SIZE // len(block)):
            piece = bytes([i]) + block[1:]  # no two MiBs alike
            f.write(piece)
            digest.update(piece)
    before = server.peak_memory_kib()
    out = subprocess.run([binary("uploader"), "--url", server.url + "upload", path],
                         capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, "the uploader succeeds " + out.stderr.strip())
    answer = json.loads(out.stdout)
    check(answer["name"] == "big file.bin", "the name arrives, unescaped")
    check(answer["size"] == SIZE, "the size is right")
    check(answer["sha256"] == digest.hexdigest(), "the SHA-256 is right")
    growth = server.peak_memory_kib() - before
    check(growth < 8 * 1024, f"the server's peak memory grew by {growth} KiB, under 8 MiB for a 64 MiB upload")

    # A plain (buffered) client works too, and a GET is refused: only PUT is implemented.
    small = urllib.request.Request(server.url + "upload/small.txt", data=b"hello", method="PUT")
    with urllib.request.urlopen(small, timeout=10) as response:
        check(json.load(response)["sha256"] == hashlib.sha256(b"hello").hexdigest(), "a small PUT is hashed")
    try:
        urllib.request.urlopen(server.url + "upload/small.txt", timeout=10)
        check(False, "GET is refused")
    except urllib.error.HTTPError as e:
        check(e.code == 405, "GET is refused with 405")

# --max-size is the limit: over it, 413 before any of the body is read.
with Example(binary("file_upload"), "--max-size", "1000") as server:
    response, _ = request(server.port, "PUT", "/upload/x", body=b"x" * 1001)
    check(response.status == 413, "an upload over --max-size gets 413")
    response, _ = request(server.port, "PUT", "/upload/x", body=b"x" * 1000)
    check(response.status == 200, "one of exactly --max-size is taken")
