"""Interop peer server: the Python `websockets` library (Debian's python3-websockets, 10.x, asyncio
server) for squall-ws-interop-client to connect to. `python_websockets_server.py` listens on a
kernel-chosen loopback port, prints `port N` and serves the paths interop_client.cpp expects
until SIGTERM."""

import asyncio
import logging
import signal

from interop_common import missing_library

try:
    import websockets
    import websockets.exceptions
    import websockets.frames
    from websockets.extensions.permessage_deflate import PerMessageDeflate
    from websockets.legacy.server import WebSocketServerProtocol
except ImportError as e:
    missing_library("python_websockets_server", "websockets", "python3-websockets", e)

DATA_OPCODES = (websockets.frames.OP_TEXT, websockets.frames.OP_BINARY)
_decode = PerMessageDeflate.decode


def recording_decode(self, frame, *, max_size=None):
    """PerMessageDeflate.decode, keeping whether the last message's first frame had RSV1 and
    its payload's length as it came."""
    if frame.opcode in DATA_OPCODES:
        self.last_rsv1 = frame.rsv1
        self.last_size = len(frame.data)
    return _decode(self, frame, max_size=max_size)


PerMessageDeflate.decode = recording_decode


class PathProtocol(WebSocketServerProtocol):
    """permessage-deflate on /deflate only (the library's default terms); declined elsewhere."""

    def process_extensions(self, headers, available_extensions):
        if self.path.split("?")[0] != "/deflate":
            return None, []
        return super().process_extensions(headers, available_extensions)


def recorded(ws, name):
    """What recording_decode kept of the last message, None without permessage-deflate."""
    return next((getattr(extension, name, None) for extension in ws.extensions), None)


async def echo(ws):
    """Echoes; "compressed?" is answered with whether its frame had RSV1, "wire size?" with the
    payload length of the message before it as it came, "fragments?" with "fragmented message "
    300 times in three frames (an iterable is sent a frame per item)."""
    previous_size = None
    try:
        async for message in ws:
            if message == "compressed?":
                await ws.send("yes" if recorded(ws, "last_rsv1") else "no")
            elif message == "wire size?":
                await ws.send(str(previous_size))
            elif message == "fragments?":
                await ws.send(["fragmented message " * 100] * 3)
            else:
                await ws.send(message)
            previous_size = recorded(ws, "last_size")
    except websockets.exceptions.ConnectionClosedError:
        pass  # closed with a code other than 1000 or 1001, as the client's close check does


async def ping_then_echo(ws):
    pong = await ws.ping(b"server ping")  # done when a pong with the same data comes back
    await asyncio.wait_for(pong, 10)
    await ws.send("pong server ping")
    await echo(ws)


async def handler(ws, path):
    path = path.split("?")[0]
    if path == "/close":
        await ws.close(4000, "bye")
    elif path == "/ping":
        await ping_then_echo(ws)
    else:
        await echo(ws)


async def main():
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    # No size limit (the library's default is 1 MiB, the size of the largest message); the
    # subprotocol is picked wherever offered, which only the client's /subprotocol check does.
    async with websockets.serve(handler, "127.0.0.1", 0, create_protocol=PathProtocol, max_size=None,
                                subprotocols=["superchat"]) as server:
        print("port %d" % server.sockets[0].getsockname()[1], flush=True)
        await stop


logging.basicConfig(level=logging.WARNING)  # the library's errors, "ERROR:..." with a traceback
asyncio.run(main())
