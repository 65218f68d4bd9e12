// The example of docs/web.md's "Streaming multipart uploads": a handler that parses a
// multipart/form-data body as it arrives and writes each file to disk, so memory stays at one
// piece whatever the upload's size; an AsyncHTTPClient sends it a form. Built and run by the tests.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

#include <unistd.h>

#include <squall/httpclient.h>
#include <squall/multipart.h>
#include <squall/web.h>

using namespace squall;
namespace fs = std::filesystem;

// Files go to <dir>/upload-<n>: a name sent by the peer never chooses a path.
class FormUploadHandler : public RequestHandler, public MultipartDelegate {
public:
    void initialize(fs::path dir) { dir_ = std::move(dir); }
    bool stream_request_body() const override { return true; }

    Future<void> prepare() override {
        request().connection->set_max_body_size(8ULL << 30);  // this route takes up to 8 GiB
        try {
            parser_.emplace(MultipartParser::boundary_of(request().headers.get("Content-Type")), *this);
        } catch (const HTTPInputError& e) {
            throw HTTPError(400, e.what());
        }
        return {};
    }
    Future<void> data_received(std::string_view chunk) override {
        parser_->feed(chunk);  // a malformed body throws HTTPInputError: the client gets 400
        return {};
    }
    Future<void> post() override {
        try {
            parser_->finish();  // throws when the closing boundary never came
        } catch (const HTTPInputError& e) {
            throw HTTPError(400, e.what());
        }
        write(nlohmann::json{{"saved", saved_}, {"fields", fields_}});
        return {};
    }

private:
    void on_part_begin(const MultipartPart& part) override {
        if (part.is_file()) {
            fs::path path = dir_ / ("upload-" + std::to_string(saved_.size()));
            file_.open(path, std::ios::binary | std::ios::trunc);
            if (!file_.is_open()) throw std::runtime_error("cannot create " + path.string());  // a 500
            saved_.push_back({{"field", part.name}, {"filename", *part.filename}, {"path", path.string()}});
        } else {
            field_ = &(fields_[part.name] = "").get_ref<std::string&>();
        }
    }
    void on_part_data(std::string_view bytes) override {
        if (file_.is_open()) {
            file_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        } else if (field_->size() + bytes.size() <= 4096) {
            field_->append(bytes);  // fields are small: keep them
        } else {
            throw HTTPInputError("form field too long");
        }
    }
    void on_part_end() override {
        if (!file_.is_open()) return;
        file_.close();
        if (!file_) throw std::runtime_error("cannot write an upload");
    }

    fs::path dir_;
    std::optional<MultipartParser> parser_;
    std::ofstream file_;
    nlohmann::json saved_ = nlohmann::json::array(), fields_ = nlohmann::json::object();
    std::string* field_ = nullptr;  // the value being read, inside fields_
};

int main() {
    fs::path dir = fs::temp_directory_path() / ("multipart-example-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    IOLoop loop;
    loop.make_current();
    Application app({url<FormUploadHandler>("/form", dir)});
    auto& server = app.listen(0, "127.0.0.1");

    std::string photo(3'000'000, '\0');
    for (std::size_t i = 0; i < photo.size(); ++i) photo[i] = static_cast<char>(i * 31);
    HTTPRequest request("http://127.0.0.1:" + std::to_string(server.ports().front()) + "/form");
    request.method = "POST";
    request.headers.set("Content-Type", "multipart/form-data; boundary=xYzZY");
    request.body = "--xYzZY\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n"
                   "--xYzZY\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"beach.jpg\"\r\n"
                   "Content-Type: image/jpeg\r\n\r\n" + photo + "\r\n--xYzZY--\r\n";
    AsyncHTTPClient client({}, loop);
    HTTPResponse response = loop.run_sync([&] { return client.fetch(request); }, std::chrono::seconds(10));
    auto answer = nlohmann::json::parse(response.body);
    std::ifstream saved(answer["saved"][0]["path"].get<std::string>(), std::ios::binary);
    std::string on_disk((std::istreambuf_iterator<char>(saved)), std::istreambuf_iterator<char>());
    std::printf("title=%s, %s saved with %zu bytes\n", answer["fields"]["title"].get<std::string>().c_str(),
                answer["saved"][0]["filename"].get<std::string>().c_str(), on_disk.size());
    fs::remove_all(dir);
    return on_disk == photo && answer["fields"]["title"] == "holiday" ? 0 : 1;
}
