// The HTTPRequest squall-httpclient sends for a URL: method, headers, body, authentication and
// limits from the command line. Part of the tool; models what tornado/httpclient.py (4.0)
// main() passes to fetch(), plus curl's flags.
#pragma once

#include <string>

#include "options.h"
#include "squall/httpclient.h"

namespace squall::tools {

/// The body -d asks for: DATA itself, @FILE's contents, or @- standard input. Throws
/// ToolError(exit_read_error) naming the file and the reason.
std::string read_request_body(const std::string& data);

/// `url` with http:// in front when it names no scheme, as curl does. Throws
/// ToolError(exit_unsupported_protocol) for a scheme other than http and https.
std::string with_scheme(const std::string& url);

/// The request for `url` with `body` (used when -d was given). Throws ToolError(exit_usage)
/// for a header that is not "Name: value" or a proxy's bad port, and
/// ToolError(exit_not_built_in) for a proxy other than http://.
HTTPRequest make_request(const Settings& s, const std::string& url, const std::string& body);

}  // namespace squall::tools
