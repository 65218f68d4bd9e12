// Tests of httputil: HTTPHeaders, start lines, query strings and url_concat, form bodies
// (urlencoded and multipart), HTTP dates, cookies and byte ranges. Ports
// tornado/test/httputil_test.py (4.0, with the later cases of url_concat and parse_cookie).
#include <cctype>
#include <limits>

#include "catch.h"
#include "squall/httputil.h"

using namespace squall;
using Fields = std::vector<HTTPHeaders::Field>;

TEST_CASE("HTTPHeaders normalises names and keeps every value in order", "[http][httputil]") {
    CHECK(HTTPHeaders::normalize_name("coNtent-TYPE") == "Content-Type");
    CHECK(HTTPHeaders::normalize_name("x-xsrftoken") == "X-Xsrftoken");
    CHECK(HTTPHeaders::normalize_name("WWW-Authenticate") == "Www-Authenticate");
    HTTPHeaders h;
    h.add("Set-Cookie", "a=1");
    h.add("content-type", "text/html");
    h.add("SET-COOKIE", "b=2");
    CHECK(h.get("set-cookie") == "a=1,b=2");  // Tornado joins with a bare comma
    CHECK(h.get_list("Set-Cookie") == std::vector<std::string>{"a=1", "b=2"});
    CHECK(h.count("set-COOKIE") == 2);
    CHECK(h.count("Content-Type") == 1);
    CHECK(h.count("Missing") == 0);
    CHECK(h.find("Content-Type") == std::optional<std::string_view>("text/html"));
    CHECK(h.get_all() == Fields{{"Set-Cookie", "a=1"}, {"Content-Type", "text/html"}, {"Set-Cookie", "b=2"}});
    h.set("set-cookie", "c=3");
    CHECK(h.get_list("Set-Cookie") == std::vector<std::string>{"c=3"});
    CHECK(h.erase("CONTENT-type") == 1);
    CHECK_FALSE(h.contains("Content-Type"));
    CHECK(h.get("Missing", "fallback") == "fallback");
    std::string out;
    h.serialize(out);
    CHECK(out == "Set-Cookie: c=3\r\n");
    CHECK(h.serialized_size() == out.size());
    HTTPHeaders listed{{"Server", "squall"}, {"Content-Type", "text/plain"}};
    out.clear();
    listed.serialize(out);
    CHECK(out == "Server: squall\r\nContent-Type: text/plain\r\n");
    CHECK(listed.serialized_size() == out.size());
    CHECK(HTTPHeaders{}.serialized_size() == 0);
}

TEST_CASE("HTTPHeaders agrees with a plain list through random edits, copies and moves", "[http][httputil]") {
    // The fields live in one buffer with a small index that moves to the heap past eight
    // fields; a vector of pairs is the model. Names come from a small set so that set and
    // erase hit several lines, counts cross the inline limit both ways.
    const std::vector<std::string> names{"Set-Cookie", "x-a", "X-B", "Content-Type", "Vary", "X-Long-Header-Name"};
    std::vector<HTTPHeaders::Field> model;
    HTTPHeaders h;
    auto check = [&](const HTTPHeaders& got, int step) {
        std::string expected_text;
        for (const auto& [n, v] : model) expected_text += n + ": " + v + "\r\n";
        std::string text;
        got.serialize(text);
        if (got.get_all() != model || got.size() != model.size() || text != expected_text ||
            got.serialized_size() != text.size())
            FAIL("step " << step << ": got \"" << text << "\", expected \"" << expected_text << "\"");
        std::size_t iterated = 0;
        for (const auto& [n, v] : got) {
            if (n != model[iterated].first || v != model[iterated].second) FAIL("iteration at step " << step);
            ++iterated;
        }
        CHECK(iterated == model.size());
    };
    std::uint32_t seed = 7;
    auto next = [&seed](std::uint32_t n) {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) % n;
    };
    for (int step = 0; step < 3000; ++step) {
        const std::string& name = names[next(static_cast<std::uint32_t>(names.size()))];
        const std::string normal = HTTPHeaders::normalize_name(name);
        std::string value = "v" + std::to_string(step) + std::string(next(40), 'x');
        switch (next(model.size() > 12 ? 3 : 5)) {
            case 0: {  // erase
                std::size_t before = model.size();
                std::erase_if(model, [&](const auto& f) { return f.first == normal; });
                CHECK(h.erase(name) == before - model.size());
                break;
            }
            case 1:  // set
                std::erase_if(model, [&](const auto& f) { return f.first == normal; });
                model.emplace_back(normal, value);
                h.set(name, value);
                break;
            case 2:  // a continuation line joins the last value
                if (model.empty()) break;
                model.back().second += " more" + std::to_string(step);
                h.parse_line(" more" + std::to_string(step));
                break;
            default:
                model.emplace_back(normal, value);
                h.add(name, value);
        }
        check(h, step);
        if (step % 97 == 0) {
            HTTPHeaders copy = h;
            check(copy, step);
            HTTPHeaders moved = std::move(copy);
            check(moved, step);
            CHECK(copy.empty());  // NOLINT: moved-from headers are empty
            CHECK(copy.serialized_size() == 0);
            copy.add("After", "move");
            CHECK(copy.get_all() == Fields{{"After", "move"}});
            h = std::move(moved);
            check(h, step);
        }
        if (step % 500 == 499) {
            h.clear();
            model.clear();
            check(h, step);
        }
    }
}

TEST_CASE("HTTPHeaders: add and set take views into the same headers", "[http][httputil]") {
    // Values found in the headers and stored back into them, while the buffer grows (add) or
    // lines move (set): gzip's X-Consumed-Content-Encoding does this.
    const std::string long_value(300, 'v');
    HTTPHeaders h;
    h.add("A", long_value);
    for (int i = 0; i < 6; ++i) h.add("B" + std::to_string(i), *h.find("A"));  // grows each time
    for (int i = 0; i < 6; ++i) CHECK(h.get("B" + std::to_string(i)) == long_value);
    h.add("Short", "s");
    h.set("A", *h.find("Short"));  // A's line is erased and the ones after it move up
    CHECK(h.get("A") == "s");
    h.set("Short", *h.find("B5"));
    CHECK(h.get("Short") == long_value);
    std::string name_source = "Name-Stored";
    h.add(name_source, "x");
    h.add(h.get_all().back().first, *h.find("Name-Stored"));
    CHECK(h.get_list("Name-Stored") == std::vector<std::string>{"x", "x"});
    for (auto [name, value] : h) CHECK_FALSE(value.empty());
    // erase() by a name viewed in the headers: the lines move under it (found by fuzzing).
    HTTPHeaders repeated{{"X", "1"}, {"Y", "2"}, {"X", "3"}};
    CHECK(repeated.erase((*repeated.begin()).first) == 2);  // Y's line moves over the view
    CHECK(repeated.get_all() == std::vector<HTTPHeaders::Field>{{"Y", "2"}});
    // Empty names and values are stored without reading from their (null) data.
    h.add("Empty", std::string_view());
    CHECK(h.find("Empty") == std::string_view());
}

TEST_CASE("HTTPHeaders::parse handles continuations, LF endings and rejects junk", "[http][httputil]") {
    auto h = HTTPHeaders::parse("Foo: bar\r\n baz\r\nAsdf: qwer\r\n\tzxcv\nFoo: even\r\n  more\r\n  lines\r\n");
    CHECK(h.get_list("Foo") == std::vector<std::string>{"bar baz", "even more lines"});
    CHECK(h.get("Asdf") == "qwer zxcv");
    CHECK(HTTPHeaders::parse("Empty:\r\n").get("Empty") == "");
    CHECK_THROWS_AS(HTTPHeaders::parse("No colon\r\n"), HTTPInputError);
    CHECK_THROWS_AS(HTTPHeaders::parse(" starts with space: x\r\n"), HTTPInputError);
    CHECK_THROWS_AS(HTTPHeaders::parse("Bad Name: x\r\n"), HTTPInputError);
    CHECK_THROWS_AS(HTTPHeaders::parse(std::string("Nul: a\0b\r\n", 11)), HTTPInputError);
    HTTPHeaders kept;
    kept.parse_line("Good: 1");
    CHECK_THROWS_AS(kept.parse_line("Bad\x01Name: 2"), HTTPInputError);
    CHECK(kept.get_all() == Fields{{"Good", "1"}});  // the refused line left nothing behind
    CHECK(kept.names_are_tokens());
    kept.add("not a token", "x");
    CHECK_FALSE(kept.names_are_tokens());
    kept.erase("not a token");
    CHECK_FALSE(kept.names_are_tokens());  // erase does not look again: writing still checks
    kept.clear();
    CHECK(kept.names_are_tokens());
    CHECK(is_token("X-Custom_1!"));
    CHECK_FALSE(is_token("a b"));
    CHECK_FALSE(is_token(""));
    CHECK(is_valid_field_value("text/html; charset=\xc3\xa9\t"));
    CHECK_FALSE(is_valid_field_value("a\nb"));
}

TEST_CASE("field checks and name normalisation hold for every byte at every position", "[http][httputil]") {
    // The checks work eight bytes at a time; each byte value is tried at each offset of values
    // short and long enough to span several blocks, against RFC 9110's rules read byte by byte.
    auto allowed_in_value = [](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); };
    auto allowed_in_token = [](unsigned char c) {
        if (c == 0 || c >= 0x80) return false;
        return std::isalnum(c) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    };
    // Every length up to 40: short values take other paths (overlapping loads, byte loops),
    // long ones several blocks of eight or sixteen.
    for (std::size_t len = 1; len <= 40; ++len) {
        for (std::size_t at = 0; at < len; ++at) {
            for (int b = 0; b < 256; ++b) {
                unsigned char c = static_cast<unsigned char>(b);
                std::string value(len, 'v');
                value[at] = static_cast<char>(c);
                if (is_valid_field_value(value) != allowed_in_value(c))
                    FAIL("value byte " << b << " at " << at << " of " << len);
                if (is_token(value) != allowed_in_token(c)) FAIL("token byte " << b << " at " << at << " of " << len);
            }
        }
    }
    CHECK(is_valid_field_value(""));
    // Names of every length up to 24, against a plain reference: mostly letters and dashes,
    // with the bytes a case-folding trick could confuse ('-' and CR differ by 0x20 only,
    // letters and their neighbours, obs-text, digits, NUL).
    auto reference_normalize = [](std::string_view in) {
        std::string out(in);
        bool start = true;
        for (char& c : out) {
            if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
            else if (!start && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
            start = c == '-';
        }
        return out;
    };
    const std::string alphabet = std::string("aAzZmM--@[`{\r\x8d\xad\xc1\xe1_1!") + std::string(1, '\0');
    std::uint32_t seed = 12345;
    for (int round = 0; round < 20000; ++round) {
        seed = seed * 1103515245u + 12345u;
        std::size_t len = (seed >> 16) % 25;
        std::string name;
        for (std::size_t i = 0; i < len; ++i) {
            seed = seed * 1103515245u + 12345u;
            std::size_t pick = (seed >> 16) % 40;
            name += pick < 34 ? "abcdefghijklmnopqrstuvwxyzABCDEF--"[pick] : alphabet[(seed >> 8) % alphabet.size()];
        }
        HTTPHeaders h;
        h.add(name, "v");
        if (HTTPHeaders::normalize_name(name) != reference_normalize(name) ||
            h.get_all().front().first != reference_normalize(name) || h.names_are_tokens() != is_token(name))
            FAIL("name \"" << name << "\"");
    }
    // Common names are recognised whole; each, in three casings and with each byte changed to
    // a letter of the other case, a space or NUL, must still come out as the reference says.
    for (std::string_view common : {"Host", "Date", "Etag", "Vary", "Server", "Accept", "Cookie", "Origin", "Expires",
                                    "Referer", "Upgrade", "Location", "Connection", "User-Agent", "Set-Cookie",
                                    "Content-Type", "Cache-Control", "Last-Modified", "Accept-Ranges",
                                    "Content-Range", "Authorization", "Content-Length", "Accept-Encoding",
                                    "Accept-Language", "Content-Encoding", "Transfer-Encoding", "If-Modified-Since"}) {
        std::string lower(common), upper(common);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        std::vector<std::string> names{std::string(common), lower, upper};
        for (std::size_t at = 0; at < common.size(); ++at) {
            for (char replacement : {' ', '\0', 'x', 'X'}) {
                std::string changed(common);
                changed[at] = replacement;
                names.push_back(changed);
            }
        }
        for (const std::string& name : names) {
            HTTPHeaders h;
            h.add(name, "v");
            if (h.get_all().front().first != reference_normalize(name) || h.names_are_tokens() != is_token(name))
                FAIL("name \"" << name << "\"");
        }
    }
    CHECK(is_valid_field_value("a tab\tbetween and \xff obs-text, long enough for three blocks"));
    CHECK_FALSE(is_valid_field_value("twenty-three bytes, \x7f"));
    CHECK(HTTPHeaders::normalize_name("x-VERY-long-header-NAME-\xc3\x89t\xc3\xa9") == "X-Very-Long-Header-Name-\xc3\x89t\xc3\xa9");
    CHECK(HTTPHeaders::normalize_name("ABCDEFGHIJKLMNOPQRSTUVWXYZ-@[`{") == "Abcdefghijklmnopqrstuvwxyz-@[`{");
    CHECK(HTTPHeaders::normalize_name("--a-") == "--A-");
    CHECK(HTTPHeaders::normalize_name("") == "");
}

TEST_CASE("start lines are parsed strictly", "[http][httputil]") {
    auto r = parse_request_start_line("GET /foo HTTP/1.1");
    CHECK(r.method == "GET");
    CHECK(r.path == "/foo");
    CHECK(r.version == "HTTP/1.1");
    CHECK_THROWS_AS(parse_request_start_line("GET /foo"), HTTPInputError);
    CHECK_THROWS_AS(parse_request_start_line("GET /foo HTTP/1.1 x"), HTTPInputError);
    try {
        parse_request_start_line("GET / HTTP/3.0");
        FAIL("accepted HTTP/3.0");
    } catch (const HTTPInputError& e) {
        CHECK(e.status() == 505);
    }
    auto s = parse_response_start_line("HTTP/1.1 200 OK");
    CHECK(s.code == 200);
    CHECK(s.reason == "OK");
    CHECK(parse_response_start_line("HTTP/1.0 404 Not Found").reason == "Not Found");
    CHECK(parse_response_start_line("HTTP/1.1 599").reason.empty());
    CHECK_THROWS_AS(parse_response_start_line("HTTP/1.1 OK"), HTTPInputError);
    CHECK_THROWS_AS(parse_response_start_line("HTTP/2 200"), HTTPInputError);
}

TEST_CASE("parse_status_line reads the status lines of every HTTP version", "[http][httputil]") {
    auto is = [](std::string_view line, std::string_view version, int code, std::string_view reason) {
        ResponseStartLine s = parse_status_line(line);
        return s.version == version && s.code == code && s.reason == reason;
    };
    CHECK(is("HTTP/2 200", "HTTP/2", 200, ""));
    CHECK(is("HTTP/2 200 ", "HTTP/2", 200, ""));  // libcurl's HTTP/2 line ends in a space
    CHECK(is("HTTP/3 404 Not Found", "HTTP/3", 404, "Not Found"));
    CHECK(is("HTTP/1.1 302 Found", "HTTP/1.1", 302, "Found"));
    CHECK(is("HTTP/2.0 599 ", "HTTP/2.0", 599, ""));
    for (std::string bad : {"", "HTTP/2", "HTTP/2 ", "HTTP/2 20", "HTTP/2 2000", "HTTP/2 099", "HTTP/x 200", "HTTP/22 200",
                            "HTTP/1. 200", "HTTP/1.1  200", "http/2 200", "HTTP/2 200 bad\x01reason", "ICY 200 OK"}) {
        INFO(bad);
        try {
            parse_status_line(bad);
            FAIL("accepted");
        } catch (const HTTPInputError& e) {
            CHECK(e.status() == 400);
        }
    }
}

TEST_CASE("url escaping, query strings and url_concat", "[http][httputil]") {
    CHECK(url_escape("a b/c&d=é") == "a+b%2Fc%26d%3D%C3%A9");
    CHECK(url_escape("a b/c", false) == "a%20b/c");
    CHECK(url_unescape("a+b%2Fc%26%zz%4") == "a b/c&%zz%4");
    CHECK(url_unescape("a+b", false) == "a+b");
    auto qs = parse_qs("a=1&b=&a=3&&c&d=x%20y+z");
    CHECK(qs["a"] == std::vector<std::string>{"1", "3"});
    CHECK(qs["b"] == std::vector<std::string>{""});  // blank values kept
    CHECK(qs["c"] == std::vector<std::string>{""});
    CHECK(qs["d"] == std::vector<std::string>{"x y z"});
    CHECK(url_concat("https://localhost/path", {{"y", "y"}, {"z", "z"}}) == "https://localhost/path?y=y&z=z");
    CHECK(url_concat("https://localhost/path?x", {{"y", "y"}}) == "https://localhost/path?x&y=y");
    CHECK(url_concat("https://localhost/path?x=x&", {{"y", "y"}}) == "https://localhost/path?x=x&y=y");
    CHECK(url_concat("https://localhost/path?", {{"y", "a/b"}}) == "https://localhost/path?y=a%2Fb");
    CHECK(url_concat("https://localhost/path#frag", {{"y", "y"}}) == "https://localhost/path?y=y#frag");
    CHECK(url_concat("https://localhost/path?r=1", {}) == "https://localhost/path?r=1");
}

TEST_CASE("urlencoded bodies become arguments; encoded bodies are refused", "[http][httputil]") {
    ArgumentMap args{{"q", {"from query"}}};
    FileMap files;
    parse_body_arguments("application/x-www-form-urlencoded; charset=UTF-8", "q=body&x=1", args, files);
    CHECK(args["q"] == std::vector<std::string>{"from query", "body"});
    CHECK(args["x"] == std::vector<std::string>{"1"});
    parse_body_arguments("text/plain", "q=ignored", args, files);
    CHECK(args["q"].size() == 2);
    HTTPHeaders gzipped{{"Content-Encoding", "gzip"}};
    CHECK_THROWS_WITH(parse_body_arguments("application/x-www-form-urlencoded", "", args, files, &gzipped),
                      "Unsupported Content-Encoding: gzip");
}

TEST_CASE("multipart/form-data: files, arguments, quoting and every malformation", "[http][httputil]") {
    auto parse = [](std::string_view ctype, std::string_view body) {
        ArgumentMap args;
        FileMap files;
        parse_body_arguments(ctype, body, args, files);
        return std::make_pair(args, files);
    };
    const std::string ctype = "multipart/form-data; boundary=1234";
    auto [args, files] = parse(ctype,
                               "--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\r\n\r\n"
                               "Foo\r\n"
                               "--1234\r\nContent-Disposition: form-data; name=field\r\n\r\nvalue\r\n"
                               "--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a\\\"b\\\\c.png\"\r\n"
                               "Content-Type: image/png\r\n\r\n\x89PNG\r\n\r\n"
                               "--1234--\r\nignored epilogue");
    REQUIRE(files["files"].size() == 2);
    CHECK(files["files"][0].filename == "ab.txt");
    CHECK(files["files"][0].body == "Foo");
    CHECK(files["files"][0].content_type == "application/unknown");
    CHECK(files["files"][1].filename == "a\"b\\c.png");
    CHECK(files["files"][1].body == "\x89PNG\r\n");
    CHECK(files["files"][1].content_type == "image/png");
    CHECK(args["field"] == std::vector<std::string>{"value"});
    // A quoted boundary, RFC 2231 file names.
    auto [a2, f2] = parse("multipart/form-data; boundary=\"1234\"",
                          "--1234\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''%C3%A9t%C3%A9.txt\r\n\r\nx\r\n--1234--");
    CHECK(f2["f"][0].filename == "\xC3\xA9t\xC3\xA9.txt");
    CHECK_THROWS_WITH(parse("multipart/form-data", ""), "Invalid multipart/form-data: no boundary");
    CHECK_THROWS_WITH(parse(ctype, "--1234\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n"),
                      "Invalid multipart/form-data: no final boundary");
    CHECK_THROWS_WITH(parse(ctype, "--1234\r\nContent-Disposition: form-data; name=a\r\nx\r\n--1234--"),
                      "multipart/form-data missing headers");
    CHECK_THROWS_WITH(parse(ctype, "--1234\r\nContent-Disposition: invalid; name=a\r\n\r\nx\r\n--1234--"),
                      "Invalid multipart/form-data");
    // Tornado's test_line_does_not_end_with_correct_line_break: no CRLF before the boundary.
    CHECK_THROWS_WITH(parse(ctype, "--1234\r\nContent-Disposition: form-data; name=a\r\n\r\nx--1234--"),
                      "Invalid multipart/form-data: no final boundary");
    CHECK_THROWS_WITH(parse(ctype, "--1234\r\nContent-Disposition: form-data; filename=x\r\n\r\nx\r\n--1234--"),
                      "multipart/form-data value missing name");
    auto [empty_args, empty_files] = parse(ctype, "--1234--\r\n");
    CHECK(empty_args.empty());
    CHECK(empty_files.empty());
}

TEST_CASE("HTTP dates: formatted as IMF-fixdate, read in all three formats", "[http][httputil]") {
    CHECK(format_timestamp(std::time_t{1359312200}) == "Sun, 27 Jan 2013 18:43:20 GMT");
    CHECK(format_timestamp(std::chrono::system_clock::from_time_t(0)) == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == std::time_t{784111777});
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == std::time_t{784111777});
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == std::time_t{784111777});
    CHECK(parse_http_date("Sun, 27 Jan 2013 18:43:20 GMT") == std::time_t{1359312200});
    for (const char* bad : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Foo 1994 08:49:37 GMT",
                            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT"}) {
        INFO(bad);
        CHECK_FALSE(parse_http_date(bad).has_value());
    }
}

TEST_CASE("parse_cookie is as lenient as browsers", "[http][httputil]") {
    using Map = std::map<std::string, std::string>;
    CHECK(parse_cookie("chips=ahoy; vienna=finger") == Map{{"chips", "ahoy"}, {"vienna", "finger"}});
    CHECK(parse_cookie("keebler=\"E=mc2\"; L=\"\\\"Loves\\\"\"; fudge=\"\\012\"") ==
          Map{{"keebler", "E=mc2"}, {"L", "\"Loves\""}, {"fudge", "\n"}});
    CHECK(parse_cookie("key:term=value:term") == Map{{"key:term", "value:term"}});
    CHECK(parse_cookie("a=b; c=[; d=r; f=h") == Map{{"a", "b"}, {"c", "["}, {"d", "r"}, {"f", "h"}});
    CHECK(parse_cookie("  =  b  ;  ;  =  ;   c  =  ;  ") == Map{{"", "b"}, {"c", ""}});
    CHECK(parse_cookie("a=1; a=2") == Map{{"a", "2"}});
    CHECK(parse_cookie("").empty());
}

TEST_CASE("byte ranges as Tornado reads them", "[http][httputil]") {
    auto range = [](std::string_view h) { return parse_request_range(h); };
    auto is = [](std::optional<ByteRange> r, std::optional<std::int64_t> s, std::optional<std::int64_t> e) {
        return r && r->start == s && r->end == e;
    };
    CHECK(is(range("bytes=1-2"), 1, 3));
    CHECK(is(range("bytes=6-"), 6, std::nullopt));
    CHECK(is(range("bytes=-6"), -6, std::nullopt));
    CHECK(is(range("bytes=-0"), std::nullopt, 0));
    CHECK(is(range("bytes="), std::nullopt, std::nullopt));
    CHECK_FALSE(range("foo=42").has_value());
    CHECK_FALSE(range("bytes=1-2,6-10").has_value());
    CHECK_FALSE(range("bytes=a-b").has_value());
    CHECK_FALSE(range("bytes=1").has_value());
    CHECK(content_range(1, 3, 10) == "bytes 1-2/10");
    CHECK(content_range(std::nullopt, std::nullopt, 10) == "bytes 0-9/10");
}

TEST_CASE("byte ranges: the largest numbers saturate instead of overflowing", "[http][httputil][limits]") {
    auto is = [](std::optional<ByteRange> r, std::optional<std::int64_t> s, std::optional<std::int64_t> e) {
        return r && r->start == s && r->end == e;
    };
    constexpr std::int64_t most = std::numeric_limits<std::int64_t>::max();
    // The last byte position 2^63 - 1 once overflowed "end + 1"; it now means "to the end".
    CHECK(is(parse_request_range("bytes=0-9223372036854775807"), 0, std::nullopt));
    CHECK(is(parse_request_range("bytes=0-9223372036854775806"), 0, most));
    CHECK(is(parse_request_range("bytes=0-" + std::string(30, '9')), 0, std::nullopt));
    CHECK(is(parse_request_range("bytes=" + std::string(30, '9') + "-"), most, std::nullopt));
    CHECK(is(parse_request_range("bytes=-" + std::string(30, '9')), -most, std::nullopt));
    CHECK(is(parse_request_range("bytes=" + std::string(20, '0') + "7-" + std::string(20, '0') + "9"), 7, 10));
    CHECK_FALSE(parse_request_range("bytes=+1-2").has_value());
    CHECK_FALSE(parse_request_range("bytes=1--2").has_value());
    CHECK_FALSE(parse_request_range("bytes=1-2x").has_value());
}

TEST_CASE("form limits: fields, files and part headers at the boundary and one past", "[http][httputil][limits]") {
    auto fields = [](std::size_t n) {
        std::string q;
        for (std::size_t i = 0; i < n; ++i) q += (i ? "&f" : "f") + std::to_string(i) + "=v";
        return q;
    };
    CHECK(parse_qs(fields(1000), 1000).size() == 1000);
    CHECK_THROWS_AS(parse_qs(fields(1001), 1000), HTTPInputError);
    CHECK(parse_qs(fields(1001)).size() == 1001);  // the unlimited form, for trusted input
    CHECK(parse_qs("&&&a=1&&&", 1).size() == 1);  // empty pieces are not fields

    FormLimits limits;
    limits.max_fields = 2;
    limits.max_files = 1;
    limits.max_part_header_size = 100;
    auto part = [](const std::string& disposition, const std::string& extra = {}) {
        return "--B\r\nContent-Disposition: form-data; " + disposition + "\r\n" + extra + "\r\nx\r\n";
    };
    auto parse = [&](const std::string& body) {
        ArgumentMap args;
        FileMap files;
        parse_body_arguments("multipart/form-data; boundary=B", body + "--B--\r\n", args, files, nullptr, limits);
        return args.size() + files.size();
    };
    CHECK(parse(part("name=a") + part("name=b") + part("name=f; filename=x")) == 3);
    CHECK_THROWS_AS(parse(part("name=a") + part("name=b") + part("name=c")), HTTPInputError);
    CHECK_THROWS_AS(parse(part("name=f; filename=x") + part("name=g; filename=y")), HTTPInputError);
    // The part's header block: 100 bytes are fine, 101 are not.
    auto with_header_block = [](std::size_t size) {
        std::string block = "Content-Disposition: form-data; name=a\r\nX: ";
        block += std::string(size - block.size(), 'p');
        return "--B\r\n" + block + "\r\n\r\nx\r\n";
    };
    CHECK(parse(with_header_block(100)) == 1);
    CHECK_THROWS_AS(parse(with_header_block(101)), HTTPInputError);
    ArgumentMap args;
    FileMap files;
    CHECK_THROWS_AS(parse_body_arguments("application/x-www-form-urlencoded", fields(3), args, files, nullptr, limits),
                    HTTPInputError);
}
