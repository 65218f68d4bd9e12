// The transcripts of parser_transcript.h. Internal to test/fuzz.
#include "parser_transcript.h"

#include <algorithm>

#include "fuzz_input.h"

namespace squall::fuzz {
namespace {

std::string start_line_of(const HTTP1Parser& parser, HTTP1Parser::Kind kind) {
    if (kind == HTTP1Parser::Kind::request) {
        const auto& r = parser.request();
        return r.method + " " + r.path + " " + r.version;
    }
    const auto& r = parser.response();
    return r.version + " " + std::to_string(r.code) + " " + r.reason;
}

bool known_error_status(int status) {
    return status == 400 || status == 413 || status == 431 || status == 501 || status == 505;
}

class Recorder {
public:
    explicit Recorder(const Feed& feed) : feed_(feed), parser_(feed.kind, feed.limits) {
        parser_.set_head_request(feed.head_request);
    }

    /// False once the parser failed: nothing more is fed.
    bool feed(std::string_view piece) {
        buffer_.append(piece);
        while (out_.error_status == 0) {
            auto r = parser_.parse(buffer_);
            SQUALL_FUZZ_CHECK(r.consumed <= buffer_.size());
            record(r);
            buffer_.erase(0, r.consumed);
            if (r.status == HTTP1Parser::Status::incomplete && r.consumed == 0) break;
        }
        return out_.error_status == 0;
    }

    Transcript finish() {
        if (feed_.eof && out_.error_status == 0) {
            auto r = parser_.finish();
            if (r.status != HTTP1Parser::Status::incomplete) record(r);
        }
        return std::move(out_);
    }

private:
    void record(const HTTP1Parser::Result& r) {
        switch (r.status) {
        case HTTP1Parser::Status::headers:
            current_.start_line = start_line_of(parser_, feed_.kind);
            current_.headers = parser_.headers().get_all();
            SQUALL_FUZZ_CHECK(current_.headers.size() <= feed_.limits.max_header_count);
            break;
        case HTTP1Parser::Status::body:
            SQUALL_FUZZ_CHECK(!r.body.empty());
            current_.body.append(r.body);
            SQUALL_FUZZ_CHECK(current_.body.size() <= feed_.limits.max_body_size);
            break;
        case HTTP1Parser::Status::done:
            current_.trailers = parser_.trailers().get_all();
            SQUALL_FUZZ_CHECK(current_.trailers.size() <= feed_.limits.max_header_count);
            out_.messages.push_back(std::move(current_));
            current_ = {};
            parser_.set_head_request(feed_.head_request);
            break;
        case HTTP1Parser::Status::error:
            out_.error_status = parser_.error_status();
            SQUALL_FUZZ_CHECK(known_error_status(out_.error_status));
            SQUALL_FUZZ_CHECK(!parser_.error_message().empty());
            break;
        case HTTP1Parser::Status::incomplete:
            break;
        }
    }

    const Feed& feed_;
    HTTP1Parser parser_;
    std::string buffer_;
    Message current_;
    Transcript out_;
};

}  // namespace

Transcript transcribe(const Feed& feed, std::string_view data, std::size_t piece) {
    Recorder recorder(feed);
    if (piece == 0) piece = std::max<std::size_t>(data.size(), 1);
    for (std::size_t at = 0; at < data.size(); at += piece)
        if (!recorder.feed(data.substr(at, piece))) break;
    return recorder.finish();
}

Transcript transcribe_every_way(const Feed& feed, std::string_view data, std::size_t split, std::size_t piece) {
    Transcript whole = transcribe(feed, data, 0);
    split = data.empty() ? 0 : split % data.size();
    Recorder two(feed);
    if (two.feed(data.substr(0, split))) two.feed(data.substr(split));
    SQUALL_FUZZ_CHECK(two.finish() == whole);
    SQUALL_FUZZ_CHECK(transcribe(feed, data, piece) == whole);
    return whole;
}

HTTP1ParserLimits small_limits(std::uint8_t choice) {
    HTTP1ParserLimits limits;
    if (choice & 1) limits.max_header_size = 64 + (choice >> 1);
    if (choice & 2) limits.max_body_size = choice >> 2;
    if (choice & 4) limits.max_header_count = choice >> 4;
    return limits;
}

}  // namespace squall::fuzz
