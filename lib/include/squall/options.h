// Command-line and config-file options defined where they are used: define() a typed option
// with a default, help text and group, then parse_command_line() or parse_config_file()
// fills every option at once; print_help() lists them by group. Built on CLI11. Public header.
// Models tornado/options.py (4.0): define, options, parse_command_line, parse_config_file,
// print_help, add_parse_callback, and tornado/log.py's define_logging_options.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace squall {

/// A bad option: unknown on the command line, a value of the wrong type, a name defined twice
/// (Tornado's options.Error).
class OptionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One set of options; options() is the process-wide one that define() fills.
class OptionParser {
public:
    OptionParser();
    ~OptionParser();
    OptionParser(const OptionParser&) = delete;
    OptionParser& operator=(const OptionParser&) = delete;

    /// Defines --name (also spelt with dashes: --log-file-prefix for log_file_prefix) of type T:
    /// bool, int, long, double, std::string or a std::vector of one of them (a "multiple"
    /// option, comma-separated: --ports=80,443). The reference stays valid for the parser's
    /// lifetime and holds the parsed value. `callback` runs with the new value whenever a parse
    /// sets the option. OptionError when the name is defined already.
    template <class T>
    const T& define(const std::string& name, T default_value, const std::string& help = {},
                    const std::string& group = {}, std::function<void(const T&)> callback = {});

    /// Parses argv (argv[0] is the program): --name=value, --name value, and a bare --name for
    /// a bool. --help prints print_help() and exits 0. Returns the arguments that are not
    /// options. OptionError for an unknown option or a bad value. With `final`, the parse
    /// callbacks run afterwards (the logging options take effect).
    std::vector<std::string> parse_command_line(int argc, const char* const* argv, bool final = true);
    /// Reads `name = value` lines (# comments; strings may be quoted; a multiple option takes
    /// a comma-separated list). Names that are not defined options are ignored, as Tornado's
    /// config files may hold other settings. OptionError for a file that cannot be read or a
    /// bad value.
    void parse_config_file(const std::string& path, bool final = true);

    /// The options, grouped (the group given to define(), "Options" for none), with their help
    /// and default: Tornado's `--help` output.
    void print_help(std::FILE* out = stdout) const;
    /// Runs after every final parse, in the order added.
    void add_parse_callback(std::function<void()> callback);

    bool defined(std::string_view name) const;
    /// The value of an option defined with type T; OptionError for another name or type.
    template <class T>
    const T& get(std::string_view name) const;
    /// Sets an option as a parse would (its callback runs).
    template <class T>
    void set(std::string_view name, T value);

private:
    struct Entry;
    Entry& add(const std::string& name, const std::string& help, const std::string& group);
    Entry& find(std::string_view name) const;
    /// Registers the parsed value's storage and conversion with CLI11 (options.cpp, per type).
    template <class T>
    void bind(Entry& entry, T& storage);
    void after_parse(bool final);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The options of the process (Tornado's tornado.options.options), with the logging options
/// defined.
OptionParser& options();

/// Tornado's logging options, applied after each final parse: --logging (debug, info,
/// warning, error or none), --log_file_prefix (log to this file instead of stderr),
/// --log_to_stderr (as well), --log_rotate_mode (size or time), --log_file_max_size
/// (100,000,000 bytes) and --log_file_num_backups (10) for size, --log_rotate_when (S, M, H, D
/// or midnight) and --log_rotate_interval (1) for time.
void define_logging_options(OptionParser& parser);

/// options().define(...), Tornado's module-level define.
template <class T>
const T& define(const std::string& name, T default_value, const std::string& help = {},
                const std::string& group = {}, std::function<void(const T&)> callback = {}) {
    return options().define(name, std::move(default_value), help, group, std::move(callback));
}
inline const std::string& define(const std::string& name, const char* default_value, const std::string& help = {},
                                 const std::string& group = {},
                                 std::function<void(const std::string&)> callback = {}) {
    return options().define(name, std::string(default_value), help, group, std::move(callback));
}
inline std::vector<std::string> parse_command_line(int argc, const char* const* argv, bool final = true) {
    return options().parse_command_line(argc, argv, final);
}
inline void parse_config_file(const std::string& path, bool final = true) {
    options().parse_config_file(path, final);
}
inline void print_help(std::FILE* out = stdout) { options().print_help(out); }

}  // namespace squall

#include "squall/detail/options_impl.h"
