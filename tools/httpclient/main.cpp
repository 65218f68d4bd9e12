// squall-httpclient: fetch URLs from the command line with squall's HTTPClient. Tornado's
// `python -m tornado.httpclient` flags plus what curl users reach for, with curl's exit
// statuses. A tool of squall; models tornado/httpclient.py (4.0) main().
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>

#include "exit_codes.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "request.h"
#include "squall/httpclient.h"
#include "squall/log.h"
#include "transfer.h"
#include "write_out.h"

using namespace squall::tools;

namespace {

/// The client's own log lines stay out of the way: the tool reports failures itself. With -v
/// they show, as curl's "* " lines.
void route_logging(bool verbose) {
    if (!verbose) {
        squall::set_logging_level(squall::LogLevel::none);
        return;
    }
    squall::set_logging_level(squall::LogLevel::info);
    squall::set_log_sink([](const squall::LogRecord& r) {
        std::fprintf(stderr, "* %.*s\n", static_cast<int>(r.message.size()), r.message.data());
    });
}

std::unique_ptr<Output> open_output(const Settings& s) {
    if (s.output.empty()) return std::make_unique<Output>();
    return std::make_unique<Output>(s.output);
}

/// A bar on a terminal, for bodies that are not going to that terminal.
bool wants_progress(const Settings& s) {
    return !s.silent && !s.verbose && ::isatty(STDERR_FILENO) && (!s.output.empty() || !::isatty(STDOUT_FILENO));
}

void print_write_out(const Settings& s, const TransferInfo& info) {
    std::string unknown;
    std::string text = format_write_out(s.write_out, info, unknown);
    if (!unknown.empty()) report_error(s, "unknown --write-out variable: " + unknown);
    std::fwrite(text.data(), 1, text.size(), stdout);
}

ExitStatus fetch_one(squall::HTTPClient& client, const Settings& s, const std::string& url, const std::string& body,
                     Output& out) {
    squall::HTTPRequest request;
    try {
        request = make_request(s, with_scheme(url), body);
    } catch (const ToolError& e) {
        report_error(s, url + ": " + e.what());
        return e.status();
    }
    Progress progress(wants_progress(s));
    Transfer transfer(s, out, progress);
    transfer.attach(request);
    squall::HTTPResponse response;
    try {
        response = client.fetch(request, false);
    } catch (const std::invalid_argument& e) {
        // Refused before sending: a malformed URL, https through a proxy, a method that is no token.
        report_error(s, url + ": " + e.what());
        std::string why = e.what();
        if (why.find("proxy") != std::string::npos) return exit_not_built_in;
        return why.find("URL") != std::string::npos ? exit_malformed_url : exit_usage;
    }
    progress.done();
    ExitStatus status = transfer.finish(response);
    if (!s.write_out.empty()) print_write_out(s, transfer.info(response));
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    CLI::App app{"Fetch URLs over HTTP/1.1 and HTTPS with squall's HTTPClient.", "squall-httpclient"};
    add_options(app, s);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }
    if (s.head) {
        s.print_headers = true;
        s.print_body = false;
    }
    route_logging(s.verbose);
    // A reader that goes away (`| head`) is a write error, exit 23 as curl's, not a SIGPIPE death.
    std::signal(SIGPIPE, SIG_IGN);
    std::string body;
    std::unique_ptr<Output> out;
    try {
        if (s.has_data) body = read_request_body(s.data);
        out = open_output(s);
    } catch (const ToolError& e) {
        report_error(s, e.what());
        return e.status();
    } catch (const std::system_error& e) {
        report_error(s, "cannot write " + s.output + ": " + e.code().message());
        return exit_write_error;
    }
    squall::AsyncHTTPClientOptions options;
    if (s.curl) options.implementation = squall::HTTPClientImplementation::curl;
    std::unique_ptr<squall::HTTPClient> client;
    try {
        client = std::make_unique<squall::HTTPClient>(options);
    } catch (const std::runtime_error& e) {  // --curl in a build without libcurl
        report_error(s, e.what());
        return exit_not_built_in;
    }
    int status = exit_ok;
    for (const std::string& url : s.urls) {
        ExitStatus one = fetch_one(*client, s, url, body, *out);
        if (one != exit_ok) status = one;
        if (one == exit_write_error) break;
    }
    // -o FILE replaces the file only when everything went well.
    if (status == exit_ok && !out->commit()) {
        report_error(s, "cannot write " + (s.output.empty() ? std::string("the output") : s.output) + ": " +
                            std::error_code(errno, std::generic_category()).message());
        status = exit_write_error;
    }
    std::fflush(stdout);
    return status;
}
