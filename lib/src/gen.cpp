// gen helpers that need no template: sleep. Internal. Models tornado/gen.py (4.1) gen.sleep.
#include "squall/gen.h"

namespace squall {

Future<void> sleep(Duration delay, IOLoop& loop) {
    Promise<void> p;
    Future<void> f = p.get_future();
    loop.call_later(delay, [p = std::move(p)]() mutable { p.set_result(); });
    return f;
}

}  // namespace squall
