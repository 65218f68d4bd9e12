// Request bodies as arguments and files: application/x-www-form-urlencoded and
// multipart/form-data (through MultipartParser). Internal. Models tornado/httputil.py (4.0)
// parse_body_arguments and parse_multipart_form_data, raising (as 5.x does) instead of logging.
#include "header_params.h"
#include "squall/httputil.h"
#include "squall/multipart.h"

namespace squall {
namespace {

/// Collects each part whole: fields into arguments, files into files.
class CollectingDelegate final : public MultipartDelegate {
public:
    CollectingDelegate(ArgumentMap& arguments, FileMap& files) : arguments_(arguments), files_(files) {}

    void on_part_begin(const MultipartPart& part) override { part_ = part; }
    void on_part_data(std::string_view bytes) override { contents_.append(bytes); }
    void on_part_end() override {
        if (part_.is_file()) {
            files_[part_.name].push_back({std::move(*part_.filename), std::move(contents_), std::move(part_.content_type)});
        } else {
            arguments_[part_.name].push_back(std::move(contents_));
        }
        contents_.clear();
    }

private:
    ArgumentMap& arguments_;
    FileMap& files_;
    MultipartPart part_;
    std::string contents_;
};

}  // namespace

void parse_body_arguments(std::string_view content_type, std::string_view body, ArgumentMap& arguments,
                          FileMap& files, const HTTPHeaders* headers, const FormLimits& limits) {
    if (headers) {
        if (auto encoding = headers->find("Content-Encoding"))
            throw HTTPInputError("Unsupported Content-Encoding: " + std::string(*encoding));
    }
    if (detail::istarts_with(content_type, "application/x-www-form-urlencoded")) {
        for (auto& [name, values] : parse_qs(body, limits.max_fields)) {
            auto& dest = arguments[name];
            dest.insert(dest.end(), std::make_move_iterator(values.begin()), std::make_move_iterator(values.end()));
        }
    } else if (detail::istarts_with(content_type, "multipart/form-data")) {
        parse_multipart_form_data(MultipartParser::boundary_of(content_type), body, arguments, files, limits);
    }
}

void parse_multipart_form_data(std::string_view boundary, std::string_view data, ArgumentMap& arguments,
                               FileMap& files, const FormLimits& limits) {
    CollectingDelegate collect(arguments, files);
    MultipartParser parser(boundary, collect, limits);
    parser.feed(data);
    parser.finish();
}

}  // namespace squall
