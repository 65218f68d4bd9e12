// OptionParser's templates: each option's value lives in a typed holder that the parser owns,
// so the reference define() returns stays valid. Internal, included by squall/options.h.
#pragma once

#include <typeinfo>

namespace squall {
namespace detail {

struct OptionHolderBase {
    virtual ~OptionHolderBase() = default;
};

template <class T>
struct OptionHolder : OptionHolderBase {
    T value;
    std::function<void(const T&)> callback;
};

}  // namespace detail

struct OptionParser::Entry {
    std::string name, help, group;
    std::string default_text;  // for print_help
    std::string type_name;     // "int", "str"... (print_help's metavar)
    const std::type_info* type = nullptr;
    std::unique_ptr<detail::OptionHolderBase> holder;
    std::function<void()> notify;  // runs the callback with the current value
    void* cli_option = nullptr;    // the CLI11 option (options.cpp)
};

template <class T>
const T& OptionParser::define(const std::string& name, T default_value, const std::string& help,
                              const std::string& group, std::function<void(const T&)> callback) {
    Entry& entry = add(name, help, group);
    auto holder = std::make_unique<detail::OptionHolder<T>>();
    holder->value = std::move(default_value);
    holder->callback = std::move(callback);
    T& storage = holder->value;
    entry.type = &typeid(T);
    entry.notify = [h = holder.get()] {
        if (h->callback) h->callback(h->value);
    };
    entry.holder = std::move(holder);
    bind(entry, storage);
    return storage;
}

template <class T>
const T& OptionParser::get(std::string_view name) const {
    Entry& entry = find(name);
    if (*entry.type != typeid(T)) throw OptionError("option " + entry.name + " is a " + entry.type_name);
    return static_cast<detail::OptionHolder<T>&>(*entry.holder).value;
}

template <class T>
void OptionParser::set(std::string_view name, T value) {
    Entry& entry = find(name);
    if (*entry.type != typeid(T)) throw OptionError("option " + entry.name + " is a " + entry.type_name);
    static_cast<detail::OptionHolder<T>&>(*entry.holder).value = std::move(value);
    entry.notify();
}

}  // namespace squall
