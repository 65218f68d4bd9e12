// RedirectHandler and FallbackHandler. Internal. Models tornado/web.py RedirectHandler (with
// 4.5's group substitution and 5.0's query forwarding) and FallbackHandler (4.0).
#include "squall/web_handlers.h"

namespace squall {

Future<void> RedirectHandler::get() {
    std::string to;
    for (std::size_t i = 0; i < url_.size(); ++i) {
        std::size_t close = url_[i] == '{' ? url_.find('}', i) : std::string::npos;
        if (close == std::string::npos) {
            to += url_[i];
            continue;
        }
        std::string key = url_.substr(i + 1, close - i - 1);
        std::optional<std::string> value;
        bool numeric = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
        if (numeric && std::stoul(key) < path_args().size()) value = path_args()[std::stoul(key)];
        else if (auto it = path_kwargs().find(key); it != path_kwargs().end()) value = it->second;
        else throw std::invalid_argument("RedirectHandler: no group " + key + " in the route");
        to += value.value_or("");
        i = close;
    }
    if (!request().query.empty()) to += (to.find('?') == std::string::npos ? "?" : "&") + request().query;
    redirect(to, permanent_);
    return {};
}

Future<void> FallbackHandler::prepare() {
    fallback_(request_ptr());
    mark_finished_elsewhere();  // the callback answers on the connection itself
    return {};
}

}  // namespace squall
