// OptionParser over CLI11: each define() adds a CLI11 option bound to the holder's value; a
// parse lets CLI11 convert and check, then runs the callbacks of the options it set. Internal.
#include "squall/options.h"

#include "squall/log.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace squall {

struct OptionParser::Impl {
    CLI::App app{"", ""};
    std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries;
    std::vector<std::string> order;  // definition order, for print_help
    std::vector<std::function<void()>> parse_callbacks;
    std::string program = "program";
    bool help = false;
};

namespace {

/// "log_file_prefix" -> "--log_file_prefix,--log-file-prefix": Tornado takes either spelling.
std::string cli_names(const std::string& name) {
    std::string dashed = name;
    for (char& c : dashed)
        if (c == '_') c = '-';
    return dashed == name ? "--" + name : "--" + name + ",--" + dashed;
}

template <class T>
std::string type_name() {
    if constexpr (std::is_same_v<T, bool>) return "bool";
    else if constexpr (std::is_same_v<T, std::string>) return "str";
    else if constexpr (std::is_floating_point_v<T>) return "float";
    else return "int";
}

template <class T>
std::string show(const T& value) {
    if constexpr (std::is_same_v<T, bool>) return value ? "True" : "False";
    else if constexpr (std::is_same_v<T, std::string>) return value;
    else {
        std::ostringstream out;
        out << value;
        return out.str();
    }
}

template <class T>
std::string show(const std::vector<T>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ",") + show(v);
    return out;
}

template <class T>
struct Naming {
    static std::string type() { return type_name<T>(); }
};
template <class T>
struct Naming<std::vector<T>> {
    static std::string type() { return type_name<T>() + ",..."; }
};

}  // namespace

OptionParser::OptionParser() : impl_(std::make_unique<Impl>()) {
    impl_->app.set_help_flag();  // print_help() is ours, in Tornado's layout
    impl_->app.allow_extras();   // positional arguments come back; unknown options are refused below
    impl_->app.add_flag("--help", impl_->help, "show this help information");
}

OptionParser::~OptionParser() = default;

OptionParser::Entry& OptionParser::add(const std::string& name, const std::string& help, const std::string& group) {
    if (name.empty() || name.find_first_of(" =,") != std::string::npos)
        throw OptionError("bad option name '" + name + "'");
    if (impl_->entries.count(name) || name == "help") throw OptionError("Option '" + name + "' already defined");
    auto entry = std::make_unique<Entry>();
    entry->name = name;
    entry->help = help;
    entry->group = group;
    Entry& e = *entry;
    impl_->entries.emplace(name, std::move(entry));
    impl_->order.push_back(name);
    return e;
}

OptionParser::Entry& OptionParser::find(std::string_view name) const {
    auto it = impl_->entries.find(name);
    if (it == impl_->entries.end()) throw OptionError("Unrecognized option '" + std::string(name) + "'");
    return *it->second;
}

bool OptionParser::defined(std::string_view name) const { return impl_->entries.count(name) > 0; }

template <class T>
void OptionParser::bind(Entry& entry, T& storage) {
    entry.type_name = Naming<T>::type();
    entry.default_text = show(storage);
    CLI::Option* option;
    if constexpr (std::is_same_v<T, bool>) {
        option = impl_->app.add_flag(cli_names(entry.name), storage, entry.help);
    } else {
        option = impl_->app.add_option(cli_names(entry.name), storage, entry.help);
        if constexpr (requires { storage.push_back(storage.front()); })
            option->delimiter(',')->allow_extra_args(false);  // one argument: --ports=80,443
        else
            option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
    entry.cli_option = option;
}

template void OptionParser::bind<bool>(Entry&, bool&);
template void OptionParser::bind<int>(Entry&, int&);
template void OptionParser::bind<long>(Entry&, long&);
template void OptionParser::bind<double>(Entry&, double&);
template void OptionParser::bind<std::string>(Entry&, std::string&);
template void OptionParser::bind<std::vector<int>>(Entry&, std::vector<int>&);
template void OptionParser::bind<std::vector<long>>(Entry&, std::vector<long>&);
template void OptionParser::bind<std::vector<double>>(Entry&, std::vector<double>&);
template void OptionParser::bind<std::vector<std::string>>(Entry&, std::vector<std::string>&);

std::vector<std::string> OptionParser::parse_command_line(int argc, const char* const* argv, bool final) {
    if (argc > 0) {
        std::string program = argv[0];
        impl_->program = program.substr(program.rfind('/') + 1);
    }
    std::vector<std::string> args;
    for (int i = argc - 1; i >= 1; --i) args.emplace_back(argv[i]);  // CLI11 takes them reversed
    try {
        impl_->app.parse(args);
    } catch (const CLI::ParseError& e) {
        throw OptionError(e.what());
    }
    if (impl_->help) {
        print_help(stdout);
        std::exit(0);
    }
    std::vector<std::string> rest;
    for (const std::string& arg : impl_->app.remaining()) {
        if (arg.size() > 1 && arg[0] == '-') throw OptionError("Unrecognized command line option: '" + arg + "'");
        rest.push_back(arg);
    }
    after_parse(final);
    return rest;
}

void OptionParser::parse_config_file(const std::string& path, bool final) {
    std::ifstream in(path);
    if (!in) throw OptionError("cannot read config file " + path + ": " + std::strerror(errno));
    try {
        impl_->app.parse_from_stream(in);
    } catch (const CLI::ParseError& e) {
        throw OptionError(path + ": " + e.what());
    }
    after_parse(final);
}

void OptionParser::after_parse(bool final) {
    for (const std::string& name : impl_->order) {
        Entry& e = *impl_->entries.at(name);
        if (static_cast<CLI::Option*>(e.cli_option)->count() > 0) e.notify();
    }
    if (final)
        for (auto& callback : impl_->parse_callbacks) callback();
}

void OptionParser::add_parse_callback(std::function<void()> callback) {
    impl_->parse_callbacks.push_back(std::move(callback));
}

void OptionParser::print_help(std::FILE* out) const {
    std::fprintf(out, "Usage: %s [OPTIONS]\n\nOptions:\n\n", impl_->program.c_str());
    std::map<std::string, std::vector<const Entry*>> groups;
    for (const std::string& name : impl_->order) {
        const Entry& e = *impl_->entries.at(name);
        groups[e.group.empty() ? "Options" : e.group].push_back(&e);
    }
    auto flag_of = [](const Entry& e) { return "--" + e.name + (e.type_name == "bool" ? "" : "=" + e.type_name); };
    int width = 6;  // "--help"
    for (const auto& [name, entry] : impl_->entries) width = std::max(width, static_cast<int>(flag_of(*entry).size()));
    auto line = [out, width](const std::string& flag, const std::string& help) {
        std::fprintf(out, "  %-*s  %s\n", width, flag.c_str(), help.c_str());
    };
    line("--help", "show this help information");
    for (const auto& [group, entries] : groups) {
        std::fprintf(out, "\n%s:\n\n", group == "Options" ? "Other options" : (group + " options").c_str());
        for (const Entry* e : entries) {
            std::string flag = flag_of(*e);
            std::string help = e->help;
            if (!e->default_text.empty()) help += (help.empty() ? "" : " ") + std::string("(default ") + e->default_text + ")";
            line(flag, help);
        }
    }
}

void define_logging_options(OptionParser& parser) {
    const std::string group = "Logging";
    const auto& level = parser.define<std::string>("logging", "info",
        "Set the log level (debug, info, warning, error); none leaves logging alone", group);
    const auto& to_stderr = parser.define<bool>("log_to_stderr", false,
        "Send log output to stderr as well; by default stderr is used only without --log_file_prefix", group);
    const auto& prefix = parser.define<std::string>("log_file_prefix", "",
        "Path of a log file to write instead of stderr (give each process its own)", group);
    const auto& max_size = parser.define<long>("log_file_max_size", 100L * 1000 * 1000,
        "Size of a log file in bytes before it rotates", group);
    const auto& backups = parser.define<int>("log_file_num_backups", 10, "Number of old log files kept", group);
    const auto& mode = parser.define<std::string>("log_rotate_mode", "size",
        "Rotate log files by size or by time", group);
    const auto& when = parser.define<std::string>("log_rotate_when", "midnight",
        "With --log_rotate_mode=time: the unit, S, M, H, D or midnight", group);
    const auto& interval = parser.define<int>("log_rotate_interval", 1,
        "With --log_rotate_mode=time: how many units per file", group);
    // Tornado's enable_pretty_logging, run after each final parse.
    parser.add_parse_callback([&] {
        if (level == "none") return;
        try {
            set_logging_level(parse_log_level(level));
        } catch (const std::invalid_argument& e) {
            throw OptionError(std::string("--logging: ") + e.what());
        }
        if (prefix.empty()) return;
        if (mode != "size" && mode != "time")
            throw OptionError("--log_rotate_mode must be size or time, not '" + mode + "'");
        LogFileOptions file;
        file.path = prefix;
        file.rotate = mode == "size" ? LogFileOptions::Rotate::size : LogFileOptions::Rotate::time;
        file.max_bytes = max_size > 0 ? static_cast<std::uint64_t>(max_size) : 0;
        file.backups = backups;
        file.when = when;
        file.interval = interval;
        file.also_stderr = to_stderr;
        try {
            set_log_sink(log_file_sink(file));
        } catch (const std::exception& e) {
            throw OptionError(e.what());
        }
    });
}

OptionParser& options() {
    static OptionParser parser;
    static bool logging_defined = (define_logging_options(parser), true);
    (void)logging_defined;
    return parser;
}

}  // namespace squall
