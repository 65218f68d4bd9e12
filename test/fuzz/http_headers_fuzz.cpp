// Fuzz target: HTTPHeaders. A header block from the peer is parsed (malformed lines must be
// refused with HTTPInputError, nothing else), then the input drives add/set/erase/copy/move,
// including names and values that are views into the headers themselves, against a plain
// vector model: after every step both must hold the same fields.
#include <algorithm>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_input.h"
#include "squall/http_headers.h"

namespace {

using squall::HTTPHeaders;
using Model = std::vector<HTTPHeaders::Field>;

bool same_name(std::string_view a, std::string_view b) {
    return HTTPHeaders::normalize_name(a) == HTTPHeaders::normalize_name(b);
}

void check(const HTTPHeaders& h, const Model& model) {
    SQUALL_FUZZ_CHECK(h.get_all() == model);
    SQUALL_FUZZ_CHECK(h.size() == model.size());
    std::string wire;
    h.serialize(wire);
    SQUALL_FUZZ_CHECK(wire.size() == h.serialized_size());
    for (const auto& [name, value] : model) {
        SQUALL_FUZZ_CHECK(h.contains(name));
        std::size_t n = 0;
        for (const auto& f : model) n += same_name(f.first, name);
        SQUALL_FUZZ_CHECK(h.count(name) == n);
    }
}

void model_add(Model& model, std::string_view name, std::string_view value) {
    model.emplace_back(HTTPHeaders::normalize_name(name), std::string(value));
}

std::size_t model_erase(Model& model, std::string_view name) {
    std::string key(name);  // may point into the headers the caller changes next
    return std::erase_if(model, [&](const HTTPHeaders::Field& f) { return same_name(f.first, key); });
}

void model_set(Model& model, std::string_view name, std::string_view value) {
    std::string n(name), v(value);
    model_erase(model, n);
    model_add(model, n, v);
}

/// One step chosen by the input; `model` follows what the headers must now hold.
void step(squall::fuzz::Input& in, HTTPHeaders& h, Model& model) {
    std::uint8_t op = in.byte();
    std::string_view line = in.line();
    auto colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!model.empty() && (op & 0x80)) {  // views into the headers themselves
        auto field = *std::next(h.begin(), static_cast<std::ptrdiff_t>(in.byte() % h.size()));
        name = field.first;
        value = field.second;
    }
    switch (op % 5) {
    case 0: model_add(model, name, value), h.add(name, value); break;
    case 1: model_set(model, name, value), h.set(name, value); break;
    case 2: {
        std::size_t expected = model_erase(model, name);
        SQUALL_FUZZ_CHECK(h.erase(name) == expected);
        break;
    }
    case 3: {
        HTTPHeaders copy(h);
        h = std::move(copy);
        break;
    }
    case 4: h = HTTPHeaders(std::move(h)); break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    std::string_view text = in.rest();
    auto blank = text.find("\n\n");
    std::string_view block = text.substr(0, blank);
    HTTPHeaders h;
    try {
        h = HTTPHeaders::parse(block);
    } catch (const squall::HTTPInputError&) {
        return 0;
    }
    if (blank == std::string_view::npos) return 0;
    squall::fuzz::Input ops(data + blank + 2, size - blank - 2);
    Model model = h.get_all();
    check(h, model);
    while (!ops.rest().empty()) {
        step(ops, h, model);
        check(h, model);
    }
    return 0;
}
