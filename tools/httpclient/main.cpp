// squall-httpclient: fetch URLs from the command line with squall's AsyncHTTPClient. Tornado's
// `python -m tornado.httpclient` flags plus what curl users reach for. A tool of squall; models
// tornado/httpclient.py (4.0) main().
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "progress.h"
#include "squall/httpclient.h"
#include "squall/log.h"

namespace {

// Exit statuses, curl's where curl has one.
constexpr int exit_usage = 2;
constexpr int exit_connect = 7;
constexpr int exit_http_error = 22;
constexpr int exit_timeout = 28;
constexpr int exit_tls = 35;
constexpr int exit_other = 1;

struct Settings {
    std::vector<std::string> urls;
    bool print_headers = false, print_body = true, follow_redirects = true, validate_cert = true;
    std::string method;
    std::vector<std::string> headers;
    std::string data, output, user, user_agent, ca_certs;
    double timeout = 20, connect_timeout = 20;
    int max_redirects = 5;
    bool silent = false, fail_quietly_on_http = false;
};

std::string read_data(const std::string& data) {
    if (data.empty() || data[0] != '@') return data;
    std::string name = data.substr(1);
    std::ostringstream out;
    if (name == "-") {
        out << std::cin.rdbuf();
    } else {
        std::ifstream in(name, std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + name);
        out << in.rdbuf();
    }
    return out.str();
}

squall::HTTPRequest make_request(const Settings& s, const std::string& url) {
    squall::HTTPRequest r(url);
    r.follow_redirects = s.follow_redirects;
    r.max_redirects = s.max_redirects;
    r.validate_cert = s.validate_cert;
    r.ca_certs = s.ca_certs;
    r.request_timeout = std::chrono::duration_cast<squall::Duration>(std::chrono::duration<double>(s.timeout));
    r.connect_timeout = std::chrono::duration_cast<squall::Duration>(std::chrono::duration<double>(s.connect_timeout));
    r.user_agent = s.user_agent.empty() ? "squall-httpclient/0.1" : s.user_agent;
    for (const std::string& h : s.headers) {
        auto colon = h.find(':');
        if (colon == std::string::npos) throw CLI::ValidationError("-H", "expected \"Name: value\", got \"" + h + "\"");
        std::string value = h.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        r.headers.add(h.substr(0, colon), value);
    }
    if (!s.data.empty()) r.body = read_data(s.data);
    r.method = !s.method.empty() ? s.method : r.body ? "POST" : "GET";
    if (r.body && r.method != "POST" && r.method != "PUT" && r.method != "PATCH") r.allow_nonstandard_methods = true;
    if (!s.user.empty()) {
        auto colon = s.user.find(':');
        r.auth_username = s.user.substr(0, colon);
        if (colon != std::string::npos) r.auth_password = s.user.substr(colon + 1);
    }
    return r;
}

int exit_status_for(const squall::HTTPClientError& e) {
    if (e.code() != 599) return exit_http_error;
    const std::string& m = e.message();
    if (m.find("Timeout") != std::string::npos) return exit_timeout;
    if (m.find("TLS") != std::string::npos || m.find("certificate") != std::string::npos) return exit_tls;
    return exit_connect;
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    CLI::App app{"squall-httpclient: fetch URLs over HTTP/1.1 and HTTPS (squall's AsyncHTTPClient).\n"
                 "Exit status: 0 ok, 22 HTTP error (4xx/5xx), 7 connection failed, 28 timeout, 35 TLS failure."};
    app.add_option("url", s.urls, "URLs to fetch, one after another")->required();
    app.add_flag("--print_headers,-i,--include", s.print_headers, "print the response's status line and headers");
    app.add_flag("--print_body,!--no-body", s.print_body, "print the response body (default true)");
    app.add_flag("--follow_redirects,-L,!--no-follow", s.follow_redirects, "follow redirects (default true)");
    app.add_flag("--validate_cert,!-k,!--insecure", s.validate_cert, "verify TLS certificates (default true)");
    app.add_option("-X,--request", s.method, "request method (default GET, or POST with --data)");
    app.add_option("-H,--header", s.headers, "extra request header, \"Name: value\" (repeatable)")
        ->expected(1)
        ->allow_extra_args(false);
    app.add_option("-d,--data", s.data, "request body; @FILE reads a file, @- standard input");
    app.add_option("-o,--output", s.output, "write the body to FILE instead of standard output");
    app.add_option("--timeout,-m,--max-time", s.timeout, "seconds the whole request may take (default 20)");
    app.add_option("--connect-timeout", s.connect_timeout, "seconds to connect (default 20)");
    app.add_option("--max-redirs,--max_redirects", s.max_redirects, "redirects to follow at most (default 5)");
    app.add_option("-u,--user", s.user, "basic authentication, USER:PASSWORD");
    app.add_option("-A,--user-agent", s.user_agent, "User-Agent header");
    app.add_option("--cacert,--ca_certs", s.ca_certs, "PEM file of CAs to trust instead of the system's");
    app.add_flag("-s,--silent", s.silent, "no progress bar");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : exit_usage;
    }

    squall::set_logging_level(squall::LogLevel::warning);
    std::FILE* out = stdout;
    if (!s.output.empty()) {
        out = std::fopen(s.output.c_str(), "wb");
        if (!out) {
            std::fprintf(stderr, "squall-httpclient: cannot write %s\n", s.output.c_str());
            return exit_other;
        }
    }
    // A bar on a terminal, for downloads that are not going to that terminal or are large.
    bool show_progress = !s.silent && ::isatty(STDERR_FILENO) && (!s.output.empty() || !::isatty(STDOUT_FILENO));
    int status = 0;
    squall::HTTPClient client;
    for (const std::string& url : s.urls) {
        squall::tools::Progress progress(show_progress);
        squall::HTTPRequest request;
        try {
            request = make_request(s, url);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "squall-httpclient: %s\n", e.what());
            return exit_usage;
        }
        std::string head;
        request.header_callback = [&](std::string_view line) {
            // A new status line starts over (redirects, 100 Continue).
            if (line.rfind("HTTP/", 0) == 0) head.clear();
            head.append(line);
            if (line.rfind("Content-Length:", 0) == 0) progress.set_total(std::strtoull(line.data() + 15, nullptr, 10));
        };
        bool printed_head = false;
        request.streaming_callback = [&](std::string_view chunk) {
            if (s.print_headers && !printed_head) {
                std::fwrite(head.data(), 1, head.size(), out);
                printed_head = true;
            }
            if (s.print_body) std::fwrite(chunk.data(), 1, chunk.size(), out);
            progress.add(chunk.size());
        };
        try {
            squall::HTTPResponse response = client.fetch(request, false);
            progress.done();
            if (s.print_headers && !printed_head) std::fwrite(head.data(), 1, head.size(), out);
            if (response.error) {
                try {
                    response.rethrow();
                } catch (const squall::HTTPClientError& e) {
                    std::fprintf(stderr, "squall-httpclient: %s: %s\n", url.c_str(), e.what());
                    status = exit_status_for(e);
                }
            }
        } catch (const std::exception& e) {
            progress.done();
            std::fprintf(stderr, "squall-httpclient: %s: %s\n", url.c_str(), e.what());
            status = exit_other;
        }
        std::fflush(out);
    }
    if (out != stdout) std::fclose(out);
    return status;
}
