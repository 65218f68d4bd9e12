// cpu_count, fork_processes and Subprocess. Internal. Models tornado/process.py (4.0); the exit
// of a child is watched through a pidfd (Linux 5.3+) instead of Tornado's SIGCHLD handler, with
// a polling fallback where pidfd_open is missing.
#include "squall/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>

#include "squall/log.h"

extern char** environ;

namespace squall {

namespace {

std::optional<int> g_task_id;

int return_code(int status) {
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    errno = ENOSYS;
    return -1;
#endif
}

}  // namespace

int cpu_count() noexcept {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

std::optional<int> task_id() noexcept { return g_task_id; }

int fork_processes(int num_processes, int max_restarts) {
    if (IOLoop::initialized() || IOLoop::current_or_null())
        throw std::logic_error("fork_processes: an IOLoop already exists; fork before creating one");
    if (num_processes <= 0) num_processes = cpu_count();
    gen_log().logf(LogLevel::info, "Starting %d processes", num_processes);
    std::map<pid_t, int> children;
    auto start_child = [&](int id) -> bool {
        pid_t pid = ::fork();
        if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
        if (pid == 0) {
            g_task_id = id;
            return true;
        }
        children[pid] = id;
        return false;
    };
    for (int i = 0; i < num_processes; ++i)
        if (start_child(i)) return i;
    int restarts = 0;
    while (!children.empty()) {
        int status = 0;
        pid_t pid = ::wait(&status);
        if (pid < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "wait");
        }
        auto it = children.find(pid);
        if (it == children.end()) continue;
        int id = it->second;
        children.erase(it);
        if (WIFSIGNALED(status)) {
            gen_log().logf(LogLevel::warning, "child %d (pid %d) killed by signal %d, restarting",
                           id, static_cast<int>(pid), WTERMSIG(status));
        } else if (WEXITSTATUS(status) != 0) {
            gen_log().logf(LogLevel::warning, "child %d (pid %d) exited with status %d, restarting",
                           id, static_cast<int>(pid), WEXITSTATUS(status));
        } else {
            gen_log().logf(LogLevel::info, "child %d (pid %d) exited normally", id, static_cast<int>(pid));
            continue;
        }
        if (++restarts > max_restarts) throw std::runtime_error("Too many child restarts, giving up");
        if (start_child(id)) return id;
    }
    // Like Tornado's sys.exit(0): the parent's work is done when every child is.
    std::exit(0);
}

CalledProcessError::CalledProcessError(int returncode, const std::string& command)
    : std::runtime_error("Process '" + command + "' returned " + std::to_string(returncode)),
      returncode_(returncode) {}

Subprocess::Subprocess(std::vector<std::string> argv, Options options, IOLoop& loop) : loop_(loop) {
    if (argv.empty()) throw std::invalid_argument("Subprocess: empty argv");
    command_ = argv.front();
    int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    bool want[3] = {options.stdin_pipe, options.stdout_pipe, options.stderr_pipe};
    auto close_all = [&] {
        for (auto& p : pipes)
            for (int fd : p)
                if (fd >= 0) ::close(fd);
    };
    for (int i = 0; i < 3; ++i) {
        if (want[i] && ::pipe2(pipes[i], O_CLOEXEC) != 0) {
            close_all();
            throw std::system_error(errno, std::generic_category(), "pipe2");
        }
    }
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    // The child's end of each pipe becomes its fd 0/1/2 (dup2 clears close-on-exec there).
    if (want[0]) ::posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0);
    if (want[1]) ::posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1);
    if (want[2]) ::posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2);
    if (options.cwd) ::posix_spawn_file_actions_addchdir_np(&actions, options.cwd->c_str());
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<char*> envp;
    if (options.env) {
        for (auto& e : *options.env) envp.push_back(e.data());
        envp.push_back(nullptr);
    }
    int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), options.env ? envp.data() : environ);
    ::posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        close_all();
        throw std::system_error(rc, std::generic_category(), "cannot start '" + command_ + "'");
    }
    // The parent keeps its ends; the child's are closed here so EOF works both ways.
    if (want[0]) {
        ::close(pipes[0][0]);
        stdin_ = std::make_unique<PipeIOStream>(loop_, pipes[0][1], options.stream_options);
    }
    if (want[1]) {
        ::close(pipes[1][1]);
        stdout_ = std::make_unique<PipeIOStream>(loop_, pipes[1][0], options.stream_options);
    }
    if (want[2]) {
        ::close(pipes[2][1]);
        stderr_ = std::make_unique<PipeIOStream>(loop_, pipes[2][0], options.stream_options);
    }
    pidfd_ = open_pidfd(pid_);
    if (pidfd_ >= 0) {
        ::fcntl(pidfd_, F_SETFD, FD_CLOEXEC);
        loop_.add_handler(pidfd_, [this](int, Events) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) on_exit(status);
        }, Events::read);
    } else {
        // No pidfd (kernel older than 5.3): look for the exit every 50 ms.
        struct Poll {
            Subprocess* self;
            void operator()() const {
                int status = 0;
                if (::waitpid(self->pid_, &status, WNOHANG) == self->pid_) {
                    self->poll_timer_ = {};
                    self->on_exit(status);
                    return;
                }
                self->poll_timer_ = self->loop_.call_later(std::chrono::milliseconds(50), Poll{self});
            }
        };
        poll_timer_ = loop_.call_later(std::chrono::milliseconds(50), Poll{this});
    }
}

Subprocess::~Subprocess() {
    if (pidfd_ >= 0) {
        loop_.remove_handler(pidfd_);
        ::close(pidfd_);
    }
    loop_.remove_timeout(poll_timer_);
}

void Subprocess::on_exit(int status) {
    if (pidfd_ >= 0) {
        loop_.remove_handler(pidfd_);
        ::close(pidfd_);
        pidfd_ = -1;
    }
    returncode_ = return_code(status);
    int code = *returncode_;
    if (exit_callback_) loop_.add_callback([cb = std::move(exit_callback_), code]() mutable { cb(code); });
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& [promise, raise] : waiters) {
        if (raise && code != 0)
            promise.set_exception(CalledProcessError(code, command_));
        else
            promise.set_result(code);
    }
}

void Subprocess::set_exit_callback(MoveOnlyFunction<void(int)> callback) {
    if (returncode_) {
        int code = *returncode_;
        loop_.add_callback([cb = std::move(callback), code]() mutable { cb(code); });
        return;
    }
    exit_callback_ = std::move(callback);
}

Future<int> Subprocess::wait_for_exit(bool raise_error) {
    if (returncode_) {
        if (raise_error && *returncode_ != 0)
            return make_failed_future<int>(std::make_exception_ptr(CalledProcessError(*returncode_, command_)));
        return make_ready_future(*returncode_);
    }
    waiters_.emplace_back(Promise<int>(), raise_error);
    return waiters_.back().first.get_future();
}

}  // namespace squall
