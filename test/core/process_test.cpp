// Tests of Subprocess (pipes, exit codes, signals, missing programs) and fork_processes (task
// ids, restarting a child killed by a signal). Ports tornado/test/process_test.py (4.0).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/log.h"
#include "squall/process.h"

using namespace squall;
using squall::testing::AsyncTest;

TEST_CASE_METHOD(AsyncTest, "Subprocess pipes stdin to stdout", "[core][process]") {
    Subprocess::Options options;
    options.stdin_pipe = true;
    options.stdout_pipe = true;
    Subprocess cat({"cat"}, options, io_loop());
    CHECK(cat.pid() > 0);
    run_sync([&]() -> Future<void> {
        co_await cat.stdin_stream()->write("hello\n");
        auto line = co_await cat.stdout_stream()->read_until("\n");
        CHECK(line == "hello\n");
        cat.stdin_stream()->close();  // EOF for cat, which then exits
        auto rest = co_await cat.stdout_stream()->read_until_close();
        CHECK(rest.empty());
        int code = co_await cat.wait_for_exit();
        CHECK(code == 0);
    });
    CHECK(cat.returncode() == 0);
}

TEST_CASE_METHOD(AsyncTest, "Subprocess reports stderr, exit codes and signals", "[core][process]") {
    Subprocess::Options options;
    options.stderr_pipe = true;
    Subprocess failing({"sh", "-c", "echo oops >&2; exit 3"}, options, io_loop());
    int from_callback = 0;
    failing.set_exit_callback([&](int code) { from_callback = code; });
    run_sync([&]() -> Future<void> {
        auto err = co_await failing.stderr_stream()->read_until_close();
        CHECK(err == "oops\n");
        int code = co_await failing.wait_for_exit(false);
        CHECK(code == 3);
        co_await squall::moment;  // the exit callback runs on a later iteration
    });
    CHECK(from_callback == 3);
    CHECK_THROWS_AS(failing.wait_for_exit().result(), CalledProcessError);

    Subprocess killed({"sh", "-c", "kill -TERM $$"}, {}, io_loop());
    CHECK(run_sync([&] { return killed.wait_for_exit(false); }) == -SIGTERM);
}

TEST_CASE_METHOD(AsyncTest, "a program that does not exist is a clear error", "[core][process]") {
    try {
        Subprocess missing({"/nonexistent/squall-no-such-program"}, {}, io_loop());
        FAIL("started a missing program");
    } catch (const std::system_error& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
    }
    CHECK(io_loop().handler_count() == 0);
}

TEST_CASE("fork_processes gives task ids and restarts a child killed by a signal", "[core][process]") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    char marker[] = "/tmp/squall-fork-test-XXXXXX";
    int mfd = ::mkstemp(marker);
    REQUIRE(mfd >= 0);
    ::close(mfd);
    ::unlink(marker);  // its existence later means "task 1 already died once"
    pid_t helper = ::fork();
    REQUIRE(helper >= 0);
    if (helper == 0) {
        // The helper plays a server's parent process. fork_processes ends it with exit(0); skip
        // the test runner's exit work (and leak checks of its half-run test) in this copy.
        std::atexit([] { ::_exit(0); });
        squall::set_logging_level(squall::LogLevel::none);
        ::close(fds[0]);
        int id = fork_processes(3, 3);
        char line[32];
        int n = std::snprintf(line, sizeof line, "%d\n", id);
        if (::write(fds[1], line, static_cast<size_t>(n)) != n) ::_exit(2);
        if (id == 1 && ::access(marker, F_OK) != 0) {
            FILE* f = std::fopen(marker, "w");
            if (f) std::fclose(f);
            ::kill(::getpid(), SIGKILL);  // die abnormally once: the parent must restart task 1
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string out;
    char buf[64];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(helper, &status, 0) == helper);
    ::unlink(marker);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::vector<std::string> ids;
    for (std::size_t start = 0, nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
        ids.push_back(out.substr(start, nl - start));
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<std::string>{"0", "1", "1", "2"});
}

TEST_CASE("fork_processes refuses to run once an IOLoop exists", "[core][process]") {
    IOLoop loop;
    loop.make_current();
    CHECK_THROWS_AS(fork_processes(2), std::logic_error);
    IOLoop::clear_current();
    CHECK(cpu_count() >= 1);
    CHECK_FALSE(task_id().has_value());
}
