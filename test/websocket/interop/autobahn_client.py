"""Interop peer: Autobahn|Python (Debian's python3-autobahn, its asyncio client) against
squall-ws-interop-server, including what only a low-level client can send: a ping between the
fragments of a message, a character split across fragments, a frame written a byte at a time,
and three protocol violations the server must answer with the right close code.
`autobahn_client.py PORT`; exits 1 with the failing check's name and what differed."""

import asyncio
import struct
import sys

from interop_common import (BINARY_PAYLOADS, LONG_TEXT, STEP_TIMEOUT, UTF8_TEXT, check, check_equal,
                            check_server_saw, last_close, missing_library, run_checks)

try:
    import autobahn
    import txaio
    txaio.use_asyncio()
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol
except ImportError as e:
    missing_library("autobahn_client", "autobahn", "python3-autobahn", e)

PEER = "autobahn " + autobahn.__version__
port = int(sys.argv[1])


class Recorder(WebSocketClientProtocol):
    """Puts every event on its factory's queue, for the checks to wait on in order."""

    def onConnect(self, response):
        self.factory.response = response

    def onOpen(self):
        self.factory.events.put_nowait(("open", None))

    def onMessage(self, payload, isBinary):
        self.factory.events.put_nowait(("binary" if isBinary else "text", payload))

    def onPong(self, payload):
        self.factory.events.put_nowait(("pong", payload))

    def onClose(self, wasClean, code, reason):
        self.factory.events.put_nowait(("close", (wasClean, code, reason)))


class Connection:
    """One client connection; next() is its next event: ("text"|"binary", bytes), ("pong", bytes),
    ("close", (was_clean, code, reason))."""

    async def open(self, path, conn_id, protocols=None, origin=None, **options):
        txaio.config.loop = asyncio.get_running_loop()
        self.factory = WebSocketClientFactory("ws://127.0.0.1:%d%s?id=%s" % (port, path, conn_id),
                                              protocols=protocols, origin=origin)
        self.factory.protocol = Recorder
        self.factory.events = asyncio.Queue()
        self.factory.response = None
        self.factory.setProtocolOptions(openHandshakeTimeout=STEP_TIMEOUT, closeHandshakeTimeout=STEP_TIMEOUT,
                                        **options)
        _, self.proto = await asyncio.wait_for(
            asyncio.get_running_loop().create_connection(self.factory, "127.0.0.1", port), STEP_TIMEOUT)
        return await self.next()

    async def next(self):
        return await asyncio.wait_for(self.factory.events.get(), STEP_TIMEOUT)

    async def open_ok(self, path, conn_id, **kwargs):
        event = await self.open(path, conn_id, **kwargs)
        check(event[0] == "open", "the handshake on %s failed: %r" % (path, event))
        return self

    async def echo(self, payload, binary=False):
        self.proto.sendMessage(payload, isBinary=binary)
        return await self.next()

    async def close(self, code=None, reason=None):
        self.proto.sendClose(code, reason)
        return await self.next()


async def opened(path, conn_id, **kwargs):
    return await Connection().open_ok(path, conn_id, **kwargs)


async def text_echo():
    c = await opened("/echo", "ab-text")
    for text in ["hello, squall", "", UTF8_TEXT, LONG_TEXT]:
        check_equal(await c.echo(text.encode()), ("text", text.encode()), "text echo")
    await c.close(1000)


async def binary_echo():
    c = await opened("/echo", "ab-binary")
    for name, payload in BINARY_PAYLOADS:
        check_equal(await c.echo(payload, binary=True), ("binary", payload), "binary echo of " + name)
    await c.close(1000)


async def auto_fragmented():
    # The library cuts each message into frames of 1000 bytes.
    c = await opened("/echo", "ab-autofragment")
    payload = bytes(i % 251 for i in range(100000))
    c.proto.sendMessage(payload, isBinary=True, fragmentSize=1000)
    check_equal(await c.next(), ("binary", payload), "echo of a message sent in 1000-byte frames")
    await c.close(1000)


async def fragments_with_ping_inside():
    c = await opened("/echo", "ab-fragments")
    snowman = "☃".encode()  # three bytes, split across two frames
    c.proto.beginMessage(isBinary=False)
    c.proto.sendMessageFrame(b"frag" + snowman[:2])
    c.proto.sendPing(b"between fragments")  # a control frame inside a fragmented message
    c.proto.sendMessageFrame(snowman[2:] + b"mented")
    c.proto.endMessage()
    check_equal(await c.next(), ("pong", b"between fragments"), "the pong of a ping between fragments")
    check_equal(await c.next(), ("text", b"frag" + snowman + b"mented"), "echo of a fragmented text message")
    await c.close(1000)


async def byte_by_byte():
    # Each byte of the frame in its own write, so the server reads it in pieces.
    c = await opened("/echo", "ab-chopped", tcpNoDelay=True)
    c.proto.sendFrame(opcode=1, payload=UTF8_TEXT.encode(), chopsize=1)
    check_equal(await c.next(), ("text", UTF8_TEXT.encode()), "echo of a frame written a byte at a time")
    await c.close(1000)


async def ping_pong():
    c = await opened("/echo", "ab-ping")
    c.proto.sendPing(b"squall?")
    check_equal(await c.next(), ("pong", b"squall?"), "pong")
    await c.close(1000)


async def ping_payloads():
    c = await opened("/echo", "ab-ping-sizes")
    for data in [b"", bytes(range(125))]:  # none, and the most a ping carries
        c.proto.sendPing(data)
        check_equal(await c.next(), ("pong", data), "pong of %d bytes" % len(data))
    await c.close(1000)


async def server_ping():
    c = await opened("/ping", "ab-server-ping")  # the library answers pings itself
    check_equal(await c.next(), ("text", b"pong squall ping"), "the server's report of our pong")
    await c.close(1000)


async def client_close():
    c = await opened("/echo", "ab-client-close")
    event = await c.close(4000, "client bye")
    check(event[0] == "close" and event[1][0], "the closing handshake was not clean: %r" % (event,))
    check(c.proto.remoteCloseCode == 4000, "the server echoed close code %r, want 4000" % c.proto.remoteCloseCode)
    await asyncio.to_thread(check_server_saw, port, "ab-client-close", 4000, "client bye")


async def server_close():
    c = await opened("/close", "ab-server-close")
    event = await c.next()
    check(event[0] == "close", "got %r where the server's close was due" % (event,))
    check(c.proto.remoteCloseCode == 4001, "server close code %r, want 4001" % c.proto.remoteCloseCode)
    check(c.proto.remoteCloseReason == "server bye",
          "server close reason %r, want 'server bye'" % c.proto.remoteCloseReason)
    check(event[1][0], "the closing handshake was not clean: %r" % (event,))
    # Autobahn answers a close with 1000 unless echoCloseCodeReason is set.
    await asyncio.to_thread(check_server_saw, port, "ab-server-close", 1000)


async def server_close_echoed():
    # With echoCloseCodeReason the library answers with the server's own code and reason.
    c = await opened("/close", "ab-server-close-echo", echoCloseCodeReason=True)
    event = await c.next()
    check(event[0] == "close" and event[1][0], "the server's close: got %r" % (event,))
    await asyncio.to_thread(check_server_saw, port, "ab-server-close-echo", 4001, "server bye")


async def subprotocol():
    c = await opened("/subprotocol", "ab-subprotocol", protocols=["chat", "superchat"])
    check(c.factory.response.protocol == "superchat",
          "negotiated subprotocol %r, want 'superchat'" % c.factory.response.protocol)
    check_equal(await c.next(), ("text", b"superchat"), "the server's selected_subprotocol()")
    await c.close(1000)
    record = await asyncio.to_thread(last_close, port, "ab-subprotocol")
    check(record["subprotocol"] == "superchat", "the server recorded subprotocol %r" % record["subprotocol"])


async def cross_origin():
    event = await Connection().open("/echo", "ab-cross-origin", origin="http://evil.example")
    check(event[0] == "close", "a cross-origin handshake was accepted: %r" % (event,))
    check("403" in str(event[1][2]), "the cross-origin handshake failed without a 403: %r" % (event,))


async def violation(conn_id, send, want_code, **options):
    """Sends what breaks RFC 6455; the server must answer with a close frame of `want_code`."""
    c = await opened("/echo", conn_id, **options)
    send(c.proto)
    event = await c.next()
    check(event[0] == "close", "%s: got %r instead of the server's close" % (conn_id, event))
    check(c.proto.remoteCloseCode == want_code,
          "%s: server close code %r, want %d" % (conn_id, c.proto.remoteCloseCode, want_code))


async def invalid_utf8():
    await violation("expect-error-utf8", lambda p: p.sendFrame(opcode=1, payload=b"ok \xc3\x28"), 1007)


async def reserved_opcode():
    await violation("expect-error-opcode", lambda p: p.sendFrame(opcode=3, payload=b"?"), 1002)


async def unmasked_frame():
    await violation("expect-error-unmasked", lambda p: p.sendMessage(b"no mask"), 1002, maskClientFrames=False)


async def reserved_close_code():
    # 1005 ("no status") may be reported but never sent.
    await violation("expect-error-close-code", lambda p: p.sendFrame(opcode=8, payload=struct.pack("!H", 1005)), 1002)


async def oversized_ping():
    await violation("expect-error-big-ping", lambda p: p.sendFrame(opcode=9, payload=b"p" * 126), 1002)


def in_loop(coroutine_function):
    return lambda: asyncio.run(asyncio.wait_for(coroutine_function(), 4 * STEP_TIMEOUT))


run_checks(PEER, [(f.__name__.replace("_", " "), in_loop(f)) for f in [
    text_echo, binary_echo, auto_fragmented, fragments_with_ping_inside, byte_by_byte, ping_pong, ping_payloads,
    server_ping, client_close, server_close, server_close_echoed, subprotocol, cross_origin, invalid_utf8,
    reserved_opcode, unmasked_frame, reserved_close_code, oversized_ping]])
