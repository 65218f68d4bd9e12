// Feeds one byte stream to an HTTP1Parser the way a connection does, in pieces, and records
// what came out, so the fuzz targets can check that every way of splitting the same bytes
// gives the same messages and that no limit is ever passed. Internal to test/fuzz.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "squall/http1_parser.h"

namespace squall::fuzz {

struct Message {
    std::string start_line;
    std::vector<HTTPHeaders::Field> headers, trailers;
    std::string body;
    bool operator==(const Message&) const = default;
};

struct Transcript {
    std::vector<Message> messages;
    int error_status = 0;
    bool operator==(const Transcript&) const = default;
};

struct Feed {
    HTTP1Parser::Kind kind = HTTP1Parser::Kind::request;
    HTTP1ParserLimits limits;
    bool head_request = false;
    bool eof = true;
};

/// `data` in pieces of `piece` bytes (0: whole), with the parser's invariants checked on the way.
Transcript transcribe(const Feed& feed, std::string_view data, std::size_t piece);

/// The whole of `data`, then the same split at `split` and in pieces of `piece` bytes: all three
/// must agree. Returns the whole-input transcript.
Transcript transcribe_every_way(const Feed& feed, std::string_view data, std::size_t split, std::size_t piece);

/// Limits small enough for a fuzzer's inputs to reach them, chosen by `choice`.
HTTP1ParserLimits small_limits(std::uint8_t choice);

}  // namespace squall::fuzz
