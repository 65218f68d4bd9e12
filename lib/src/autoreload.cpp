// autoreload: the executable's path and argument vector taken at start(), inotify watches on the
// directories of the watched files, and the re-execution. Part of squall-core. Models
// tornado/autoreload.py (4.0) _reload_on_update and _reload.
#include "squall/autoreload.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#include "squall/log.h"

namespace squall::autoreload {
namespace {

namespace fs = std::filesystem;

// Writers often close a file more than once while replacing it (a linker, cp then chmod): the
// restart waits this long after the last such event so that it runs the finished file.
constexpr auto kSettle = std::chrono::milliseconds(100);

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

/// The process's arguments as the kernel holds them (C++ has no global argv).
std::vector<std::string> own_arguments() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    for (std::size_t at = 0; at < all.size();) {
        std::size_t end = all.find('\0', at);
        if (end == std::string::npos) end = all.size();
        args.push_back(all.substr(at, end - at));
        at = end + 1;
    }
    return args;
}

std::string own_executable() {
    char path[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) fail("autoreload: readlink /proc/self/exe");
    return std::string(path, static_cast<std::size_t>(n));
}

/// One spelling per file (symlinks and ".." resolved as far as the path exists), so that the
/// names inotify reports match the names watched.
fs::path canonical_path(const std::string& path) { return fs::weakly_canonical(fs::absolute(path)); }

struct Watcher {
    IOLoop* loop = nullptr;
    int inotify_fd = -1;
    std::string executable;
    std::vector<std::string> arguments;
    std::map<int, fs::path> directories;            // watch descriptor -> directory
    std::set<fs::path> files;                        // absolute paths of the watched files
    std::vector<std::function<void()>> hooks;
    TimeoutHandle pending;

    void add_directory_of(const fs::path& file) {
        if (inotify_fd < 0) return;  // watched from start()
        fs::path dir = file.parent_path();
        for (const auto& [wd, d] : directories)
            if (d == dir) return;
        int wd = ::inotify_add_watch(inotify_fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
        if (wd < 0) fail("autoreload: cannot watch " + dir.string());
        directories[wd] = dir;
    }

    void on_readable() {
        alignas(inotify_event) char buffer[16 * 1024];
        ssize_t n;
        bool changed = false;
        while ((n = ::read(inotify_fd, buffer, sizeof buffer)) > 0) {
            for (char* p = buffer; p < buffer + n;) {
                auto* event = reinterpret_cast<inotify_event*>(p);
                auto dir = directories.find(event->wd);
                if (dir != directories.end() && event->len > 0 && files.count(dir->second / event->name)) changed = true;
                p += sizeof(inotify_event) + event->len;
            }
        }
        if (!changed) return;
        if (pending) loop->remove_timeout(pending);
        pending = loop->call_later(kSettle, [this] {
            pending = {};
            reload();
        });
    }

    void reload() {
        gen_log().logf(LogLevel::info, "autoreload: a watched file changed, restarting %s", executable.c_str());
        for (auto& hook : hooks) {
            try {
                hook();
            } catch (const std::exception& e) {
                gen_log().logf(LogLevel::error, "autoreload: a reload hook failed: %s", e.what());
            }
        }
        std::vector<char*> argv;
        for (auto& a : arguments) argv.push_back(a.data());
        argv.push_back(nullptr);
        std::fflush(nullptr);  // what stdio holds would be lost with this program's memory
        // execv keeps the signal mask: unblock everything so that the new program starts as a
        // program normally does (a signal blocked and pending now is delivered here first).
        sigset_t none;
        sigemptyset(&none);
        sigset_t old;
        ::sigprocmask(SIG_SETMASK, &none, &old);
        ::execv(executable.c_str(), argv.data());
        const int error = errno;
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        gen_log().logf(LogLevel::error, "autoreload: cannot re-execute %s: %s; still running the old program",
                       executable.c_str(), std::strerror(error));
    }
};

Watcher& watcher() {
    static Watcher w;
    return w;
}

}  // namespace

void start(IOLoop& loop) {
    Watcher& w = watcher();
    if (w.loop) return;
    w.executable = own_executable();
    w.arguments = own_arguments();
    if (w.arguments.empty()) w.arguments.push_back(w.executable);
    w.inotify_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w.inotify_fd < 0) fail("autoreload: inotify_init1");
    try {
        w.files.insert(canonical_path(w.executable));
        for (const auto& file : w.files) w.add_directory_of(file);
        loop.add_handler(w.inotify_fd, [&w](int, Events) { w.on_readable(); }, IOLoop::READ);
    } catch (...) {
        // Not started: a later start() may try again.
        ::close(std::exchange(w.inotify_fd, -1));
        w.directories.clear();
        throw;
    }
    w.loop = &loop;
}

void watch(const std::string& path) {
    Watcher& w = watcher();
    fs::path file = canonical_path(path);
    w.files.insert(file);
    w.add_directory_of(file);
}

void add_reload_hook(std::function<void()> hook) { watcher().hooks.push_back(std::move(hook)); }

bool started() noexcept { return watcher().loop != nullptr; }

}  // namespace squall::autoreload
