// lingering_close of lingering_close.h: shutdown(SHUT_WR), then bounded draining.
#include "lingering_close.h"

#include <sys/socket.h>

#include "squall/ioloop.h"
#include "squall/ssliostream.h"

namespace squall::detail {

Future<void> lingering_close(std::shared_ptr<IOStream> stream) {
    constexpr std::size_t budget = 1 << 20;
    if (stream->closed()) co_return;
    IOLoop& loop = IOLoop::current();
    auto deadline = loop.call_later(linger_time, [weak = std::weak_ptr<IOStream>(stream)] {
        if (auto s = weak.lock()) s->close();
    });
    std::size_t drained = 0;
    try {
        // The answer may still be queued: shutting the write side (or closing) now would cut it off.
        if (stream->writing()) co_await stream->write(std::string());
        // A TLS peer needs close_notify, not a bare FIN in the middle of the record stream.
        if (dynamic_cast<SSLIOStream*>(stream.get()) || ::shutdown(stream->fileno(), SHUT_WR) != 0) {
            loop.remove_timeout(deadline);
            stream->close();
            co_return;
        }
        while (drained < budget) {
            std::string piece = co_await stream->read_bytes(64 * 1024, true);
            drained += piece.size();
        }
    } catch (const StreamClosedError&) {
        // The peer closed (or the deadline closed the stream): done either way.
    }
    loop.remove_timeout(deadline);
    stream->close();
}

}  // namespace squall::detail
