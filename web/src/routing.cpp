// URLSpec: compiling the pattern with RE2 (linear-time matching, Python's named groups
// natively), matching and reversing. Internal. Models tornado/web.py (4.0) URLSpec, including
// _find_groups for reverse().
#include "squall/routing.h"

#include <re2/re2.h>

#include <array>
#include <cctype>
#include <stdexcept>

#include "squall/httputil.h"

namespace squall {
namespace {

constexpr std::string_view metachars = "\\.^$|?*+()[]{}";

/// Tornado's _find_groups: the path with '\x01' for each group, when every '(' is a simple group.
std::optional<std::string> reverse_format(std::string_view pattern, std::size_t groups) {
    if (pattern.starts_with('^')) pattern.remove_prefix(1);
    if (pattern.ends_with('$')) pattern.remove_suffix(1);
    std::size_t parens = 0;
    for (char c : pattern) parens += c == '(';
    if (parens != groups) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '(') {
            std::size_t close = pattern.find(')', i);
            if (close == std::string_view::npos) return std::nullopt;
            if (pattern.substr(i + 1, close - i - 1).find('(') != std::string_view::npos) return std::nullopt;  // nested
            out += '\x01';
            i = close;
        } else if (c == '\\' && i + 1 < pattern.size()) {
            char next = pattern[++i];
            if (std::isalnum(static_cast<unsigned char>(next))) return std::nullopt;  // \d, \w: not a literal
            out += next;
        } else {
            out += c;
        }
    }
    return out;
}

/// Index just past the ')' closing the group opened at `open`, or npos when a character class
/// or an unbalanced pattern makes that unclear.
std::size_t group_end(std::string_view body, std::size_t open) {
    int depth = 0;
    for (std::size_t i = open; i < body.size(); ++i) {
        char c = body[i];
        if (c == '\\') ++i;
        else if (c == '[') return std::string_view::npos;
        else if (c == '(') ++depth;
        else if (c == ')' && --depth == 0) return i + 1;
    }
    return std::string_view::npos;
}

bool makes_optional(std::string_view body, std::size_t at) {
    return at < body.size() && (body[at] == '?' || body[at] == '*' || body[at] == '{');
}

/// The text every match of `body` starts with: its leading literal characters, read into
/// groups that must match (not `?`, `*` or `{}` quantified), stopping at any other syntax and
/// leaving out a character a quantifier makes optional; nothing when there are alternatives.
/// "/(favicon\\.ico)" gives "/favicon.ico", "/static/(.*)" gives "/static/".
std::string literal_prefix(std::string_view body) {
    if (body.find('|') != std::string_view::npos) return {};
    std::string out;
    std::size_t i = 0;
    while (i < body.size()) {
        char c = body[i];
        if (c == '(') {
            std::size_t end = group_end(body, i);
            if (end == std::string_view::npos || makes_optional(body, end)) break;
            std::string_view rest = body.substr(i + 1);
            if (rest.starts_with("?:")) {
                i += 3;
            } else if (rest.starts_with("?P<")) {
                std::size_t close = body.find('>', i);
                if (close == std::string_view::npos) break;
                i = close + 1;
            } else if (rest.starts_with('?')) {
                break;  // lookaheads and the like
            } else {
                i += 1;
            }
            continue;
        }
        if (c == ')') {  // the end of a group entered above (its quantifier, if any, was checked)
            ++i;
            if (i < body.size() && body[i] == '+') break;  // repeated: what follows is not fixed
            continue;
        }
        char literal;
        if (c == '\\') {
            if (i + 1 >= body.size() || std::isalnum(static_cast<unsigned char>(body[i + 1]))) break;  // \d, \w
            literal = body[i + 1];
            i += 2;
        } else if (metachars.find(c) != std::string_view::npos) {
            break;
        } else {
            literal = c;
            i += 1;
        }
        if (makes_optional(body, i)) break;
        out += literal;
        if (i < body.size() && body[i] == '+') break;  // what follows a repeat is not fixed
    }
    return out;
}

}  // namespace

URLSpec::URLSpec(std::string pattern, HandlerFactory factory, std::string name)
    : pattern_(std::move(pattern)), name_(std::move(name)), factory_(std::move(factory)) {
    if (!factory_) throw std::invalid_argument("URLSpec needs a handler factory");
    if (!pattern_.ends_with('$')) pattern_ += '$';
    // Latin-1: the path is matched as bytes, so '.' matches any of them.
    RE2::Options options(RE2::Latin1);
    options.set_log_errors(false);
    auto re = std::make_shared<const RE2>(pattern_, options);
    if (!re->ok()) throw std::invalid_argument("bad url pattern " + pattern_ + ": " + re->error());
    const auto& names = re->CapturingGroupNames();
    const std::size_t groups = static_cast<std::size_t>(re->NumberOfCapturingGroups());
    if (!names.empty() && names.size() != groups)
        throw std::invalid_argument("groups in url pattern must be all named or all positional: " + pattern_);
    group_names_.assign(groups, std::string());
    for (const auto& [index, group_name] : names) group_names_[static_cast<std::size_t>(index) - 1] = group_name;
    regex_ = std::move(re);
    std::string_view body(pattern_);
    if (body.starts_with('^')) body.remove_prefix(1);
    body.remove_suffix(1);  // '$'
    if (body.find_first_of(metachars) == std::string_view::npos) literal_ = std::string(body);
    prefix_ = literal_prefix(body);
    reverse_format_ = reverse_format(pattern_, group_names_.size());
}

URLSpec URLSpec::with_name(std::string name) && {
    name_ = std::move(name);
    return std::move(*this);
}

std::optional<PathArguments> URLSpec::match(std::string_view path) const {
    if (literal_) {
        if (path != *literal_) return std::nullopt;
        return PathArguments{};
    }
    // Most paths miss most routes: a prefix comparison spares the regex.
    if (!path.starts_with(prefix_)) return std::nullopt;
    // Routes have a handful of groups: their pieces fit on the stack.
    constexpr std::size_t inline_groups = 16;
    std::array<re2::StringPiece, inline_groups + 1> stack_pieces;
    std::vector<re2::StringPiece> heap_pieces;
    re2::StringPiece* pieces = stack_pieces.data();
    const std::size_t n = group_names_.size() + 1;
    if (n > stack_pieces.size()) {
        heap_pieces.resize(n);
        pieces = heap_pieces.data();
    }
    const re2::StringPiece text(path.data(), path.size());
    if (!regex_->Match(text, 0, text.size(), RE2::ANCHOR_BOTH, pieces, static_cast<int>(n))) return std::nullopt;
    PathArguments out;
    for (std::size_t i = 0; i < group_names_.size(); ++i) {
        std::optional<std::string> value;
        const re2::StringPiece& piece = pieces[i + 1];
        if (piece.data() != nullptr) value = url_unescape(std::string_view(piece.data(), piece.size()), false);
        if (group_names_[i].empty()) out.args.push_back(std::move(value));
        else out.kwargs[group_names_[i]] = std::move(value);
    }
    return out;
}

std::string URLSpec::reverse(const std::vector<std::string>& args) const {
    if (!reverse_format_) throw std::invalid_argument("cannot reverse a url pattern this complex: " + pattern_);
    if (args.size() != group_names_.size())
        throw std::invalid_argument("required number of arguments not found for " + pattern_);
    std::string out;
    std::size_t next = 0;
    for (char c : *reverse_format_) {
        if (c == '\x01') out += url_escape(args[next++], false);
        else out += c;
    }
    return out;
}

}  // namespace squall
