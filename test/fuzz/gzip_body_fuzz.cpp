// Fuzz target: request bodies sent with Content-Encoding: gzip, through the delegate the HTTP
// server puts in front of the application. Either the input itself is the gzip stream
// (corrupt, truncated, trailing bytes: refused with HTTPInputError), or the input is
// compressed here, optionally cut or extended, and must come out exactly as it went in. The
// output never passes max_body_size nor arrives in pieces larger than chunk_size.
#include <string>

#include "../../http/src/gzip_delegate.h"
#include "../support/bytes_util.h"
#include "fuzz_input.h"

namespace {

class Collect : public squall::HTTPMessageDelegate {
public:
    explicit Collect(std::size_t chunk_size) : chunk_size_(chunk_size) {}
    squall::Future<void> headers_received(const squall::StartLine&, squall::HTTPHeaders& headers) override {
        SQUALL_FUZZ_CHECK(!headers.contains("Content-Encoding"));
        return {};
    }
    squall::Future<void> data_received(std::string_view chunk) override {
        SQUALL_FUZZ_CHECK(!chunk.empty() && chunk.size() <= chunk_size_);
        body.append(chunk);
        return {};
    }
    void finish() override { finished = true; }
    void on_connection_close() override {}

    std::string body;
    bool finished = false;

private:
    std::size_t chunk_size_;
};

/// Feeds `stream` in pieces of `piece` bytes; whether the whole body was accepted.
bool feed(squall::HTTPMessageDelegate& gunzip, std::string_view stream, std::size_t piece) {
    squall::HTTPHeaders headers{{"Content-Encoding", "gzip"}, {"Content-Length", std::to_string(stream.size())}};
    try {
        (void)gunzip.headers_received(squall::RequestStartLine{"POST", "/", "HTTP/1.1"}, headers);
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            auto f = gunzip.data_received(stream.substr(at, piece));
            SQUALL_FUZZ_CHECK(f.done());  // the collector never makes it wait
            f.result();
        }
        gunzip.finish();
        return true;
    } catch (const squall::HTTPInputError& e) {
        SQUALL_FUZZ_CHECK(e.status() == 400 || e.status() == 413);
        return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    const std::uint8_t mode = in.byte();
    const std::size_t chunk_size = 1 + in.byte() % 64;
    const std::size_t piece = 1 + in.byte() % 32;
    const std::uint64_t max_body = (mode & 4) ? in.byte() : 1 << 20;
    std::string_view payload = in.rest();

    std::string stream(payload);
    if (mode & 1) {
        stream = squall::testing::gzip(payload);
        if (mode & 2) stream.resize(stream.size() * (mode >> 4) / 16);  // cut short
        if (mode & 8) stream.push_back('x');                            // a byte past the end
    }
    Collect collect(chunk_size);
    auto gunzip = squall::detail::make_gzip_delegate(collect, chunk_size, max_body);
    const bool accepted = feed(*gunzip, stream, piece);
    SQUALL_FUZZ_CHECK(collect.body.size() <= max_body);
    SQUALL_FUZZ_CHECK(accepted == collect.finished);
    if (!(mode & 1)) return 0;
    const bool intact = !(mode & 2) && !(mode & 8);
    if (intact && payload.size() <= max_body) SQUALL_FUZZ_CHECK(accepted && collect.body == payload);
    if (!intact) SQUALL_FUZZ_CHECK(!accepted);
    return 0;
}
