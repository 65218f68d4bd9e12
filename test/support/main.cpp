// Shared main() for every squall test binary. Internal. Adds `--poller=NAME` (the same as
// SQUALL_POLLER=NAME, like Tornado's `runtests --ioloop=`) and writes this binary's test-case
// tally to the file named by SQUALL_TEST_TALLY so .ci/run can print `N passed, N failed`.
#define CATCH_CONFIG_RUNNER
#include "catch.h"

#include <algorithm>

#include "squall/poller/poller.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int g_cases_passed = 0;
int g_cases_failed = 0;

struct TallyListener : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        if (stats.totals.assertions.failed > 0 || stats.totals.testCases.failed > 0)
            ++g_cases_failed;
        else
            ++g_cases_passed;
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(TallyListener)

int main(int argc, char** argv) {
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--poller=", 9) == 0) {
            ::setenv("SQUALL_POLLER", argv[i] + 9, 1);
            continue;
        }
        args.push_back(argv[i]);
    }
    // A backend this machine cannot run (io_uring refused by a sandbox) is a skip, not a failure.
    if (const char* want = std::getenv("SQUALL_POLLER"); want && *want) {
        auto avail = squall::available_pollers();
        if (std::find(avail.begin(), avail.end(), std::string_view(want)) == avail.end()) {
            std::printf("SKIP: poller backend '%s' is not available on this machine\n", want);
            return 77;
        }
    }
    Catch::Session session;
    int rc = session.applyCommandLine(static_cast<int>(args.size()), args.data());
    if (rc != 0) return rc;
    rc = session.run();
    if (const char* tally = std::getenv("SQUALL_TEST_TALLY"); tally && *tally) {
        if (FILE* f = std::fopen(tally, "w")) {
            std::fprintf(f, "%d %d\n", g_cases_passed, g_cases_failed);
            std::fclose(f);
        }
    }
    return rc;
}
