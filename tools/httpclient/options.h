// squall-httpclient's command line: the settings, the flags that fill them (Tornado's
// `python -m tornado.httpclient` names and curl's spellings) and a plain --help. Part of the
// tool; models tornado/httpclient.py (4.0) main()'s options.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace squall::tools {

struct Settings {
    std::vector<std::string> urls;
    bool print_headers = false, print_body = true, head = false;
    bool follow_redirects = true, validate_cert = true, decompress = true;
    std::string method;
    std::vector<std::string> headers;
    std::string data;
    bool has_data = false;  // -d given, even empty: a body is sent
    std::string output, user, user_agent, ca_certs, proxy, proxy_user, write_out;
    double timeout = 20, connect_timeout = 20;
    int max_redirects = 5;
    std::uint64_t max_filesize = 0;  // 0: no limit
    bool silent = false, show_error = false, fail = false, verbose = false;
    bool curl = false;  // CurlAsyncHTTPClient instead of the simple client
};

/// Declares every flag on `app`, writing into `s`, and gives `app` the plain help format.
void add_options(CLI::App& app, Settings& s);

}  // namespace squall::tools
