// One URL's fetch in squall-httpclient: the callbacks that stream the head and body to the
// output (and -v's trace to standard error), then the exit status and message the outcome earns.
// Part of the tool; models the fetch-and-print loop of tornado/httpclient.py (4.0) main().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "exit_codes.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "squall/httpclient.h"
#include "write_out.h"

namespace squall::tools {

/// "squall-httpclient: MESSAGE" on standard error, unless -s without -S.
void report_error(const Settings& s, const std::string& message);

class Transfer {
public:
    Transfer(const Settings& s, Output& out, Progress& progress) : s_(s), out_(out), progress_(progress) {}
    /// Sets the request's header, streaming and (with -v) request-header callbacks to this
    /// transfer, which must outlive the fetch.
    void attach(HTTPRequest& request);
    /// Prints what is left to print, reports a failure; the exit status.
    ExitStatus finish(const HTTPResponse& response);
    TransferInfo info(const HTTPResponse& response) const;

private:
    void on_header_line(std::string_view line);
    void on_body(std::string_view chunk);
    /// Whether the current response is shown: not an HTTP error under -f, nor a redirect
    /// that was not followed because too many were.
    bool shown() const;
    void write(std::string_view data);
    void print_head_once();
    ExitStatus failure_status(const HTTPResponse& response);

    const Settings& s_;
    Output& out_;
    Progress& progress_;
    std::string head_;            // the current response's status line and headers
    int code_ = 0;                // its status
    bool has_location_ = false;   // it has a Location header
    int responses_ = 0;           // heads seen: redirects followed + 1
    std::uint64_t received_ = 0;  // its body bytes
    bool printed_head_ = false;
    int write_errno_ = 0;  // nonzero: writing the output failed
};

}  // namespace squall::tools
