// squall-httpclient's flags: Tornado's `python -m tornado.httpclient` names (--print_headers,
// --print_body, --follow_redirects, --validate_cert; --name=false clears one) beside curl's, and a
// help formatter that shows them plainly. Part of the tool; models tornado/httpclient.py (4.0)
// main()'s options.
#include "options.h"

#include <sstream>

namespace squall::tools {
namespace {

/// CLI11's help, without its internal syntax: names as "-o, --output FILE", no "{false}"
/// negation markers, no type names or "REQUIRED".
class PlainFormatter : public CLI::Formatter {
public:
    std::string make_option_name(const CLI::Option* opt, bool is_positional) const override {
        if (is_positional) return opt->get_name(true, false);
        std::string names;
        for (const std::string& n : opt->get_snames()) names += (names.empty() ? "-" : ", -") + n;
        for (const std::string& n : opt->get_lnames()) names += (names.empty() ? "--" : ", --") + n;
        return names;
    }
    std::string make_option_opts(const CLI::Option* opt) const override {
        return opt->get_option_text().empty() ? std::string() : " " + opt->get_option_text();
    }
};

/// An option with a value, shown in the help as `names PLACEHOLDER`.
template <class T>
CLI::Option* value_option(CLI::App& app, const std::string& names, T& value, const char* placeholder,
                          const std::string& what) {
    return app.add_option(names, value, what)->option_text(placeholder);
}

/// A flag that only ever clears `flag` (curl's and the tool's --no-... spellings).
CLI::Option* clearing_flag(CLI::App& app, const std::string& names, bool& flag, const std::string& what) {
    return app.add_flag_callback(
        names, [&flag] { flag = false; }, what);
}

void add_output_options(CLI::App& app, Settings& s) {
    app.add_flag("-i,--include,--print_headers", s.print_headers,
                 "print the response's status line and headers before the body");
    app.add_flag("--print_body", s.print_body, "print the response body (the default; =false: do not)");
    clearing_flag(app, "--no-body", s.print_body, "do not print the response body");
    app.add_flag("-I,--head", s.head, "send HEAD and print the response's status line and headers");
    value_option(app, "-o,--output", s.output, "FILE",
                 "write the body to FILE (replaced only when the fetch succeeds) instead of standard output");
    value_option(app, "-w,--write-out", s.write_out, "FORMAT",
                 "print FORMAT after each transfer: %{http_code}, %{size_download}, %{time_total}, "
                 "%{url_effective}, %{content_type}, %{num_redirects}, \\n, \\t, %%");
    app.add_flag("-s,--silent", s.silent, "no progress bar and no error messages");
    app.add_flag("-S,--show-error", s.show_error, "with -s, still print error messages");
    app.add_flag("-v,--verbose", s.verbose,
                 "print the request (\"> \") and response (\"< \") headers and the client's log (\"* \") "
                 "on standard error");
    app.add_flag("-f,--fail", s.fail, "on an HTTP error (400 or above) print no body and exit with 22");
}

void add_request_options(CLI::App& app, Settings& s) {
    value_option(app, "-X,--request", s.method, "METHOD", "request method (default GET, or POST with --data)");
    value_option(app, "-H,--header", s.headers, "HEADER", "extra request header, \"Name: value\" (repeatable)")
        ->take_all()
        ->allow_extra_args(false);
    value_option(app, "-d,--data,--data-binary", s.data, "DATA",
                 "request body sent as is; @FILE reads a file, @- standard input")
        ->each([&s](const std::string&) { s.has_data = true; });
    value_option(app, "-u,--user", s.user, "USER:PASSWORD", "basic authentication");
    value_option(app, "-A,--user-agent", s.user_agent, "NAME", "User-Agent header (default squall-httpclient/0.1)");
    app.add_flag("--compressed", s.decompress, "ask for gzip and decompress it (the default)");
    clearing_flag(app, "--raw", s.decompress, "ask for no compression and pass the body on as it comes");
    value_option(app, "-x,--proxy", s.proxy, "[http://][USER:PASSWORD@]HOST[:PORT]",
                 "send http:// requests through this HTTP proxy (port 1080 by default); https:// through a "
                 "proxy is not supported (exit 4)");
    value_option(app, "-U,--proxy-user", s.proxy_user, "USER:PASSWORD", "basic authentication for the proxy");
}

void add_connection_options(CLI::App& app, Settings& s) {
    app.add_flag("-L,--location,--follow_redirects", s.follow_redirects,
                 "follow redirects (the default; =false: do not)");
    clearing_flag(app, "--no-follow", s.follow_redirects, "do not follow redirects");
    value_option(app, "--max-redirs,--max_redirects", s.max_redirects, "N", "redirects to follow at most (default 5)");
    app.add_flag("--validate_cert", s.validate_cert, "verify TLS certificates (the default; =false: do not)");
    clearing_flag(app, "-k,--insecure", s.validate_cert, "do not verify TLS certificates");
    value_option(app, "--cacert,--ca_certs", s.ca_certs, "FILE", "PEM file of CAs to trust instead of the system's");
    value_option(app, "-m,--max-time,--timeout", s.timeout, "SECONDS",
                 "seconds the whole request may take (default 20)");
    value_option(app, "--connect-timeout", s.connect_timeout, "SECONDS", "seconds to connect (default 20)");
    value_option(app, "--max-filesize", s.max_filesize, "BYTES",
                 "refuse a body larger than BYTES (exit 63); 0, the default, is no limit");
    app.add_flag("--curl", s.curl, "fetch with libcurl (CurlAsyncHTTPClient), HTTP/2 included where it has it");
}

constexpr const char* exit_statuses =
    "Exit status, as curl's: 0 done, 1 unsupported protocol, 2 bad usage, 3 malformed URL,\n"
    "4 unsupported feature, 5 unresolvable proxy, 6 unresolvable host, 7 connection failed,\n"
    "8 malformed response, 22 HTTP error with -f, 23 write error, 26 read error, 28 timeout,\n"
    "35 TLS failure, 47 too many redirects, 52 empty reply, 56 receive failure,\n"
    "60 certificate not trusted, 63 body over --max-filesize, 77 unreadable --cacert file.";

}  // namespace

void add_options(CLI::App& app, Settings& s) {
    app.formatter(std::make_shared<PlainFormatter>());
    app.set_help_flag("-h,--help", "print this help and exit");
    app.get_formatter()->column_width(34);
    app.footer(exit_statuses);
    app.add_option("URL", s.urls, "URLs to fetch, one after another")->required();
    add_output_options(app, s);
    add_request_options(app, s);
    add_connection_options(app, s);
}

}  // namespace squall::tools
