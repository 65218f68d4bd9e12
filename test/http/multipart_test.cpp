// Tests of MultipartParser, the streaming multipart/form-data parser: the same parts whether the
// body comes whole, byte by byte or split at every offset; contents delivered as they arrive;
// RFC 2046's framing (preamble, transport padding, epilogue) and every malformation and limit.
#include <cstdint>
#include <string>
#include <vector>

#include "catch.h"
#include "squall/multipart.h"

using namespace squall;

namespace {

/// Writes what the parser reports as text; contents are joined however they were split.
class Transcript final : public MultipartDelegate {
public:
    void on_part_begin(const MultipartPart& part) override {
        text += "[" + part.name + (part.filename ? "|" + *part.filename : "") + "|" + part.content_type + "]";
        ++begun;
    }
    void on_part_data(std::string_view bytes) override {
        text.append(bytes);
        delivered += bytes.size();
        largest_piece = std::max(largest_piece, bytes.size());
    }
    void on_part_end() override { text += "[end]"; }

    std::string text;
    std::size_t begun = 0, delivered = 0, largest_piece = 0;
};

std::string parse_in_pieces(std::string_view body, const std::vector<std::size_t>& cuts, std::string_view boundary = "B",
                            const FormLimits& limits = {}) {
    Transcript t;
    MultipartParser parser(boundary, t, limits);
    std::size_t at = 0;
    for (std::size_t cut : cuts) {
        parser.feed(body.substr(at, cut - at));
        at = cut;
    }
    parser.feed(body.substr(at));
    parser.finish();
    return t.text;
}

std::string parse_whole(std::string_view body, std::string_view boundary = "B", const FormLimits& limits = {}) {
    return parse_in_pieces(body, {}, boundary, limits);
}

/// The body parsed whole, byte by byte, and in two pieces split at every offset gives one transcript.
void check_every_split(std::string_view body, std::string_view expected) {
    CHECK(parse_whole(body) == expected);
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i < body.size(); ++i) bytes.push_back(i);
    CHECK(parse_in_pieces(body, bytes) == expected);
    for (std::size_t i = 0; i <= body.size(); ++i) {
        INFO("split at " << i);
        CHECK(parse_in_pieces(body, {i}) == expected);
    }
}

std::string field(std::string_view name, std::string_view value) {
    return "--B\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n" + std::string(value) + "\r\n";
}

}  // namespace

TEST_CASE("multipart stream: fields and files, whole, byte by byte and split at every offset", "[http][multipart]") {
    // Contents that begin delimiters ("\r\n--B") without finishing one, up to a CR right before the real one.
    const std::string contents = "\x89PNG\r\n\r\n--\r\n-\r\n--A\r--B\n--B\r";
    const std::string body = field("a", "1") +
                             "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.png\"\r\n"
                             "Content-Type: image/png\r\n\r\n" + contents + "\r\n" +
                             field("empty", "") + "--B--\r\n";
    check_every_split(body, "[a|text/plain]1[end][f|x.png|image/png]" + contents + "[end][empty|text/plain][end]");
}

TEST_CASE("multipart stream: preamble, transport padding and epilogue are not parts", "[http][multipart]") {
    // RFC 2046 5.1.1: what precedes the first boundary line and follows the last is ignored
    // (Tornado 4.0 read a preamble as a part); a boundary line may end in spaces and tabs.
    check_every_split("preamble\r\nContent-Disposition: form-data; name=p\r\n\r\nnot a part\r\n"
                      "--B \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
                      "--B--\r\nepilogue\r\n--B\r\nContent-Disposition: form-data; name=z\r\n\r\nz\r\n--B--",
                      "[a|text/plain]1[end]");
    check_every_split("--B--", "");
    check_every_split("\r\n--B--\r\n", "");
    CHECK_THROWS_WITH(parse_whole(""), "Invalid multipart/form-data: no final boundary");
}

TEST_CASE("multipart stream: contents arrive as they are fed, never held back past a boundary's length",
          "[http][multipart]") {
    Transcript t;
    const std::string boundary(70, 'q');  // the longest boundary RFC 2046 allows
    MultipartParser parser(boundary, t);
    parser.feed("--" + boundary + "\r\nContent-Disposition: form-data; name=\"up\"; filename=\"big.bin\"\r\n\r\n");
    REQUIRE(t.begun == 1);
    // 64 MiB in 64 KiB pieces whose bytes cycle through every value, carriage returns included.
    std::string piece(64 * 1024, '\0');
    for (std::size_t i = 0; i < piece.size(); ++i) piece[i] = static_cast<char>(i % 251);
    std::uint64_t fed = 0;
    for (int i = 0; i < 1024; ++i) {
        parser.feed(piece);
        fed += piece.size();
        REQUIRE(t.delivered + boundary.size() + 4 >= fed);
    }
    parser.feed("\r\n--" + boundary + "--\r\n");
    parser.finish();
    CHECK(parser.done());
    CHECK(t.delivered == fed);
    CHECK(t.largest_piece <= piece.size());
    CHECK(t.text.size() > fed);  // held by the test's transcript, not by the parser
}

TEST_CASE("multipart stream: names, file names, quoting and RFC 2231", "[http][multipart]") {
    // Tornado's test_special_filenames: each survives quoting with \\ and \" escapes.
    for (std::string name : {"a;b.txt", "a\"b.txt", "a\";b.txt", "a;\"b.txt", "a\";\";.txt", "a\\\"b.txt", "a\\b.txt"}) {
        std::string quoted;
        for (char c : name) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        INFO(name);
        CHECK(parse_whole("--B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + quoted +
                          "\"\r\n\r\nFoo\r\n--B--\r\n") == "[files|" + name + "|application/unknown]Foo[end]");
    }
    CHECK(parse_whole("--B\r\nContent-Disposition: form-data; name=files; filename=ab.txt\r\n\r\nFoo\r\n--B--") ==
          "[files|ab.txt|application/unknown]Foo[end]");
    CHECK(parse_whole("--B\r\nContent-Disposition: form-data; name*=UTF-8''%C3%A9; filename=\"\"\r\n\r\n\r\n--B--") ==
          "[\xC3\xA9||application/unknown][end]");
    // RFC 2231 with a language, and RFC 6266's rule that filename* wins over filename.
    CHECK(parse_whole("--B\r\nContent-Disposition: form-data; name=f; filename*=UTF-8'en'%E2%82%AC.txt; "
                      "filename=\"EUR.txt\"\r\n\r\nx\r\n--B--") == "[f|\xE2\x82\xAC.txt|application/unknown]x[end]");
    CHECK(parse_whole("--B\r\nContent-Disposition: form-data; name=f; filename=\"EUR.txt\"; "
                      "filename*=UTF-8''%E2%82%AC.txt\r\n\r\nx\r\n--B--") == "[f|\xE2\x82\xAC.txt|application/unknown]x[end]");
    CHECK(parse_in_pieces("--1234\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--1234--", {3}, "\"1234\"") ==
          "[a|text/plain]x[end]");
}

TEST_CASE("multipart stream: every malformation is a 400", "[http][multipart]") {
    auto refused = [](std::string_view body) {
        try {
            parse_whole(body);
        } catch (const HTTPInputError& e) {
            CHECK(e.status() == 400);
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    const std::string disposition = "Content-Disposition: form-data; name=a\r\n";
    CHECK(refused("--B\r\n" + disposition + "\r\nx\r\n") == "Invalid multipart/form-data: no final boundary");
    CHECK(refused("--B\r\n" + disposition + "\r\nx--B--") == "Invalid multipart/form-data: no final boundary");
    CHECK(refused("--B\r\n" + disposition + "x\r\n--B--") == "multipart/form-data missing headers");
    CHECK(refused("--B\r\nContent-Disposition: invalid; name=a\r\n\r\nx\r\n--B--") == "Invalid multipart/form-data");
    CHECK(refused("--B\r\nContent-Disposition: form-data; filename=x\r\n\r\nx\r\n--B--") ==
          "multipart/form-data value missing name");
    CHECK(refused("--B\r\n\r\nx\r\n--B--") == "Invalid multipart/form-data");  // no header lines at all
    CHECK(refused("--B\r\nno colon here\r\n\r\nx\r\n--B--") != "accepted");
    for (std::string line_end : {"x\r\n", "-x", " x\r\n", "\rx", "\n", "\t-\r\n"}) {
        INFO(line_end);
        CHECK(refused("--B" + line_end + disposition + "\r\nx\r\n--B--") ==
              "Invalid multipart/form-data: a boundary line ends in something other than CRLF");
    }
    CHECK(refused(field("a", "1") + "--Bx\r\n--B--") ==
          "Invalid multipart/form-data: a boundary line ends in something other than CRLF");
}

TEST_CASE("multipart stream: boundaries and content types", "[http][multipart]") {
    Transcript t;
    CHECK_NOTHROW(MultipartParser(std::string(70, 'b'), t));
    CHECK_THROWS_WITH(MultipartParser(std::string(71, 'b'), t), "Invalid multipart/form-data: bad boundary");
    CHECK_THROWS_WITH(MultipartParser("", t), "Invalid multipart/form-data: bad boundary");
    CHECK_THROWS_WITH(MultipartParser("\"\"", t), "Invalid multipart/form-data: bad boundary");
    CHECK(MultipartParser::boundary_of("multipart/form-data; boundary=abc") == "abc");
    CHECK(MultipartParser::boundary_of("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"") == "a b;c");
    CHECK_THROWS_WITH(MultipartParser::boundary_of("multipart/form-data"), "Invalid multipart/form-data: no boundary");
    CHECK_THROWS_WITH(MultipartParser::boundary_of("multipart/form-data; boundary="),
                      "Invalid multipart/form-data: no boundary");
    CHECK_THROWS_WITH(MultipartParser::boundary_of("multipart/mixed; boundary=a"),
                      "Invalid multipart/form-data: not multipart/form-data");
}

TEST_CASE("multipart stream: part and header limits at the boundary and one past", "[http][multipart][limits]") {
    FormLimits limits;
    limits.max_fields = 2;
    limits.max_files = 1;
    limits.max_part_header_size = 100;
    const std::string file = "--B\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\nx\r\n";
    CHECK(parse_whole(field("a", "1") + field("b", "2") + file + "--B--", "B", limits).size() > 0);
    CHECK_THROWS_WITH(parse_whole(field("a", "1") + field("b", "2") + field("c", "3") + "--B--", "B", limits),
                      "too many form fields (the limit is 2)");
    CHECK_THROWS_WITH(parse_whole(file + file + "--B--", "B", limits),
                      "too many files in multipart/form-data (the limit is 1)");
    auto with_header_block = [](std::size_t size) {
        std::string block = "Content-Disposition: form-data; name=a\r\nX: ";
        block += std::string(size - block.size(), 'p');
        return "--B\r\n" + block + "\r\n\r\nx\r\n--B--";
    };
    for (std::size_t split : {std::size_t{0}, std::size_t{7}, std::size_t{104}, std::size_t{105}, std::size_t{106}}) {
        INFO("split at " << split);
        CHECK(parse_in_pieces(with_header_block(100), {split}, "B", limits) == "[a|text/plain]x[end]");
        CHECK_THROWS_WITH(parse_in_pieces(with_header_block(101), {split}, "B", limits),
                          "multipart/form-data part headers too large");
    }
    // The largest limits are budgets too: nothing overflows.
    limits.max_part_header_size = SIZE_MAX;
    limits.max_fields = SIZE_MAX;
    CHECK(parse_whole(with_header_block(5000), "B", limits) == "[a|text/plain]x[end]");
}

TEST_CASE("multipart stream: a failed parser refuses more input; a delegate's exception propagates",
          "[http][multipart]") {
    Transcript t;
    MultipartParser parser("B", t);
    CHECK_THROWS_AS(parser.feed("--B?"), HTTPInputError);
    CHECK_THROWS_AS(parser.feed("--B--"), std::logic_error);
    CHECK_THROWS_AS(parser.finish(), std::logic_error);

    struct Refused {};
    struct Refusing final : MultipartDelegate {
        void on_part_begin(const MultipartPart& part) override {
            if (part.is_file()) throw Refused();
        }
        void on_part_data(std::string_view) override {}
        void on_part_end() override {}
    } refusing;
    MultipartParser second("B", refusing);
    CHECK_NOTHROW(second.feed(field("a", "1")));
    CHECK_THROWS_AS(second.feed("--B\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\n"), Refused);
    CHECK_THROWS_AS(second.feed("x"), std::logic_error);
}
