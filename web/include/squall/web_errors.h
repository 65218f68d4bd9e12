// The exceptions a request handler raises to end a request: HTTPError (an error page with its
// status), MissingArgumentError (400) and Finish (end quietly), and TemplateError from render().
// Public header. Models tornado/web.py (4.0) HTTPError, MissingArgumentError and Finish.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <stdexcept>
#include <string>

namespace squall {

/// Raised in a handler: the response becomes an error page with `status_code`. `log_message`
/// goes to the log (never to the client); `reason` replaces the standard reason phrase.
class HTTPError : public std::runtime_error {
public:
    explicit HTTPError(int status_code, std::string log_message = {}, std::string reason = {});
    int status_code() const noexcept { return status_code_; }
    const std::string& log_message() const noexcept { return log_message_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    int status_code_;
    std::string log_message_, reason_;
};

/// A required argument is missing: 400 "Missing argument <name>".
class MissingArgumentError : public HTTPError {
public:
    explicit MissingArgumentError(std::string arg_name);
    const std::string& arg_name() const noexcept { return arg_name_; }

private:
    std::string arg_name_;
};

/// Ends the request without an error page: finish() is called (after writing `chunk`) if the
/// handler has not finished yet.
class Finish : public std::exception {
public:
    explicit Finish(std::string chunk = {}) : chunk_(std::move(chunk)) {}
    const char* what() const noexcept override { return "Finish"; }
    const std::string& chunk() const noexcept { return chunk_; }

private:
    std::string chunk_;
};

/// render() / render_string() could not make a page: the template is missing, its name leaves
/// template_path, or the engine refused it (a syntax error). The message names the file and
/// says what the engine said. In a handler it is an ordinary error: 500, logged.
class TemplateError : public std::runtime_error {
public:
    TemplateError(const std::string& template_name, const std::string& message)
        : std::runtime_error("template " + template_name + ": " + message) {}
};

}  // namespace squall
