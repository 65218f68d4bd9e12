// /form-upload: a streamed multipart/form-data upload. Nothing of a file is kept: each part is
// counted and hashed piece by piece, so a browser can send gigabytes through bounded memory.
// Part of squall-demo.
#include "form_upload.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "sha256.h"
#include "squall/multipart.h"
#include "squall/web.h"

namespace squall::demo {
namespace {

constexpr std::uint64_t kMaxUploadBytes = 16ULL << 30;
/// How much of a text field the answer repeats.
constexpr std::size_t kShownFieldBytes = 1024;

/// `bytes` as valid UTF-8, whatever the peer sent (names and file names may be Latin-1, a
/// field cut at kShownFieldBytes may end inside a character): what is not UTF-8 becomes U+FFFD.
std::string as_text(std::string_view bytes) {
    std::string quoted = nlohmann::json(std::string(bytes)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return nlohmann::json::parse(quoted).get<std::string>();
}

class FormUploadHandler : public RequestHandler, public MultipartDelegate {
public:
    bool stream_request_body() const override { return true; }

    Future<void> prepare() override {
        if (request().method != "POST") return {};
        // Memory stays at one piece whatever the size, so this route takes more than --max_body_size.
        request().connection->set_max_body_size(kMaxUploadBytes);
        FormLimits limits;
        limits.max_fields = 100;
        limits.max_files = 20;
        try {
            parser_.emplace(MultipartParser::boundary_of(request().headers.get("Content-Type")), *this, limits);
        } catch (const HTTPInputError& e) {
            throw HTTPError(400, e.what(), "Expected multipart/form-data");
        }
        return {};
    }

    Future<void> get() override { return render("form_upload.html", nlohmann::json{{"title", "Streamed form upload"}}); }

    Future<void> data_received(std::string_view chunk) override {
        if (parser_) parser_->feed(chunk);  // HTTPInputError: the connection answers 400
        return {};
    }

    Future<void> post() override {
        try {
            parser_->finish();
        } catch (const HTTPInputError& e) {
            throw HTTPError(400, e.what());
        }
        write(nlohmann::json{{"parts", parts_}});
        return {};
    }

private:
    void on_part_begin(const MultipartPart& part) override {
        nlohmann::json entry{{"name", as_text(part.name)}, {"content_type", as_text(part.content_type)}, {"size", 0}};
        if (part.is_file()) {
            entry["filename"] = as_text(*part.filename);
            sha256_.emplace();
        } else {
            entry["value"] = "";
        }
        parts_.push_back(std::move(entry));
        size_ = 0;
    }

    void on_part_data(std::string_view bytes) override {
        size_ += bytes.size();
        if (sha256_) {
            sha256_->update(bytes);
            return;
        }
        auto& value = parts_.back()["value"].get_ref<std::string&>();
        value.append(bytes.substr(0, kShownFieldBytes - std::min(kShownFieldBytes, value.size())));
    }

    void on_part_end() override {
        nlohmann::json& part = parts_.back();
        part["size"] = size_;
        if (sha256_) part["sha256"] = sha256_->hex();
        else part["value"] = as_text(part["value"].get<std::string>());
        sha256_.reset();
    }

    std::optional<MultipartParser> parser_;
    nlohmann::json parts_ = nlohmann::json::array();
    std::optional<Sha256> sha256_;
    std::uint64_t size_ = 0;
};

}  // namespace

void add_form_upload_routes(std::vector<URLSpec>& routes) { routes.push_back(url<FormUploadHandler>("/form-upload")); }

}  // namespace squall::demo
