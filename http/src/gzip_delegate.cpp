// The gunzipping message delegate. Internal. Models tornado/http1connection.py (4.0)
// _GzipMessageDelegate and tornado/util.py GzipDecompressor.
#include "gzip_delegate.h"

#include <zlib.h>

#include <string>

#include "squall/detail/ascii.h"

namespace squall::detail {
namespace {

class GzipDelegate : public HTTPMessageDelegate {
public:
    GzipDelegate(HTTPMessageDelegate& inner, std::size_t chunk_size, std::uint64_t max_body_size)
        : inner_(inner), chunk_size_(chunk_size ? chunk_size : 65536), max_body_size_(max_body_size) {}
    ~GzipDelegate() override {
        if (active_) inflateEnd(&z_);
    }

    Future<void> headers_received(const StartLine& start_line, HTTPHeaders& headers) override {
        auto encoding = headers.find("Content-Encoding");
        if (encoding && iequals(trim_ows(*encoding), "gzip")) {
            // 16 + MAX_WBITS: a gzip wrapper, not raw deflate or zlib.
            if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();
            active_ = true;
            // Tornado's renaming: the application sees what was undone.
            headers.add("X-Consumed-Content-Encoding", *encoding);
            headers.erase("Content-Encoding");
            headers.erase("Content-Length");  // it described the compressed body
        }
        return inner_.headers_received(start_line, headers);
    }

    Future<void> data_received(std::string_view chunk) override {
        if (!active_) return inner_.data_received(chunk);
        if (ended_) {
            if (!chunk.empty()) throw HTTPInputError("data after the end of the gzip stream");
            return {};
        }
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
        z_.avail_in = static_cast<uInt>(chunk.size());
        pending_.clear();
        // Inflate into pieces of at most chunk_size; all of them are passed on below.
        while (!ended_) {
            std::string out(chunk_size_, '\0');
            z_.next_out = reinterpret_cast<Bytef*>(out.data());
            z_.avail_out = static_cast<uInt>(out.size());
            int rc = inflate(&z_, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) ended_ = true;
            else if (rc != Z_OK && rc != Z_BUF_ERROR) throw HTTPInputError("invalid gzip body");
            const bool full = z_.avail_out == 0;
            out.resize(out.size() - z_.avail_out);
            total_ += out.size();
            if (total_ > max_body_size_) throw HTTPInputError("decompressed body too large", 413);
            if (!out.empty()) pending_.push_back(std::move(out));
            // Done with this input once it is used up and zlib has nothing more to give.
            if (rc == Z_BUF_ERROR || (!full && z_.avail_in == 0)) break;
        }
        // A second gzip member or junk after the stream: the body is not what it claims.
        if (ended_ && z_.avail_in != 0) throw HTTPInputError("data after the end of the gzip stream");
        return deliver(0);
    }

    void finish() override {
        if (active_ && !ended_) throw HTTPInputError("truncated gzip body");
        inner_.finish();
    }
    void on_connection_close() override { inner_.on_connection_close(); }

private:
    /// Hands the pieces on in order, waiting on each Future the inner delegate returns.
    Future<void> deliver(std::size_t from) {
        for (std::size_t i = from; i < pending_.size(); ++i) {
            Future<void> f = inner_.data_received(pending_[i]);
            if (f.valid() && !f.done()) return continue_after(std::move(f), i + 1);
            if (f.valid()) f.result();  // rethrow a failure
        }
        return {};
    }
    Future<void> continue_after(Future<void> f, std::size_t next) {
        co_await std::move(f);
        auto rest = deliver(next);
        if (rest.valid()) co_await std::move(rest);
    }

    HTTPMessageDelegate& inner_;
    std::size_t chunk_size_;
    std::uint64_t max_body_size_;
    z_stream z_{};
    bool active_ = false, ended_ = false;
    std::uint64_t total_ = 0;
    std::vector<std::string> pending_;
};

}  // namespace

std::unique_ptr<HTTPMessageDelegate> make_gzip_delegate(HTTPMessageDelegate& inner, std::size_t chunk_size,
                                                        std::uint64_t max_body_size) {
    return std::make_unique<GzipDelegate>(inner, chunk_size, max_body_size);
}

}  // namespace squall::detail
