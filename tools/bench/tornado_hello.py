# The Python Tornado peer of tools/bench/run-webbench: the same hello world and static
# directory as squall-bench-web, on one process, printing "ready PORT".
import socket
import sys

import tornado.ioloop
import tornado.web


class HelloHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("Hello, world!")


def main():
    app = tornado.web.Application([(r"/", HelloHandler)], static_path=sys.argv[1])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    app.listen(port, "127.0.0.1")
    print("ready", port, flush=True)
    tornado.ioloop.IOLoop.current().start()


main()
