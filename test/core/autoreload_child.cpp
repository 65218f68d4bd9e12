// The program autoreload_test.py restarts: it watches its own executable and the file named
// after --watch, counts its restarts in the environment from a reload hook, then prints a line
// (its pid, its generation and its arguments). Ends itself after 60 s, so a failed test never
// leaves it running.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "squall/autoreload.h"
#include "squall/ioloop.h"

int main(int argc, char** argv) {
    squall::IOLoop loop;
    loop.make_current();
    const char* generation_text = std::getenv("SQUALL_AUTORELOAD_GENERATION");
    const int generation = generation_text ? std::atoi(generation_text) : 1;
    squall::autoreload::start(loop);
    if (argc > 2 && std::string(argv[1]) == "--watch") squall::autoreload::watch(argv[2]);
    squall::autoreload::add_reload_hook([generation] {
        std::printf("reloading from generation %d\n", generation);
        std::fflush(stdout);
        ::setenv("SQUALL_AUTORELOAD_GENERATION", std::to_string(generation + 1).c_str(), 1);
    });
    // Printed once everything is watched: the script changes files as soon as it reads this.
    std::printf("started pid=%d generation=%d args=", static_cast<int>(::getpid()), generation);
    for (int i = 1; i < argc; ++i) std::printf("[%s]", argv[i]);
    std::printf("\n");
    std::fflush(stdout);
    loop.call_later(std::chrono::seconds(60), [&loop] { loop.stop(); });
    loop.start();
    return 3;
}
