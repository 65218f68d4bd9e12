// autoreload: the executable's path and argument vector taken at start(), inotify watches on the
// directories of the watched files, and the re-execution. Part of squall-core. Models
// tornado/autoreload.py (4.0) _reload_on_update and _reload.
#include "squall/autoreload.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
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
// How often the watched directories are checked for having been removed or replaced (rm -rf
// build): inotify says nothing while the running executable keeps its deleted directory alive.
// The files of a directory that is back count as changed.
constexpr auto kRewatchPeriod = std::chrono::milliseconds(500);

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
    struct Directory {
        fs::path path;
        dev_t device = 0;
        ino_t inode = 0;
    };
    std::map<int, Directory> directories;  // watch descriptor -> directory
    std::set<fs::path> files;              // canonical paths of the watched files
    std::vector<std::function<void()>> hooks;
    TimeoutHandle pending;
    std::optional<PeriodicCallback> check;

    bool watched(const fs::path& dir) const {
        for (const auto& [wd, d] : directories)
            if (d.path == dir) return true;
        return false;
    }

    /// False when the directory does not exist (any other failure throws).
    bool try_watch(const fs::path& dir) {
        struct stat st;
        if (::stat(dir.c_str(), &st) != 0 && errno == ENOENT) return false;
        int wd = ::inotify_add_watch(inotify_fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
        if (wd < 0 && errno == ENOENT) return false;
        if (wd < 0) fail("autoreload: cannot watch " + dir.string());
        directories[wd] = Directory{dir, st.st_dev, st.st_ino};
        return true;
    }

    void add_directory_of(const fs::path& file) {
        if (inotify_fd < 0) return;  // watched from start()
        fs::path dir = file.parent_path();
        if (!watched(dir) && !try_watch(dir)) fail("autoreload: cannot watch " + dir.string());
    }

    void on_readable() {
        alignas(inotify_event) char buffer[16 * 1024];
        ssize_t n;
        bool changed = false;
        while ((n = ::read(inotify_fd, buffer, sizeof buffer)) > 0) {
            for (char* p = buffer; p < buffer + n;) {
                auto* event = reinterpret_cast<inotify_event*>(p);
                if (event->mask & IN_Q_OVERFLOW) changed = true;  // events were lost: one may have been ours
                auto dir = directories.find(event->wd);
                if (dir != directories.end() && event->len > 0 && files.count(dir->second.path / event->name))
                    changed = true;
                p += sizeof(inotify_event) + event->len;
            }
        }
        if (changed) schedule_reload();
    }

    /// Drops the watches of directories removed or replaced since they were watched, watches the
    /// directories of the watched files that exist (again), and restarts when a file is found in
    /// a directory that came back (a rebuilt tree).
    void check_directories() {
        for (auto it = directories.begin(); it != directories.end();) {
            struct stat st;
            const bool same = ::stat(it->second.path.c_str(), &st) == 0 && st.st_dev == it->second.device &&
                              st.st_ino == it->second.inode;
            if (same) {
                ++it;
                continue;
            }
            ::inotify_rm_watch(inotify_fd, it->first);
            it = directories.erase(it);
        }
        bool back = false;
        for (const auto& file : files) {
            const fs::path dir = file.parent_path();
            if (watched(dir) || !try_watch(dir)) continue;
            std::error_code ec;
            back = back || fs::exists(file, ec);
        }
        if (back) schedule_reload();
    }

    void schedule_reload() {
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
        w.check.emplace([&w] { w.check_directories(); }, kRewatchPeriod, loop);
        w.check->start();
    } catch (...) {
        // Not started: a later start() may try again.
        if (w.check) w.check.reset();
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
