// A streaming upload server, a port of Tornado's demos/file_upload (file_receiver.py): PUT a
// file to /upload/<name> and get back its size and SHA-256. The body is hashed piece by piece
// as it arrives, so an upload of any size costs the same little memory. uploader.cpp is the client.
#include <cstdio>
#include <memory>

#include <openssl/evp.h>

#include <squall/options.h>
#include <squall/web.h>

const int& port = squall::define("port", 8888, "port to listen on (0: any free port)");
const long& max_size = squall::define("max_size", 10L << 30, "largest upload, bytes");

// One instance per request. With stream_request_body() the body is never buffered:
// prepare() runs once the headers are in, data_received() for each piece, put() at the end.
class UploadHandler : public squall::RequestHandler {
public:
    void initialize(std::uint64_t max_size) { max_size_ = max_size; }

    bool stream_request_body() const override { return true; }

    squall::Future<void> prepare() override {
        // The server refuses bodies over 100 MiB (its max_buffer_size), streamed ones too;
        // this route keeps none of the body in memory, so it takes more.
        request().connection->set_max_body_size(max_size_);
        EVP_DigestInit_ex(sha256_.get(), EVP_sha256(), nullptr);
        return {};
    }

    squall::Future<void> data_received(std::string_view chunk) override {
        EVP_DigestUpdate(sha256_.get(), chunk.data(), chunk.size());
        size_ += chunk.size();
        // Returning a Future that is not yet done would make the connection stop reading
        // until it is (flow control), e.g. while a chunk is written to a slow disk.
        return {};
    }

    squall::Future<void> put() override {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(sha256_.get(), digest, &length);
        std::string hex;
        for (unsigned int i = 0; i < length; ++i) {
            hex += "0123456789abcdef"[digest[i] >> 4];
            hex += "0123456789abcdef"[digest[i] & 15];
        }
        write(nlohmann::json{{"name", path_args()[0].value_or("")}, {"size", size_}, {"sha256", hex}});
        return {};
    }

private:
    std::uint64_t max_size_ = 0;
    std::uint64_t size_ = 0;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha256_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

int main(int argc, char** argv) try {
    squall::parse_command_line(argc, argv);  // --max-size or --max_size: both spellings work
    squall::Application app({squall::url<UploadHandler>("/upload/([^/]+)", static_cast<std::uint64_t>(max_size))});
    squall::HTTPServer& server = app.listen(static_cast<std::uint16_t>(port), "127.0.0.1");
    std::printf("listening on http://127.0.0.1:%d/\n", server.ports().front());
    std::fflush(stdout);
    squall::IOLoop::current().start();
} catch (const std::exception& e) {  // a bad option, a port in use...
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
}
