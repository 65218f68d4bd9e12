// Multi-process servers and child processes with pipe streams. Public header. Models
// tornado/process.py (4.0): cpu_count, fork_processes, task_id, Subprocess (with 4.2's
// wait_for_exit).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "squall/concurrent.h"
#include "squall/function.h"
#include "squall/ioloop.h"
#include "squall/iostream.h"

namespace squall {

/// Processors available to this process (at least 1).
int cpu_count() noexcept;

/// Fork `num_processes` children (0 or less: cpu_count()) and return, in each child, its task id
/// (0 .. n-1). The parent never returns: it waits for the children, restarts one that dies from
/// a signal or exits non-zero (at most `max_restarts` times in all, then throws
/// std::runtime_error), and exits the process with status 0 once every child exited with 0.
/// Call it before any IOLoop exists (throws std::logic_error otherwise): a loop's epoll or
/// io_uring descriptor must not be shared across processes.
int fork_processes(int num_processes, int max_restarts = 100);

/// The task id of this process if it was made by fork_processes, else nothing.
std::optional<int> task_id() noexcept;

/// A child process ran and exited with a non-zero status (or was killed: then negative).
class CalledProcessError : public std::runtime_error {
public:
    CalledProcessError(int returncode, const std::string& command);
    int returncode() const noexcept { return returncode_; }

private:
    int returncode_;
};

/// A child process started with posix_spawn, whose standard streams may be pipes wrapped in
/// PipeIOStreams, and whose exit the IOLoop notices (through a pidfd, so no SIGCHLD handler
/// is installed). Not thread-safe: it belongs to its loop's thread.
class Subprocess {
public:
    struct Options {
        bool stdin_pipe = false;   // Tornado's stdin=Subprocess.STREAM
        bool stdout_pipe = false;
        bool stderr_pipe = false;
        std::optional<std::string> cwd;
        /// "NAME=value" entries replacing the environment; none: inherit this process's.
        std::optional<std::vector<std::string>> env;
        StreamOptions stream_options;
    };

    /// Start `argv[0]` (searched in PATH) with `argv`. Throws std::system_error when it cannot
    /// be started (for instance ENOENT for a missing program).
    Subprocess(std::vector<std::string> argv, Options options, IOLoop& loop = IOLoop::current());
    Subprocess(const Subprocess&) = delete;
    Subprocess& operator=(const Subprocess&) = delete;
    /// Stops watching the child; it is not killed (like Tornado). A child still running then
    /// is reaped once it exits only if another Subprocess or the program waits for it.
    ~Subprocess();

    pid_t pid() const noexcept { return pid_; }
    /// The parent's ends of the pipes asked for (null otherwise).
    PipeIOStream* stdin_stream() noexcept { return stdin_.get(); }
    PipeIOStream* stdout_stream() noexcept { return stdout_.get(); }
    PipeIOStream* stderr_stream() noexcept { return stderr_.get(); }

    /// Called once with the return code (negative signal number if killed), on the loop.
    void set_exit_callback(MoveOnlyFunction<void(int)> callback);
    /// The return code once the child exited; with `raise_error`, a non-zero code fails the
    /// Future with CalledProcessError.
    Future<int> wait_for_exit(bool raise_error = true);
    std::optional<int> returncode() const noexcept { return returncode_; }

    struct Watcher;

private:
    void on_exit(int status);

    IOLoop& loop_;
    std::string command_;
    pid_t pid_ = -1;
    int pidfd_ = -1;
    std::unique_ptr<PipeIOStream> stdin_, stdout_, stderr_;
    std::optional<int> returncode_;
    MoveOnlyFunction<void(int)> exit_callback_;
    std::vector<std::pair<Promise<int>, bool>> waiters_;
    TimeoutHandle poll_timer_;
};

}  // namespace squall
