// CaresResolver for builds without c-ares: constructing one is a clear error. Internal.
#include "squall/resolver.h"

namespace squall {

struct CaresResolver::Impl {};

bool cares_available() noexcept { return false; }

CaresResolver::CaresResolver(IOLoop&, CaresOptions) {
    throw std::runtime_error("squall was built without c-ares (meson option -Dcares)");
}
CaresResolver::~CaresResolver() = default;
void CaresResolver::close() {}
Future<std::vector<SocketAddress>> CaresResolver::resolve(std::string, int, int) {
    throw std::runtime_error("squall was built without c-ares");
}

}  // namespace squall
