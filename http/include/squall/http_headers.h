// HTTPHeaders: an ordered, case-insensitive, multi-valued header map with Tornado's name
// normalisation. Public header. Models tornado/httputil.py (4.0) HTTPHeaders, with 4.1's CRLF
// or bare LF lines and 6.5's field validation.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "squall/detail/recycler.h"

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
    /// Where a field sits in text_: its line starts at `at` with the name, then ": ", the
    /// value and CRLF.
    struct Entry {
        std::uint32_t at;
        std::uint32_t name_size;
        std::uint32_t value_size;
    };
    static constexpr std::size_t inline_entries = 8;

public:
    /// A field as get_all() copies it out.
    using Field = std::pair<std::string, std::string>;
    /// A field as iteration shows it: views into the headers, valid until they change.
    using FieldView = std::pair<std::string_view, std::string_view>;

    class const_iterator {
    public:
        // Fields are produced as views (prvalues): a forward iterator for C++20, an input
        // iterator to the older algorithms that want references.
        using iterator_concept = std::forward_iterator_tag;
        using iterator_category = std::input_iterator_tag;
        using value_type = FieldView;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = FieldView;

        const_iterator() = default;
        FieldView operator*() const noexcept { return headers_->view(*entry_); }
        const_iterator& operator++() noexcept {
            ++entry_;
            return *this;
        }
        const_iterator operator++(int) noexcept {
            const_iterator old = *this;
            ++entry_;
            return old;
        }
        bool operator==(const const_iterator& o) const noexcept { return entry_ == o.entry_; }

    private:
        friend class HTTPHeaders;
        const_iterator(const HTTPHeaders* h, const Entry* e) : headers_(h), entry_(e) {}
        const HTTPHeaders* headers_ = nullptr;
        const Entry* entry_ = nullptr;
    };

    HTTPHeaders() = default;
    /// `{{"Content-Type", "text/plain"}, {"Date", date}}`.
    HTTPHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
    HTTPHeaders(const HTTPHeaders& other);
    HTTPHeaders& operator=(const HTTPHeaders& other);
    /// A moved-from HTTPHeaders is empty. Inline: a request's headers move several times.
    HTTPHeaders(HTTPHeaders&& other) noexcept { take(other); }
    HTTPHeaders& operator=(HTTPHeaders&& other) noexcept;
    ~HTTPHeaders() { release(); }

    /// Tornado's spelling: each dash-separated word capitalised ("content-TYPE" ->
    /// "Content-Type", "www-authenticate" -> "Www-Authenticate").
    static std::string normalize_name(std::string_view name);

    /// Add a value, keeping the others (Set-Cookie, Vary...). The name and value may be views
    /// into these headers (`h.add("X-Copy", *h.find("X"))`).
    void add(std::string_view name, std::string_view value);
    /// Replace every value of `name` with `value` (Tornado's h[name] = value); the same.
    void set(std::string_view name, std::string_view value);
    /// Remove every value of `name` (which may be a view into these headers); how many there were.
    std::size_t erase(std::string_view name);
    /// Remove every field; the memory is kept for the next message.
    void clear() noexcept {
        size_ = 0;
        spill_.clear();
        count_ = 0;
        spilled_ = false;
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
    /// A copy of every field in arrival order, names normalised.
    std::vector<Field> get_all() const;
    /// Every field in arrival order, names normalised, as views.
    const_iterator begin() const noexcept { return {this, entries()}; }
    const_iterator end() const noexcept { return {this, entries() + count_}; }
    std::size_t size() const noexcept { return count_; }
    /// Every name added since construction or clear() is an RFC 9110 token (learnt while
    /// normalising, so writing the headers need not check each name again).
    bool names_are_tokens() const noexcept { return names_are_tokens_; }
    bool empty() const noexcept { return count_ == 0; }

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
    std::size_t serialized_size() const noexcept { return size_; }

private:
    /// Appends the field; whether its name is a token. The name and value may be views into
    /// these headers.
    bool append(std::string_view name, std::string_view value);
    /// Whether `s` points into text_.
    bool holds(std::string_view s) const noexcept;
    void push_entry(Entry e) {
        if (!spilled_ && count_ < inline_entries) inline_[count_++] = e;
        else spill(e);
    }
    void spill(Entry e);
    /// Room for `more` bytes of lines after size_ (the check inline, the growth not).
    void room_for(std::size_t more) {
        if (size_ + more > capacity_) grow(more);
    }
    /// Moves the lines to a block with room for `more` bytes after them; room_for's slow path.
    void grow(std::size_t more);
    void pop_entry() noexcept;
    Entry* entries() noexcept { return spilled_ ? spill_.data() : inline_.data(); }
    const Entry* entries() const noexcept { return spilled_ ? spill_.data() : inline_.data(); }
    FieldView view(const Entry& e) const noexcept {
        const char* p = text_ + e.at;
        return {std::string_view(p, e.name_size), std::string_view(p + e.name_size + 2, e.value_size)};
    }

    /// Takes `other`'s fields and buffer (this holds none), leaving it empty.
    void take(HTTPHeaders& other) noexcept {
        text_ = std::exchange(other.text_, nullptr);
        size_ = std::exchange(other.size_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
        copy_inline(other);
        spill_ = std::move(other.spill_);
        count_ = other.count_;
        spilled_ = other.spilled_;
        names_are_tokens_ = other.names_are_tokens_;
        other.clear();
    }
    /// The inline entries in use (only those: the rest were never written).
    void copy_inline(const HTTPHeaders& other) noexcept {
        if (!other.spilled_)
            for (std::uint32_t i = 0; i < other.count_; ++i) inline_[i] = other.inline_[i];
    }
    void release() noexcept {
        if (text_) detail::recycled_deallocate(text_, capacity_);
        text_ = nullptr;
        capacity_ = 0;
    }

    // The fields as they are written: one buffer for all of a message's lines (no allocation
    // per name or value), and serialize() is one copy. Lines in [0, size_) of capacity_ bytes,
    // a plain block from the per-thread cache (every request and response has one), never
    // zeroed, grown only by grow().
    char* text_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    std::array<Entry, inline_entries> inline_;  // [0, count_) in use unless spilled_
    std::vector<Entry> spill_;  // all the entries once there are more than inline_ holds
    std::uint32_t count_ = 0;
    bool spilled_ = false;
    bool names_are_tokens_ = true;
};

/// RFC 9110 token characters (names of methods and header fields).
bool is_token(std::string_view s) noexcept;
/// A field value RFC 9110 allows: visible characters, obs-text, spaces and tabs (no CR, LF, NUL
/// or other controls).
bool is_valid_field_value(std::string_view s) noexcept;

}  // namespace squall
