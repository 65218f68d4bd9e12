// The parser driver of parser_driver.h. Internal test helper.
#include "parser_driver.h"

#include "catch.h"

namespace squall::testing {

ParseOutcome drive(HTTP1Parser::Kind kind, const std::vector<std::string_view>& pieces, bool eof,
                   HTTP1ParserLimits limits, bool head_request) {
    HTTP1Parser parser(kind, limits);
    parser.set_head_request(head_request);
    ParseOutcome out;
    ParsedMessage current;
    std::string buffer;
    auto on_result = [&](const HTTP1Parser::Result& r) {
        switch (r.status) {
        case HTTP1Parser::Status::headers:
            if (kind == HTTP1Parser::Kind::request)
                current.start_line = parser.request().method + " " + parser.request().path + " " + parser.request().version;
            else
                current.start_line = parser.response().version + " " + std::to_string(parser.response().code) + " " +
                                     parser.response().reason;
            current.headers = parser.headers().get_all();
            break;
        case HTTP1Parser::Status::body:
            current.body.append(r.body);
            break;
        case HTTP1Parser::Status::done:
            current.trailers = parser.trailers().get_all();
            current.complete = true;
            out.messages.push_back(std::move(current));
            current = {};
            parser.set_head_request(head_request);
            break;
        case HTTP1Parser::Status::error:
            out.error_status = parser.error_status();
            out.error = parser.error_message();
            break;
        case HTTP1Parser::Status::incomplete:
            break;
        }
    };
    for (std::string_view piece : pieces) {
        buffer.append(piece);
        while (out.error_status == 0) {
            auto r = parser.parse(buffer);
            REQUIRE(r.consumed <= buffer.size());
            std::string body(r.body);  // the view points into `buffer`, about to change
            HTTP1Parser::Result copy{r.status, r.consumed, body};
            on_result(copy);
            buffer.erase(0, r.consumed);
            if (r.status == HTTP1Parser::Status::incomplete && r.consumed == 0) break;
        }
        if (out.error_status) return out;
    }
    if (eof) {
        auto r = parser.finish();
        if (r.status != HTTP1Parser::Status::incomplete) on_result(r);
    }
    return out;
}

ParseOutcome drive_whole(HTTP1Parser::Kind kind, std::string_view data, HTTP1ParserLimits limits) {
    return drive(kind, {data}, true, limits);
}

ParseOutcome drive_every_way(HTTP1Parser::Kind kind, std::string_view data, HTTP1ParserLimits limits) {
    ParseOutcome whole = drive(kind, {data}, true, limits);
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < data.size(); ++i) bytes.push_back(data.substr(i, 1));
    ParseOutcome one_by_one = drive(kind, bytes, true, limits);
    INFO("byte by byte: " << one_by_one.error);
    CHECK(one_by_one == whole);
    for (std::size_t split = 1; split < data.size(); ++split) {
        ParseOutcome two = drive(kind, {data.substr(0, split), data.substr(split)}, true, limits);
        INFO("split at " << split << ": " << two.error);
        REQUIRE(two == whole);
    }
    return whole;
}

}  // namespace squall::testing
