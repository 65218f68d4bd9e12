// Tornado's event bits to and from poll(2)'s, shared by the poll and io_uring backends (an
// io_uring POLL_ADD takes and returns poll(2) masks). Internal header of poller/.
#pragma once

#include <poll.h>

#include "squall/poller/poller.h"

namespace squall::detail {

inline unsigned to_poll_bits(Events e) {
    unsigned m = 0;
    if (any(e, Events::read)) m |= POLLIN | POLLPRI;
    if (any(e, Events::write)) m |= POLLOUT;
    return m;
}

inline Events from_poll_bits(unsigned r) {
    Events e = Events::none;
    if (r & (POLLIN | POLLPRI)) e |= Events::read;
    if (r & POLLOUT) e |= Events::write;
    if (r & (POLLERR | POLLHUP | POLLNVAL)) e |= Events::error;
    return e;
}

}  // namespace squall::detail
