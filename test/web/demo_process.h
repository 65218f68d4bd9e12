// squall-demo run as a child process for the demo tests: started on a kernel-picked port, its
// first line read for the port and site directory, stopped with SIGTERM. Internal test header.
#pragma once

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <re2/re2.h>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/process.h"

namespace squall::testing {

#ifdef SQUALL_DEMO_TOOL
class DemoProcess {
public:
    /// squall-demo --port 0 with `flags`; returns once it listens.
    explicit DemoProcess(AsyncTest& test, std::vector<std::string> flags = {})
        : test_(test), process_(command(std::move(flags)), piped_stdout(), test.io_loop()) {
        using namespace std::chrono_literals;
        std::string line = test.run_sync([&]() { return process_.stdout_stream()->read_until("\n"); }, 10s);
        std::string port, site;
        REQUIRE(RE2::PartialMatch(line, R"(http://127\.0\.0\.1:([0-9]+)/ \(site (.*)\))", &port, &site));
        port_ = std::stoi(port);
        site_ = site;
    }
    /// A test that failed half-way still stops the demo (and its temporary site goes).
    ~DemoProcess() {
        if (stopped_) return;
        ::kill(process_.pid(), SIGTERM);
        ::waitpid(process_.pid(), nullptr, 0);
    }
    DemoProcess(const DemoProcess&) = delete;
    DemoProcess& operator=(const DemoProcess&) = delete;

    int port() const noexcept { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    const std::filesystem::path& site() const noexcept { return site_; }

    /// SIGTERM; the exit status (0 for a clean shutdown).
    int stop() {
        using namespace std::chrono_literals;
        ::kill(process_.pid(), SIGTERM);
        stopped_ = true;
        return test_.run_sync([&]() { return process_.wait_for_exit(false); }, 10s);
    }

private:
    static std::vector<std::string> command(std::vector<std::string> flags) {
        std::vector<std::string> argv = {SQUALL_DEMO_TOOL, "--port", "0"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        return argv;
    }
    static Subprocess::Options piped_stdout() {
        Subprocess::Options options;
        options.stdout_pipe = true;
        return options;
    }

    AsyncTest& test_;
    Subprocess process_;
    int port_ = 0;
    std::filesystem::path site_;
    bool stopped_ = false;
};
#endif

}  // namespace squall::testing
