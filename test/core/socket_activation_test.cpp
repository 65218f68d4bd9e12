// systemd_listen_fds: which environments it takes sockets from, and the errors for malformed
// ones (the sockets themselves are passed to squall-demo by test/web/activation/).
#include <stdlib.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "catch.h"
#include "squall/socket_activation.h"

namespace {

void set_activation(const std::string& pid, const std::string& count) {
    ::setenv("LISTEN_PID", pid.c_str(), 1);
    ::setenv("LISTEN_FDS", count.c_str(), 1);
}

bool activation_set() { return ::getenv("LISTEN_PID") || ::getenv("LISTEN_FDS"); }

std::string our_pid() { return std::to_string(::getpid()); }

}  // namespace

TEST_CASE("systemd_listen_fds: nothing without LISTEN_PID naming this process", "[core][net]") {
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    CHECK(squall::systemd_listen_fds().empty());
    set_activation(std::to_string(::getpid() + 1), "1");  // another process's sockets
    CHECK(squall::systemd_listen_fds().empty());
    CHECK(activation_set());  // left for the process they are meant for
    set_activation("x" + our_pid(), "1");
    CHECK(squall::systemd_listen_fds().empty());
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
}

TEST_CASE("systemd_listen_fds: no sockets, and the variables removed", "[core][net]") {
    set_activation(our_pid(), "0");
    CHECK(squall::systemd_listen_fds(false).empty());
    CHECK(activation_set());
    CHECK(squall::systemd_listen_fds().empty());
    CHECK_FALSE(activation_set());
}

TEST_CASE("systemd_listen_fds: malformed and impossible counts throw", "[core][net]") {
    for (const char* count : {"", "-1", "+1", "1x", " 1", "18446744073709551616", "99999999999999999999999"}) {
        INFO("LISTEN_FDS=" << count);
        set_activation(our_pid(), count);
        CHECK_THROWS_AS(squall::systemd_listen_fds(), std::invalid_argument);
        CHECK_FALSE(activation_set());  // removed even so
    }
    set_activation(our_pid(), "18446744073709551615");  // fits, but past the descriptor table
    CHECK_THROWS_WITH(squall::systemd_listen_fds(), "LISTEN_FDS is larger than the descriptor table");
}
