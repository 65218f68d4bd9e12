"""Two chat members see each other's messages; a third one, joining later, gets the history."""
import base64
import json
import os
import socket
import struct
import urllib.request

from example_test import Example, binary, check


class Member:
    """A minimal RFC 6455 client over a plain socket: text frames only, enough for the test."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /chatsocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        check(head.startswith(b"HTTP/1.1 101"), "the handshake is answered with 101")

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        return data

    def _take(self, n):
        while len(self.buffer) < n:
            self.buffer += self._recv()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def say(self, text):
        payload = json.dumps({"body": text}).encode()
        mask = os.urandom(4)
        header = bytes([0x81])  # FIN, text
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        else:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def hear(self):
        first, second = self._take(2)
        if first != 0x81:  # FIN and text: the server sends nothing else here
            raise ValueError(f"unexpected frame header {first:#x}")
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._take(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._take(8))
        return json.loads(self._take(length))


with Example(binary("chat")) as app:
    with urllib.request.urlopen(app.url, timeout=10) as page:
        check(b"/chatsocket" in page.read(), "the page at / opens /chatsocket")
    # A member hearing its own message is in the room (open() has run): only then does the
    # next one join, so no message can go out before its listener is counted in.
    alice = Member(app.port)
    alice.say("alice here")
    check(alice.hear()["body"] == "alice here", "alice hears her own message")
    bob = Member(app.port)
    check(bob.hear()["body"] == "alice here", "bob gets the history on joining")
    bob.say("hi alice <b>&</b>")
    check(bob.hear()["body"] == "hi alice <b>&</b>", "bob hears himself")
    check(alice.hear()["body"] == "hi alice <b>&</b>", "alice hears bob, the text as it was typed")
    alice.say("hi bob")
    check(bob.hear()["body"] == "hi bob", "bob hears alice")
    check(alice.hear()["body"] == "hi bob", "alice hears herself")
    carol = Member(app.port)
    history = [carol.hear() for _ in range(3)]
    check([m["body"] for m in history] == ["alice here", "hi alice <b>&</b>", "hi bob"], "a newcomer gets the history")
    check([m["id"] for m in history] == sorted({m["id"] for m in history}), "messages carry increasing ids")
    carol.say("late")
    check(alice.hear()["body"] == "late" and bob.hear()["body"] == "late", "the newcomer is heard by all")
