"""Interop peer: the Python `websockets` library (Debian's python3-websockets, 10.x, asyncio
client) against squall-ws-interop-server. `python_websockets_client.py PORT`; exits 1 with the
failing check's name and what differed."""

import asyncio
import sys

from interop_common import (BINARY_PAYLOADS, LONG_TEXT, STEP_TIMEOUT, UTF8_TEXT, check, check_equal,
                            check_server_saw, last_close, missing_library, run_checks)

try:
    import websockets
    import websockets.exceptions
except ImportError as e:
    missing_library("python_websockets_client", "websockets", "python3-websockets", e)

PEER = "websockets " + websockets.version.version
port = int(sys.argv[1])


def connect(path, conn_id, **kwargs):
    # No size limit (the library's default is 1 MiB, the size of the largest echo).
    return websockets.connect("ws://127.0.0.1:%d%s?id=%s" % (port, path, conn_id), max_size=None,
                              open_timeout=STEP_TIMEOUT, close_timeout=STEP_TIMEOUT, **kwargs)


async def recv(ws):
    return await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)


async def echo_of(ws, message):
    await ws.send(message)
    return await recv(ws)


async def text_echo():
    async with connect("/echo", "ws-text") as ws:
        check_equal(await echo_of(ws, "hello, squall"), "hello, squall", "text echo")
        check_equal(await echo_of(ws, ""), "", "empty text echo")
        check_equal(await echo_of(ws, UTF8_TEXT), UTF8_TEXT, "UTF-8 text echo")
        check_equal(await echo_of(ws, LONG_TEXT), LONG_TEXT, "long UTF-8 text echo")


async def binary_echo():
    async with connect("/echo", "ws-binary") as ws:
        for name, payload in BINARY_PAYLOADS:
            check_equal(await echo_of(ws, payload), payload, "binary echo of " + name)


async def compressed_echo():
    # websockets offers permessage-deflate by default; /echo declines it, /deflate accepts it.
    async with connect("/echo", "ws-uncompressed") as ws:
        check("Sec-WebSocket-Extensions" not in ws.response_headers, "/echo negotiated an extension")
    for path in ("/deflate", "/deflate-reset"):
        async with connect(path, "ws" + path.replace("/", "-")) as ws:
            extensions = ws.response_headers.get("Sec-WebSocket-Extensions", "")
            check(extensions.startswith("permessage-deflate"), "%s answered extensions %r" % (path, extensions))
            check(("server_no_context_takeover" in extensions) == (path == "/deflate-reset"),
                  "%s answered extensions %r" % (path, extensions))
            for text in ["hello, squall", "", UTF8_TEXT, LONG_TEXT, "hello, squall"]:
                check_equal(await echo_of(ws, text), text, "compressed text echo on " + path)
            for name, payload in BINARY_PAYLOADS:
                check_equal(await echo_of(ws, payload), payload, "compressed binary echo of %s on %s" % (name, path))


async def many_in_flight():
    async with connect("/echo", "ws-burst") as ws:
        sent = ["message %d" % i for i in range(200)]
        for m in sent:
            await ws.send(m)
        got = [await recv(ws) for _ in sent]
        check(got == sent, "200 messages sent at once came back out of order or changed")


async def fragmented():
    async with connect("/echo", "ws-fragments") as ws:
        # An iterable is sent as one message, a frame per item.
        pieces = ["frag", "mented ", "", UTF8_TEXT]
        check_equal(await echo_of(ws, pieces), "".join(pieces), "fragmented text echo")
        chunks = [b"\x00\x01", bytes(range(256)) * 300, b"\xff"]
        check_equal(await echo_of(ws, chunks), b"".join(chunks), "fragmented binary echo")


async def ping_pong():
    async with connect("/echo", "ws-ping") as ws:
        pong = await ws.ping(b"squall?")  # done when the pong with the same data comes back
        await asyncio.wait_for(pong, STEP_TIMEOUT)
        check_equal(await echo_of(ws, "after ping"), "after ping", "echo after a ping")


async def server_ping():
    async with connect("/ping", "ws-server-ping") as ws:  # the library answers pings itself
        check_equal(await recv(ws), "pong squall ping", "the server's report of our pong")


async def client_close():
    ws = await connect("/echo", "ws-client-close")
    check_equal(await echo_of(ws, "bye soon"), "bye soon", "echo before closing")
    await asyncio.wait_for(ws.close(4000, "client bye"), STEP_TIMEOUT)
    check(ws.close_code == 4000, "the server echoed close code %r, want 4000" % ws.close_code)
    await asyncio.to_thread(check_server_saw, port, "ws-client-close", 4000, "client bye")


async def registered_close_codes():
    # Service Restart, Try Again Later, Bad Gateway: registered after RFC 6455, sent by websockets.
    for code in (1012, 1013, 1014):
        conn_id = "ws-close-%d" % code
        ws = await connect("/echo", conn_id)
        await asyncio.wait_for(ws.close(code, "restarting"), STEP_TIMEOUT)
        check(ws.close_code == code, "the server answered close code %d with %r" % (code, ws.close_code))
        await asyncio.to_thread(check_server_saw, port, conn_id, code, "restarting")


async def server_close():
    async with connect("/close", "ws-server-close") as ws:
        try:
            message = await recv(ws)
            check(False, "got %r where the server's close was due" % message)
        except websockets.exceptions.ConnectionClosed as e:
            check(e.rcvd is not None, "no close frame from the server")
            check(e.rcvd.code == 4001, "server close code %r, want 4001" % e.rcvd.code)
            check(e.rcvd.reason == "server bye", "server close reason %r, want 'server bye'" % e.rcvd.reason)
    # The library answers with the code it received.
    await asyncio.to_thread(check_server_saw, port, "ws-server-close", 4001)


async def message_size_limit():
    # The server's websocket_max_message_size is 10 MiB: that much echoes, one byte more is
    # refused with 1009 from its announced length.
    async with connect("/echo", "expect-error-too-big") as ws:
        limit = bytes(i % 253 for i in range(10 << 20))
        check_equal(await echo_of(ws, limit), limit, "echo of 10 MiB")
        try:
            message = await echo_of(ws, limit + b"!")
            check(False, "10 MiB + 1 came back (%d bytes) instead of a 1009 close" % len(message))
        except websockets.exceptions.ConnectionClosed as e:
            check(e.rcvd is not None and e.rcvd.code == 1009, "10 MiB + 1 was answered by %r, want 1009" % e.rcvd)


async def subprotocol():
    async with connect("/subprotocol", "ws-subprotocol", subprotocols=["chat", "superchat"]) as ws:
        check(ws.subprotocol == "superchat", "negotiated subprotocol %r, want 'superchat'" % ws.subprotocol)
        check_equal(await recv(ws), "superchat", "the server's selected_subprotocol()")
    record = await asyncio.to_thread(last_close, port, "ws-subprotocol")
    check(record["subprotocol"] == "superchat", "the server recorded subprotocol %r" % record["subprotocol"])


async def no_subprotocol_offered():
    async with connect("/subprotocol", "ws-no-subprotocol") as ws:
        check(ws.subprotocol is None, "subprotocol %r though none was offered" % ws.subprotocol)
        check_equal(await recv(ws), "", "the server's selected_subprotocol() with none offered")


async def same_origin():
    async with connect("/echo", "ws-same-origin", origin="http://127.0.0.1:%d" % port) as ws:
        check_equal(await echo_of(ws, "same origin"), "same origin", "echo with a same-host Origin")


async def cross_origin():
    try:
        async with connect("/echo", "ws-cross-origin", origin="http://evil.example"):
            check(False, "a cross-origin handshake was accepted")
    except websockets.exceptions.InvalidStatusCode as e:
        check(e.status_code == 403, "cross-origin handshake answered %d, want 403" % e.status_code)


def in_loop(coroutine_function):
    return lambda: asyncio.run(asyncio.wait_for(coroutine_function(), 4 * STEP_TIMEOUT))


run_checks(PEER, [(f.__name__.replace("_", " "), in_loop(f)) for f in [
    text_echo, binary_echo, compressed_echo, many_in_flight, fragmented, ping_pong, server_ping, client_close, registered_close_codes,
    server_close, message_size_limit, subprotocol, no_subprotocol_offered, same_origin, cross_origin]])
