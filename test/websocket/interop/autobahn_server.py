"""Interop peer server: Autobahn|Python (Debian's python3-autobahn, its asyncio server) for
squall-ws-interop-client to connect to. `autobahn_server.py` listens on a kernel-chosen loopback
port, prints `port N` and serves the paths interop_client.cpp expects until SIGTERM."""

import asyncio
import signal
import sys

from interop_common import missing_library

try:
    import autobahn  # noqa: F401
    import txaio
    txaio.use_asyncio()
    from autobahn.asyncio.websocket import WebSocketServerFactory, WebSocketServerProtocol
    from autobahn.websocket.compress import PerMessageDeflateOffer, PerMessageDeflateOfferAccept
except ImportError as e:
    missing_library("autobahn_server", "autobahn", "python3-autobahn", e)


def accept_deflate(offers):
    """The first permessage-deflate offer, on the terms it asks for."""
    for offer in offers:
        if isinstance(offer, PerMessageDeflateOffer):
            return PerMessageDeflateOfferAccept(offer)
    return None


class PeerServer(WebSocketServerProtocol):
    """Echoes; "compressed?" is answered with whether its frame had RSV1 (Autobahn's own record
    of the message being read), "wire size?" with the payload length of the message before it
    as it came, "fragments?" with "fragmented message " 300 times in three frames. permessage-deflate on
    /deflate only."""

    previous_size = None
    wire_size = 0

    def onConnect(self, request):
        self.path = request.path
        if self.path == "/deflate":
            # Read by the handshake after onConnect, per connection.
            self.perMessageCompressionAccept = accept_deflate
        if self.path == "/subprotocol" and "superchat" in request.protocols:
            return "superchat"
        return None

    def onOpen(self):
        if self.path == "/close":
            self.sendClose(4000, "bye")
        elif self.path == "/ping":
            self.sendPing(b"server ping")

    def onPong(self, payload):
        self.sendMessage(b"pong " + payload)

    def onMessageBegin(self, isBinary):
        self.wire_size = 0
        super().onMessageBegin(isBinary)

    def onMessageFrameBegin(self, length):
        self.wire_size += length
        super().onMessageFrameBegin(length)

    def send_fragments(self):
        self.beginMessage()
        for _ in range(3):
            self.sendMessageFrame(b"fragmented message " * 100)
        self.endMessage()  # an empty final frame, or the compressor's tail

    def onMessage(self, payload, isBinary):
        if not isBinary and payload == b"compressed?":
            self.sendMessage(b"yes" if self._isMessageCompressed else b"no")
        elif not isBinary and payload == b"wire size?":
            self.sendMessage(str(self.previous_size).encode())
        elif not isBinary and payload == b"fragments?":
            self.send_fragments()
        else:
            self.sendMessage(payload, isBinary=isBinary)
        self.previous_size = self.wire_size


async def main():
    loop = asyncio.get_running_loop()
    txaio.config.loop = loop
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    factory = WebSocketServerFactory("ws://127.0.0.1")
    factory.protocol = PeerServer
    # Answer a close frame with its own code and reason (Autobahn's default answers 1000), so the
    # client sees what the server received.
    factory.setProtocolOptions(echoCloseCodeReason=True)
    server = await loop.create_server(factory, "127.0.0.1", 0)
    print("port %d" % server.sockets[0].getsockname()[1], flush=True)
    await stop
    server.close()
    await server.wait_closed()


txaio.start_logging(out=sys.stderr, level="warn")
asyncio.run(main())
