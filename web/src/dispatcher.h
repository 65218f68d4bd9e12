// The message delegate Application gives HTTP1Connection for each request: routes on the
// headers, collects (or streams) the body, runs the handler. Internal. Models tornado/web.py
// (4.0) _RequestDispatcher.
#pragma once

#include <memory>

#include "squall/application.h"
#include "squall/requesthandler.h"
#include "squall/detail/recycler.h"

namespace squall::detail {

class RequestDispatcher : public HTTPMessageDelegate, public Recycled {  // one per request
public:
    RequestDispatcher(Application& app, std::shared_ptr<HTTP1Connection> connection)
        : app_(app), connection_(std::move(connection)) {}
    Future<void> headers_received(const StartLine& start_line, HTTPHeaders& headers) override;
    Future<void> data_received(std::string_view chunk) override;
    void finish() override;
    void on_connection_close() override;

private:
    Application& app_;
    std::shared_ptr<HTTP1Connection> connection_;
    std::shared_ptr<HTTPServerRequest> request_;
    std::shared_ptr<RequestHandler> handler_;
    bool streaming_ = false;
    bool executing_ = false;  // the handler has started (streaming: at the headers)
};

}  // namespace squall::detail
