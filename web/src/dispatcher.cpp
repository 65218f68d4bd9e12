// RequestDispatcher: headers -> route -> handler; body collected or streamed; then execute.
// Internal. Models tornado/web.py (4.0) _RequestDispatcher.
#include "dispatcher.h"

#include "squall/log.h"
#include "squall/detail/recycler.h"

namespace squall::detail {

Future<void> RequestDispatcher::headers_received(const StartLine& start_line, HTTPHeaders& headers) {
    request_ = std::allocate_shared<HTTPServerRequest>(RecyclingAllocator<HTTPServerRequest>(),
                                                       std::get<RequestStartLine>(start_line), std::move(headers), connection_);
    handler_ = app_.find_handler(request_);
    streaming_ = handler_->stream_request_body();
    if (!streaming_) return {};
    // prepare() runs now, before the body; the connection reads the body once it is done.
    handler_->prepared_promise_.emplace();
    handler_->body_promise_.emplace();
    handler_->body_future_ = handler_->body_promise_->get_future();
    Future<void> prepared = handler_->prepared_promise_->get_future();
    executing_ = true;
    handler_->execute(handler_);
    return prepared;
}

Future<void> RequestDispatcher::data_received(std::string_view chunk) {
    if (!streaming_) {
        request_->body.append(chunk);
        return {};
    }
    if (handler_->finished_) return {};  // answered early (in prepare): the rest is dropped
    return handler_->data_received(chunk);
}

void RequestDispatcher::finish() {
    if (streaming_) {
        if (handler_->body_promise_) take_promise(handler_->body_promise_).set_result();
        return;
    }
    try {
        request_->parse_body();
    } catch (const HTTPInputError& e) {
        gen_log().logf(LogLevel::info, "Malformed HTTP message from %s: %s", request_->remote_ip.c_str(), e.what());
        handler_->send_error(400);
        return;
    }
    executing_ = true;
    handler_->execute(handler_);
}

void RequestDispatcher::on_connection_close() {
    // A handler whose request never completed never ran: there is nobody to tell (Tornado).
    if (!handler_ || !executing_) return;
    if (handler_->body_promise_) {
        take_promise(handler_->body_promise_).set_exception(std::make_exception_ptr(StreamClosedError()));
        (void)handler_->body_future_.exception();  // the handler may never wait for it: no log line
    }
    handler_->on_connection_close();
}

}  // namespace squall::detail
