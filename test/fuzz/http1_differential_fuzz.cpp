// Differential fuzz target: one request stream through squall's HTTP1Parser and through
// http-parser (Node's former parser). Where both accept a message they must agree on its
// method, target, version, headers and body bytes; a disagreement is how request smuggling
// starts (two parsers framing the same bytes differently).
#include <http_parser.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "parser_transcript.h"

namespace {

struct PeerMessage {
    std::string start_line;
    std::vector<std::pair<std::string, std::string>> headers, trailers;
    std::string body;
    bool headers_done = false;
    bool upgrade = false;
};

struct PeerTranscript {
    std::vector<PeerMessage> messages;
    PeerMessage current;
    bool in_value = false;
};

PeerTranscript& of(http_parser* p) { return *static_cast<PeerTranscript*>(p->data); }

int on_url(http_parser* p, const char* at, std::size_t n) {
    of(p).current.start_line.append(at, n);
    return 0;
}
// Trailers of a chunked body arrive through the same callbacks, after the headers.
std::vector<std::pair<std::string, std::string>>& fields(PeerMessage& m) {
    return m.headers_done ? m.trailers : m.headers;
}
int on_header_field(http_parser* p, const char* at, std::size_t n) {
    auto& t = of(p);
    auto& f = fields(t.current);
    if (t.in_value || f.empty()) f.emplace_back();
    t.in_value = false;
    f.back().first.append(at, n);
    return 0;
}
int on_header_value(http_parser* p, const char* at, std::size_t n) {
    auto& t = of(p);
    t.in_value = true;
    fields(t.current).back().second.append(at, n);
    return 0;
}
int on_headers_complete(http_parser* p) {
    auto& m = of(p).current;
    m.headers_done = true;
    of(p).in_value = false;
    m.start_line = std::string(http_method_str(static_cast<http_method>(p->method))) + " " + m.start_line + " HTTP/" +
                   std::to_string(p->http_major) + "." + std::to_string(p->http_minor);
    return 0;
}
int on_body(http_parser* p, const char* at, std::size_t n) {
    of(p).current.body.append(at, n);
    return 0;
}
int on_message_complete(http_parser* p) {
    auto& t = of(p);
    t.current.upgrade = p->upgrade;
    t.messages.push_back(std::move(t.current));
    t.current = {};
    t.in_value = false;
    return 0;
}

PeerTranscript run_http_parser(std::string_view data) {
    http_parser_settings settings{};
    settings.on_url = on_url;
    settings.on_header_field = on_header_field;
    settings.on_header_value = on_header_value;
    settings.on_headers_complete = on_headers_complete;
    settings.on_body = on_body;
    settings.on_message_complete = on_message_complete;
    PeerTranscript t;
    http_parser parser;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &t;
    http_parser_execute(&parser, &settings, data.data(), data.size());
    return t;
}

std::string lower_trimmed(std::string_view s, bool lower) {
    const char* ows = " \t";
    auto b = s.find_first_not_of(ows);
    if (b == std::string_view::npos) return {};
    s = s.substr(b, s.find_last_not_of(ows) - b + 1);
    std::string out(s);
    if (lower) std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool same_headers(const std::vector<squall::HTTPHeaders::Field>& ours,
                  const std::vector<std::pair<std::string, std::string>>& theirs) {
    if (ours.size() != theirs.size()) return false;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        if (lower_trimmed(ours[i].first, true) != lower_trimmed(theirs[i].first, true)) return false;
        if (lower_trimmed(ours[i].second, false) != lower_trimmed(theirs[i].second, false)) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    squall::fuzz::Feed feed;
    feed.eof = false;  // http-parser is not told about the end either
    auto ours = squall::fuzz::transcribe(feed, stream, 0);
    auto theirs = run_http_parser(stream);
    std::size_t both = std::min(ours.messages.size(), theirs.messages.size());
    for (std::size_t i = 0; i < both; ++i) {
        const auto& a = ours.messages[i];
        const auto& b = theirs.messages[i];
        SQUALL_FUZZ_CHECK(a.start_line == b.start_line);
        SQUALL_FUZZ_CHECK(same_headers(a.headers, b.headers));
        if (b.upgrade) break;  // http-parser hands the rest of the stream to the new protocol
        SQUALL_FUZZ_CHECK(a.body == b.body);
        SQUALL_FUZZ_CHECK(same_headers(a.trailers, b.trailers));
    }
    return 0;
}
