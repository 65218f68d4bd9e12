// Fuzz target: MultipartParser, the streaming multipart/form-data parser, fed one body whole and
// in pieces the input chooses. Both runs must report the same parts and contents and end the
// same way (accepted, or refused with HTTPInputError 400), and never announce more parts than
// the limits allow nor deliver more bytes than were fed.
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "squall/multipart.h"

namespace {

class Transcript final : public squall::MultipartDelegate {
public:
    void on_part_begin(const squall::MultipartPart& part) override {
        SQUALL_FUZZ_CHECK(!open_);
        open_ = true;
        ++parts;
        text += "[" + part.name + "|" + part.filename.value_or("-") + "|" + part.content_type + "]";
    }
    void on_part_data(std::string_view bytes) override {
        SQUALL_FUZZ_CHECK(open_ && !bytes.empty());
        text.append(bytes);
        delivered += bytes.size();
    }
    void on_part_end() override {
        SQUALL_FUZZ_CHECK(open_);
        open_ = false;
        text += "[end]";
    }

    std::string text;
    std::size_t parts = 0, delivered = 0;

private:
    bool open_ = false;
};

struct Outcome {
    std::string text;
    std::string error;  // empty when the body was accepted
};

Outcome parse(std::string_view boundary, std::string_view body, const std::vector<std::size_t>& cuts,
              const squall::FormLimits& limits) {
    Transcript t;
    Outcome out;
    try {
        squall::MultipartParser parser(boundary, t, limits);
        std::size_t at = 0;
        for (std::size_t cut : cuts) {
            parser.feed(body.substr(at, cut - at));
            at = cut;
        }
        parser.feed(body.substr(at));
        parser.finish();
        SQUALL_FUZZ_CHECK(parser.done());
    } catch (const squall::HTTPInputError& e) {
        SQUALL_FUZZ_CHECK(e.status() == 400);
        out.error = e.what();
    }
    SQUALL_FUZZ_CHECK(t.parts <= limits.max_fields + limits.max_files);
    SQUALL_FUZZ_CHECK(t.delivered <= body.size());
    out.text = std::move(t.text);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    squall::FormLimits limits;
    limits.max_fields = in.byte() % 16;
    limits.max_files = in.byte() % 4;
    limits.max_part_header_size = 8 + in.byte();
    std::vector<std::uint8_t> steps(in.byte() % 8);
    for (auto& step : steps) step = in.byte();
    std::string_view boundary = in.line();
    std::string_view body = in.rest();
    std::vector<std::size_t> cuts;
    std::size_t at = 0;
    for (std::uint8_t step : steps) {
        at = std::min(body.size(), at + step);
        cuts.push_back(at);
    }
    Outcome whole = parse(boundary, body, {}, limits);
    Outcome pieces = parse(boundary, body, cuts, limits);
    SQUALL_FUZZ_CHECK(whole.error == pieces.error);
    // A refused body may have reported a different amount before the error surfaced.
    if (whole.error.empty()) SQUALL_FUZZ_CHECK(whole.text == pieces.text);
    return 0;
}
