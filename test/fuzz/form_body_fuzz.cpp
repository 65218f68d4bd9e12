// Fuzz target: request bodies as forms, urlencoded or multipart/form-data (boundary, part
// headers, filenames), under FormLimits small enough to be reached. A malformed body or one
// past a limit must be refused with HTTPInputError, and what is returned never holds more
// fields or files than the limits allow.
#include <string>

#include "fuzz_input.h"
#include "squall/httputil.h"

namespace {

std::size_t values_in(const squall::ArgumentMap& args) {
    std::size_t n = 0;
    for (const auto& [name, list] : args) n += list.size();
    return n;
}

std::size_t files_in(const squall::FileMap& files) {
    std::size_t n = 0;
    for (const auto& [name, list] : files) n += list.size();
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    squall::FormLimits limits;
    limits.max_fields = in.byte() % 32;
    limits.max_files = in.byte() % 8;
    limits.max_part_header_size = 16 + in.byte();
    std::string_view content_type = in.line();
    std::string_view body = in.rest();
    squall::ArgumentMap arguments;
    squall::FileMap files;
    try {
        squall::parse_body_arguments(content_type, body, arguments, files, nullptr, limits);
    } catch (const squall::HTTPInputError& e) {
        SQUALL_FUZZ_CHECK(e.status() == 400);
    }
    SQUALL_FUZZ_CHECK(values_in(arguments) <= limits.max_fields);
    SQUALL_FUZZ_CHECK(files_in(files) <= limits.max_files);
    for (const auto& [name, list] : files)
        for (const auto& file : list) SQUALL_FUZZ_CHECK(file.body.size() <= body.size());
    return 0;
}
