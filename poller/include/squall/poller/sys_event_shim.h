// A stand-in for <sys/event.h> where the system has none (Linux), so the kqueue backend is
// compiled and type-checked everywhere. Public header, used only when <sys/event.h> is missing.
// Layout and values follow FreeBSD's sys/event.h (FreeBSD 13/14; the fields squall uses are the
// same on macOS). It declares no kqueue() or kevent() functions, so nothing can link against them.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdint>
#include <ctime>

struct kevent {
    std::uintptr_t ident;  // the fd
    short filter;          // EVFILT_*
    unsigned short flags;  // EV_*
    unsigned int fflags;   // filter flags (for EV_EOF on sockets: the pending socket error)
    std::int64_t data;     // filter data (bytes readable/writable; errno for EV_ERROR)
    void* udata;
    std::uint64_t ext[4];
};

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)

#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ENABLE 0x0004
#define EV_DISABLE 0x0008
#define EV_ONESHOT 0x0010
#define EV_CLEAR 0x0020
#define EV_RECEIPT 0x0040
#define EV_EOF 0x8000
#define EV_ERROR 0x4000

#define EV_SET(kevp, a, b, c, d, e, f) \
    do {                                \
        struct kevent* ev_ = (kevp);    \
        ev_->ident = (a);               \
        ev_->filter = (b);              \
        ev_->flags = (c);               \
        ev_->fflags = (d);              \
        ev_->data = (e);                \
        ev_->udata = (f);               \
        ev_->ext[0] = ev_->ext[1] = ev_->ext[2] = ev_->ext[3] = 0; \
    } while (0)
