// max_match_width: a recursive descent over RE2's syntax that adds up the widest alternative of
// every sequence, saturating at "unbounded". Internal. Overestimating is always safe: the caller
// only rescans more than it had to.
#include "squall/detail/regex_width.h"

#include <cctype>
#include <limits>

namespace squall::detail {
namespace {

constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

std::size_t add(std::size_t a, std::size_t b) { return a > unbounded - b ? unbounded : a + b; }

std::size_t multiply(std::size_t a, std::size_t n) {
    if (a == 0 || n == 0) return 0;
    return a > unbounded / n ? unbounded : a * n;
}

class WidthParser {
public:
    explicit WidthParser(std::string_view p) : p_(p) {}

    std::optional<std::size_t> run() {
        std::size_t w = alternation();
        if (failed_ || at_ != p_.size() || w == unbounded) return std::nullopt;
        return w;
    }

private:
    std::string_view p_;
    std::size_t at_ = 0;
    bool failed_ = false;

    bool more() const { return at_ < p_.size() && !failed_; }
    char peek() const { return p_[at_]; }

    std::size_t fail() {
        failed_ = true;
        return unbounded;
    }

    std::size_t alternation() {
        std::size_t widest = sequence();
        while (more() && peek() == '|') {
            ++at_;
            std::size_t w = sequence();
            if (w > widest) widest = w;
        }
        return widest;
    }

    std::size_t sequence() {
        std::size_t total = 0;
        while (more() && peek() != '|' && peek() != ')') total = add(total, quantified(atom()));
        return total;
    }

    std::size_t quantified(std::size_t w) {
        while (more()) {
            char c = peek();
            if (c == '*' || c == '+') {
                ++at_;
                w = w == 0 ? 0 : unbounded;
            } else if (c == '?') {
                ++at_;
            } else if (c == '{') {
                std::optional<std::size_t> most = repeat_bound();
                if (!most) return w;  // a literal '{': the next atom
                w = *most == unbounded ? (w == 0 ? 0 : unbounded) : multiply(w, *most);
            } else {
                return w;
            }
            if (more() && peek() == '?') ++at_;  // non-greedy: same widths
        }
        return w;
    }

    /// `{n}`, `{n,}` or `{n,m}` at at_: the most repetitions (unbounded for `{n,}`), consumed.
    /// nullopt, consuming nothing, when the brace is a literal.
    std::optional<std::size_t> repeat_bound() {
        std::size_t i = at_ + 1;
        auto number = [&](std::size_t& out) {
            std::size_t start = i;
            out = 0;
            while (i < p_.size() && std::isdigit(static_cast<unsigned char>(p_[i])))
                out = add(multiply(out, 10), static_cast<std::size_t>(p_[i++] - '0'));
            return i > start;
        };
        std::size_t least = 0, most = 0;
        if (!number(least)) return std::nullopt;
        most = least;
        if (i < p_.size() && p_[i] == ',') {
            ++i;
            if (!number(most)) most = unbounded;
        }
        if (i >= p_.size() || p_[i] != '}') return std::nullopt;
        at_ = i + 1;
        return most;
    }

    std::size_t atom() {
        char c = p_[at_++];
        switch (c) {
            case '(': return group();
            case '[': return char_class();
            case '\\': return escape();
            case '^':
            case '$': return 0;
            default: return 1;  // '.', a literal byte, or a '{' that starts no repeat
        }
    }

    std::size_t group() {
        if (more() && peek() == '?') {
            ++at_;
            if (p_.substr(at_).starts_with("P<")) {
                std::size_t close = p_.find('>', at_);
                if (close == std::string_view::npos) return fail();
                at_ = close + 1;
            } else {
                // Flags: "(?i)" sets them for the rest of the group, "(?i:...)" groups.
                while (more() && (std::isalpha(static_cast<unsigned char>(peek())) || peek() == '-')) ++at_;
                if (!more()) return fail();
                if (peek() == ')') {
                    ++at_;
                    return 0;
                }
                if (peek() != ':') return fail();
                ++at_;
            }
        }
        std::size_t w = alternation();
        if (!more() || peek() != ')') return fail();
        ++at_;
        return w;
    }

    std::size_t char_class() {
        if (more() && peek() == '^') ++at_;
        if (more() && peek() == ']') ++at_;  // "[]a]": a leading ']' is a member
        while (more() && peek() != ']') {
            if (peek() == '\\') {
                at_ += 2;
            } else if (p_.substr(at_).starts_with("[:")) {
                std::size_t close = p_.find(":]", at_ + 2);
                if (close == std::string_view::npos) return fail();
                at_ = close + 2;
            } else {
                ++at_;
            }
        }
        if (!more()) return fail();
        ++at_;
        return 1;  // one byte in Latin-1
    }

    std::size_t escape() {
        if (!more()) return fail();
        char c = p_[at_++];
        switch (c) {
            case 'b':
            case 'B':
            case 'A':
            case 'z': return 0;
            case 'Q': {
                std::size_t end = p_.find("\\E", at_);
                std::size_t len = (end == std::string_view::npos ? p_.size() : end) - at_;
                at_ = end == std::string_view::npos ? p_.size() : end + 2;
                return len;
            }
            case 'p':
            case 'P':
            case 'x':
                if (more() && peek() == '{') {
                    std::size_t close = p_.find('}', at_);
                    if (close == std::string_view::npos) return fail();
                    at_ = close + 1;
                } else if (c == 'x') {
                    at_ += 2;  // two hex digits
                } else {
                    ++at_;  // a one-letter class name
                }
                return 1;
            default:
                // An octal escape takes at most two more digits: "\0123" is "\012" then '3'.
                for (int extra = 0; c >= '0' && c <= '7' && extra < 2 && more() && peek() >= '0' && peek() <= '7'; ++extra)
                    ++at_;
                return 1;
        }
    }
};

}  // namespace

std::optional<std::size_t> max_match_width(std::string_view pattern) { return WidthParser(pattern).run(); }

}  // namespace squall::detail
