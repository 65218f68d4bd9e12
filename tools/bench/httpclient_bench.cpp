// squall-bench-httpclient: requests per second of AsyncHTTPClient fetching one URL N times,
// C at a time (max_clients), over kept-alive connections or a new one per request ("close", as
// Tornado's simple client does). tools/bench/run-clientbench gives curl the same work.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "squall/httpclient.h"
#include "squall/log.h"

namespace {

squall::Future<void> worker(squall::AsyncHTTPClient& client, std::string url, int& remaining, int& failures) {
    while (remaining > 0) {
        --remaining;
        auto f = client.fetch(url, false);
        squall::HTTPResponse r = co_await std::move(f);
        if (r.code != 200) ++failures;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: squall-bench-httpclient URL REQUESTS CONCURRENCY keepalive|close\n");
        return 2;
    }
    std::string url = argv[1];
    int total = std::atoi(argv[2]), concurrency = std::atoi(argv[3]);
    squall::set_logging_level(squall::LogLevel::error);
    squall::IOLoop loop;
    squall::AsyncHTTPClientOptions options;
    options.max_clients = concurrency;
    options.keep_alive = std::string(argv[4]) == "keepalive";
    squall::AsyncHTTPClient client(options, loop);
    int remaining = total, failures = 0;
    auto start = std::chrono::steady_clock::now();
    loop.run_sync([&]() -> squall::Future<void> {
        std::vector<squall::Future<void>> workers;
        for (int i = 0; i < concurrency; ++i) workers.push_back(worker(client, url, remaining, failures));
        for (auto& w : workers) co_await std::move(w);
    }, std::chrono::minutes(5));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("requests %d failures %d seconds %.3f per_second %.0f\n", total, failures, seconds, total / seconds);
    return failures ? 1 : 0;
}
