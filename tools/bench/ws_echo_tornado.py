# The Python Tornado peer of tools/bench/run-wsbench: echo every message as it came, one
# process, printing "ready PORT".
import socket

import tornado.ioloop
import tornado.web
import tornado.websocket


class Echo(tornado.websocket.WebSocketHandler):
    def open(self):
        self.set_nodelay(True)

    def on_message(self, message):
        return self.write_message(message, binary=isinstance(message, bytes))


def main():
    app = tornado.web.Application([(r"/", Echo)], websocket_max_message_size=64 << 20)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    app.listen(port, "127.0.0.1")
    print("ready %d" % port, flush=True)
    tornado.ioloop.IOLoop.current().start()


main()
