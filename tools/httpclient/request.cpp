// squall-httpclient's request: the command line's method, headers, body and limits as an
// HTTPRequest. Part of the tool; models tornado/httpclient.py (4.0) main()'s fetch() call.
#include "request.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>
#include <tuple>
#include <utility>

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

/// "USER:PASSWORD" split at the first colon.
std::pair<std::string, std::string> credentials(const std::string& userinfo) {
    auto colon = userinfo.find(':');
    if (colon == std::string::npos) return {userinfo, {}};
    return {userinfo.substr(0, colon), userinfo.substr(colon + 1)};
}

int proxy_port(const std::string& port) {
    char* end = nullptr;
    long n = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end || n < 1 || n > 65535) throw ToolError(exit_usage, "bad proxy port \"" + port + "\"");
    return static_cast<int>(n);
}

/// -x [http://][USER:PASSWORD@]HOST[:PORT] (HOST may be a bracketed IPv6 address) and
/// -U USER:PASSWORD, which wins over the URL's, as in curl.
void set_proxy(HTTPRequest& r, std::string proxy, const std::string& proxy_user) {
    auto sep = proxy.find("://");
    if (sep != std::string::npos) {
        if (proxy.compare(0, sep, "http") != 0)
            throw ToolError(exit_not_built_in, "only http:// proxies are supported, not " + proxy.substr(0, sep + 3));
        proxy.erase(0, sep + 3);
    }
    proxy.erase(std::min(proxy.find('/'), proxy.size()));
    std::string userinfo;
    if (auto at = proxy.rfind('@'); at != std::string::npos) {
        userinfo = proxy.substr(0, at);
        proxy.erase(0, at + 1);
    }
    if (!proxy_user.empty()) userinfo = proxy_user;
    std::tie(r.proxy_username, r.proxy_password) = credentials(userinfo);
    auto colon = proxy.rfind(':');
    bool has_port = colon != std::string::npos && proxy.find(']', colon) == std::string::npos;
    r.proxy_port = has_port ? proxy_port(proxy.substr(colon + 1)) : 1080;  // curl's default port
    r.proxy_host = proxy.substr(0, has_port ? colon : std::string::npos);
    if (r.proxy_host.size() > 2 && r.proxy_host.front() == '[') r.proxy_host = r.proxy_host.substr(1, r.proxy_host.size() - 2);
    if (r.proxy_host.empty()) throw ToolError(exit_usage, "the proxy names no host");
}

bool method_has_body(const std::string& m) { return m == "POST" || m == "PUT" || m == "PATCH"; }

std::string method_for(const Settings& s) {
    if (!s.method.empty()) return s.method;
    if (s.head) return "HEAD";
    return s.has_data ? "POST" : "GET";
}

/// The whole of file `name`; a directory or a read error is ToolError(exit_read_error) too.
std::string read_file(const std::string& name) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(name.c_str(), "rb"), std::fclose);
    auto fail = [&] { return ToolError(exit_read_error, "cannot read " + name + ": " + std::strerror(errno)); };
    if (!f) throw fail();
    std::string data;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) data.append(buf, n);
    if (std::ferror(f.get())) throw fail();
    return data;
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
    return read_file(name);
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
    if (!s.user.empty()) std::tie(r.auth_username, r.auth_password) = credentials(s.user);
    if (!s.proxy.empty()) set_proxy(r, s.proxy, s.proxy_user);
    return r;
}

}  // namespace squall::tools
