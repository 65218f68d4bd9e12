// HTTPHeaders: an ordered, case-insensitive, multi-valued header map with Tornado's name
// normalisation. Public header. Models tornado/httputil.py (4.0) HTTPHeaders, with 4.1's CRLF
// or bare LF lines and 6.5's field validation.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squall {

/// Bad input from the remote side: a malformed start line, header or body (Tornado's
/// HTTPInputError). `status()` is the response it deserves: 400 unless a limit was hit (413,
/// 431), a version is unknown (505) or a transfer coding is unknown (501).
class HTTPInputError : public std::runtime_error {
public:
    explicit HTTPInputError(const std::string& what, int status = 400)
        : std::runtime_error(what), status_(status) {}
    int status() const noexcept { return status_; }

private:
    int status_;
};

/// Bad output from the application: a header with a newline, more body than Content-Length...
class HTTPOutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class HTTPHeaders {
public:
    using Field = std::pair<std::string, std::string>;

    HTTPHeaders() = default;
    /// `{{"Content-Type", "text/plain"}, {"Date", date}}`: views, so each name and value is
    /// copied once, into the headers (pairs of strings would be built, then copied again).
    HTTPHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

    /// Tornado's spelling: each dash-separated word capitalised ("content-TYPE" ->
    /// "Content-Type", "www-authenticate" -> "Www-Authenticate").
    static std::string normalize_name(std::string_view name);

    /// Add a value, keeping the others (Set-Cookie, Vary...).
    void add(std::string_view name, std::string_view value);
    /// Replace every value of `name` with `value` (Tornado's h[name] = value).
    void set(std::string_view name, std::string_view value);
    /// Remove every value of `name`; how many there were.
    std::size_t erase(std::string_view name);
    void clear() noexcept {
        fields_.clear();
        names_are_tokens_ = true;
    }

    bool contains(std::string_view name) const noexcept { return find(name).has_value(); }
    /// The first value, without copying; nullopt when absent.
    std::optional<std::string_view> find(std::string_view name) const noexcept;
    /// All values joined by "," (Tornado's h[name]), or `fallback` when absent.
    std::string get(std::string_view name, std::string_view fallback = {}) const;
    std::vector<std::string> get_list(std::string_view name) const;
    /// How many lines carry `name` (get_list(name).size() without the copies).
    std::size_t count(std::string_view name) const noexcept;
    /// Every field in arrival order, names normalised.
    const std::vector<Field>& get_all() const noexcept { return fields_; }
    std::vector<Field>::const_iterator begin() const noexcept { return fields_.begin(); }
    std::vector<Field>::const_iterator end() const noexcept { return fields_.end(); }
    std::size_t size() const noexcept { return fields_.size(); }
    /// Every name added since construction or clear() is an RFC 9110 token (learnt while
    /// normalising, so writing the headers need not check each name again).
    bool names_are_tokens() const noexcept { return names_are_tokens_; }
    bool empty() const noexcept { return fields_.empty(); }

    /// One header line ("Name: value"). A line starting with a space or tab continues the
    /// previous value (obs-fold, joined with one space). Throws HTTPInputError for a line with
    /// no colon, a name that is not a token (whitespace before the colon included) or a value
    /// holding control characters.
    void parse_line(std::string_view line);
    /// A header block, lines ending in CRLF or LF.
    static HTTPHeaders parse(std::string_view text);

    /// "Name: value\r\n" for each field, appended to `out`.
    void serialize(std::string& out) const;
    /// The bytes serialize() appends.
    std::size_t serialized_size() const noexcept;

private:
    /// Appends the field; whether its name is a token.
    bool append(std::string_view name, std::string_view value);

    std::vector<Field> fields_;
    bool names_are_tokens_ = true;
};

/// RFC 9110 token characters (names of methods and header fields).
bool is_token(std::string_view s) noexcept;
/// A field value RFC 9110 allows: visible characters, obs-text, spaces and tabs (no CR, LF, NUL
/// or other controls).
bool is_valid_field_value(std::string_view s) noexcept;

}  // namespace squall
