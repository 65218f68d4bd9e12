// squall-httpclient's request: the command line's method, headers, body and limits as an
// HTTPRequest. Part of the tool; models tornado/httpclient.py (4.0) main()'s fetch() call.
#include "request.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "exit_codes.h"

namespace squall::tools {
namespace {

Duration seconds(double s) { return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

void add_header(HTTPRequest& r, const std::string& h) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0)
        throw ToolError(exit_usage, "-H expects \"Name: value\", got \"" + h + "\"");
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    r.headers.add(h.substr(0, colon), value);
}

bool method_has_body(const std::string& m) { return m == "POST" || m == "PUT" || m == "PATCH"; }

std::string method_for(const Settings& s) {
    if (!s.method.empty()) return s.method;
    if (s.head) return "HEAD";
    return s.has_data ? "POST" : "GET";
}

}  // namespace

std::string read_request_body(const std::string& data) {
    if (data.empty() || data[0] != '@') return data;
    std::string name = data.substr(1);
    std::ostringstream out;
    if (name == "-") {
        out << std::cin.rdbuf();
        return out.str();
    }
    std::ifstream in(name, std::ios::binary);
    if (!in) throw ToolError(exit_read_error, "cannot read " + name + ": " + std::strerror(errno));
    out << in.rdbuf();
    if (in.bad()) throw ToolError(exit_read_error, "cannot read " + name + ": " + std::strerror(errno));
    return out.str();
}

std::string with_scheme(const std::string& url) {
    auto sep = url.find("://");
    if (sep == std::string::npos) return "http://" + url;
    std::string scheme = url.substr(0, sep);
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "http" && scheme != "https")
        throw ToolError(exit_unsupported_protocol, "unsupported protocol \"" + url.substr(0, sep) + "\"");
    return url;
}

HTTPRequest make_request(const Settings& s, const std::string& url, const std::string& body) {
    HTTPRequest r(url);
    r.follow_redirects = s.follow_redirects;
    r.max_redirects = s.max_redirects;
    r.validate_cert = s.validate_cert;
    r.ca_certs = s.ca_certs;
    r.decompress_response = s.decompress;
    r.request_timeout = seconds(s.timeout);
    r.connect_timeout = seconds(s.connect_timeout);
    r.user_agent = s.user_agent.empty() ? "squall-httpclient/0.1" : s.user_agent;
    if (s.max_filesize) r.max_body_size = s.max_filesize;
    for (const std::string& h : s.headers) add_header(r, h);
    r.method = method_for(s);
    // curl sends any method with any body; POST, PUT and PATCH always carry one
    // (Content-Length: 0 when -d is not given).
    r.allow_nonstandard_methods = true;
    if (s.has_data || method_has_body(r.method)) r.body = body;
    if (!s.user.empty()) {
        auto colon = s.user.find(':');
        r.auth_username = s.user.substr(0, colon);
        if (colon != std::string::npos) r.auth_password = s.user.substr(colon + 1);
    }
    return r;
}

}  // namespace squall::tools
