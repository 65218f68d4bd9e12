// Header values with parameters, `value; key=value; key="quoted"` (Content-Type,
// Content-Disposition), as the form parsers read them. Internal. Models tornado/httputil.py
// _parse_header.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace squall::detail {

/// The main value (in lower case) and the parameters (names in lower case). Quoted values are
/// unescaped; RFC 2231's key*=charset'language'percent-encoded form is decoded into `key`.
std::pair<std::string, std::map<std::string, std::string>> parse_header_params(std::string_view header);

/// True when `s` starts with `prefix`, ignoring ASCII case.
bool istarts_with(std::string_view s, std::string_view prefix) noexcept;

}  // namespace squall::detail
