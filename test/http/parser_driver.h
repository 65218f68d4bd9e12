// Drives an HTTP1Parser the way a connection does (a growing buffer, consumed bytes dropped)
// and records what it produced, so one transcript can be fed whole, byte by byte or split at
// any offset and the outcomes compared. Internal test helper.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "squall/http1_parser.h"

namespace squall::testing {

struct ParsedMessage {
    std::string start_line;  // "GET /x HTTP/1.1" or "HTTP/1.1 200 OK", rebuilt from the parse
    std::vector<HTTPHeaders::Field> headers, trailers;
    std::string body;
    bool complete = false;
    bool operator==(const ParsedMessage&) const = default;
};

struct ParseOutcome {
    std::vector<ParsedMessage> messages;
    int error_status = 0;  // 0: no error
    std::string error;
    bool operator==(const ParseOutcome& o) const {
        return messages == o.messages && error_status == o.error_status;
    }
};

/// Feeds `pieces` in order, then (when `eof`) tells the parser the peer closed.
ParseOutcome drive(HTTP1Parser::Kind kind, const std::vector<std::string_view>& pieces, bool eof = true,
                   HTTP1ParserLimits limits = {}, bool head_request = false);
ParseOutcome drive_whole(HTTP1Parser::Kind kind, std::string_view data, HTTP1ParserLimits limits = {});
/// The same transcript fed whole, one byte at a time and split in two at every offset: every
/// way must give the same outcome, which is returned (a Catch failure otherwise).
ParseOutcome drive_every_way(HTTP1Parser::Kind kind, std::string_view data, HTTP1ParserLimits limits = {});

}  // namespace squall::testing
