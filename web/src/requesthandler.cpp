// RequestHandler's lifecycle: set-up, execute (checks, prepare, body, verb, finish) and what
// happens to exceptions. Internal. Models tornado/web.py (4.0) RequestHandler.__init__,
// _execute, _handle_request_exception and log_exception, and HTTPError / MissingArgumentError.
#include <cstdio>

#include "squall/application.h"
#include "squall/iostream.h"
#include "squall/log.h"
#include "squall/requesthandler.h"
#include "gzip_transform.h"
#include "squall/detail/utf8.h"

namespace squall {

static std::string http_error_text(int code, const std::string& log_message, const std::string& reason) {
    std::string s = "HTTP " + std::to_string(code) + ": " +
                    (reason.empty() ? std::string(reason_phrase(code)) : reason);
    if (!log_message.empty()) s += " (" + log_message + ")";
    return s;
}

HTTPError::HTTPError(int status_code, std::string log_message, std::string reason)
    : std::runtime_error(http_error_text(status_code, log_message, reason)),
      status_code_(status_code),
      log_message_(std::move(log_message)),
      reason_(std::move(reason)) {}

MissingArgumentError::MissingArgumentError(std::string arg_name)
    : HTTPError(400, "Missing argument " + arg_name), arg_name_(std::move(arg_name)) {}

void detail::HandlerAccess::attach(RequestHandler& h, Application& app, std::shared_ptr<HTTPServerRequest> request) {
    h.application_ = &app;
    h.request_ = std::move(request);
    h.clear();
}

RequestHandler::RequestHandler() = default;
RequestHandler::~RequestHandler() = default;

const ApplicationSettings& RequestHandler::settings() const { return application_->settings(); }

Future<void> RequestHandler::get() { throw HTTPError(405); }
Future<void> RequestHandler::head() { throw HTTPError(405); }
Future<void> RequestHandler::post() { throw HTTPError(405); }
Future<void> RequestHandler::delete_() { throw HTTPError(405); }
Future<void> RequestHandler::patch() { throw HTTPError(405); }
Future<void> RequestHandler::put() { throw HTTPError(405); }
Future<void> RequestHandler::options() { throw HTTPError(405); }

Future<void> RequestHandler::data_received(std::string_view) {
    throw std::logic_error("a handler that streams its request body must override data_received");
}

bool RequestHandler::supports_method(std::string_view m) const {
    return m == "GET" || m == "HEAD" || m == "POST" || m == "DELETE" || m == "PATCH" || m == "PUT" || m == "OPTIONS";
}

Future<void> RequestHandler::call_verb() {
    const std::string& m = request_->method;
    if (m == "GET") return get();
    if (m == "HEAD") return head();
    if (m == "POST") return post();
    if (m == "DELETE") return delete_();
    if (m == "PATCH") return patch();
    if (m == "PUT") return put();
    if (m == "OPTIONS") return options();
    throw HTTPError(405);  // supports_method said yes to a method without a verb here
}

void RequestHandler::decode_path_arguments() {
    auto check = [](const std::optional<std::string>& v) {
        if (v && !detail::is_valid_utf8(*v)) throw HTTPError(400, "Invalid unicode in path argument");
    };
    for (const auto& a : path_args_.args) check(a);
    for (const auto& [name, v] : path_args_.kwargs) check(v);
}

void RequestHandler::prepared() {
    if (!prepared_promise_) return;
    take_promise(prepared_promise_).set_result();
}

Future<void> RequestHandler::execute(std::shared_ptr<RequestHandler> self) {
    try {
        const std::string& method = request_->method;
        if (!supports_method(method)) throw HTTPError(405);
        decode_path_arguments();
        if (settings().xsrf_cookies && method != "GET" && method != "HEAD" && method != "OPTIONS") check_xsrf_cookie();
        Future<void> preparing = prepare();
        if (preparing.valid()) co_await preparing;
        prepared();
        if (finished_) co_return;
        if (body_future_.valid()) {
            Future<void> body = body_future_;  // fails with StreamClosedError if the client left
            co_await body;
        }
        Future<void> verb = call_verb();
        if (verb.valid()) co_await verb;
        if (auto_finish_ && !finished_) finish();
    } catch (...) {
        handle_request_exception(std::current_exception());
    }
    prepared();  // after an error too: the connection then sees the finished response
    (void)self;
}

void RequestHandler::mark_finished_elsewhere() {
    finished_ = true;
    headers_written_ = true;
    handed_over_ = true;
    // Nothing of ours is sent any more: a handler that lives on with the connection (a
    // WebSocket's) keeps none of it.
    headers_ = HTTPHeaders();
    write_buffer_ = std::string();
    new_cookies_ = {};
    gzip_.reset();
    on_finish();
}

void RequestHandler::check_not_handed_over(const char* method) const {
    if (handed_over_)
        throw std::logic_error(std::string(method) + "() is not supported once the connection is handed over " +
                               "(a WebSocket or a fallback answers on it)");
}

std::string RequestHandler::request_summary() const {
    return request_->method + " " + request_->uri + " (" + request_->remote_ip + ")";
}

void RequestHandler::log_exception(std::exception_ptr e) const {
    try {
        std::rethrow_exception(e);
    } catch (const HTTPError& h) {
        if (!h.log_message().empty())
            gen_log().logf(LogLevel::warning, "%d %s: %s", h.status_code(), request_summary().c_str(),
                           h.log_message().c_str());
    } catch (const std::exception& x) {
        app_log().logf(LogLevel::error, "Uncaught exception %s: %s", request_summary().c_str(), x.what());
    } catch (...) {
        app_log().logf(LogLevel::error, "Uncaught exception %s", request_summary().c_str());
    }
}

void RequestHandler::handle_request_exception(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const Finish& f) {
        if (!finished_) {
            try {
                finish(f.chunk());
            } catch (const std::exception& x) {
                app_log().logf(LogLevel::error, "Exception finishing %s: %s", request_summary().c_str(), x.what());
            }
        }
        return;
    } catch (const StreamClosedError&) {
        // The client left: nobody is there to read an error page, and it is not our error.
        gen_log().logf(LogLevel::debug, "Stream closed during %s", request_summary().c_str());
        finished_ = true;
        return;
    } catch (...) {
    }
    log_exception(e);
    if (finished_) return;  // an error after finish() has nothing left to answer
    int status = 500;
    try {
        std::rethrow_exception(e);
    } catch (const HTTPError& h) {
        status = h.status_code();
        if (reason_phrase(status) == "Unknown" && h.reason().empty()) {
            gen_log().logf(LogLevel::error, "Bad HTTP status code: %d", status);
            status = 500;
        }
    } catch (...) {
    }
    send_error(status, e);
}

}  // namespace squall
