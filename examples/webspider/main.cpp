// A web spider, a port of Tornado's demos/webspider: N workers take URLs from a squall::Queue,
// fetch them with AsyncHTTPClient and queue the links they find below the base URL, so at most
// N fetches are in flight; Queue::join() says when every URL found has been handled.
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <squall/gen.h>
#include <squall/httpclient.h>
#include <squall/httputil.h>
#include <squall/options.h>
#include <squall/queues.h>

const int& concurrency = squall::define("concurrency", 10, "fetches in flight at most");
const int& timeout = squall::define("timeout", 300, "seconds the whole crawl may take");

// The href="..." and href='...' values of a page. A real spider would use an HTML parser;
// this is enough for plain pages.
std::vector<std::string> get_links(std::string_view html) {
    std::vector<std::string> links;
    for (std::size_t at = html.find("href="); at != std::string_view::npos; at = html.find("href=", at + 1)) {
        std::size_t start = at + 5;
        if (start >= html.size() || (html[start] != '"' && html[start] != '\'')) continue;
        std::size_t end = html.find(html[start], start + 1);
        if (end == std::string_view::npos) break;
        links.emplace_back(html.substr(start + 1, end - start - 1));
    }
    return links;
}

struct Spider {
    Spider(std::string base, squall::AsyncHTTPClient& http) : base_url(std::move(base)), client(http) {}

    std::string base_url;
    squall::AsyncHTTPClient& client;
    squall::Queue<std::string> queue;         // URLs to fetch; unbounded
    std::set<std::string> fetching, fetched;  // started, and finished without error
    bool stopping = false;

    // One URL: fetch it, queue its links. Each URL is fetched once, however often it is found.
    squall::Future<void> fetch_url(std::string url) {
        if (!fetching.insert(url).second) co_return;
        squall::HTTPResponse response = co_await client.fetch(url, /*raise_error=*/false);
        if (response.error) {  // "HTTP 404: Not Found", "HTTP 599: connect: Connection refused"...
            try {
                response.rethrow();
            } catch (const std::exception& e) {
                std::fprintf(stderr, "%s: %s\n", url.c_str(), e.what());
            }
            co_return;
        }
        fetched.insert(url);
        std::printf("%s\n", url.c_str());
        std::vector<std::string> links = get_links(response.body);
        for (const std::string& link : links) {
            std::string absolute = squall::urljoin(url, link.substr(0, link.find('#')));  // no fragment
            if (absolute.starts_with(base_url)) co_await queue.put(absolute);
        }
    }

    // Takes URLs until it gets an empty one (the signal to stop), or any once stopping.
    squall::Future<void> worker() {
        while (true) {
            std::string url = co_await queue.get();
            if (url.empty() || stopping) co_return;
            co_await fetch_url(url);  // never throws: a failed fetch is reported in its response
            queue.task_done();        // after the links are queued, so join() cannot end early
        }
    }
};

squall::Future<bool> crawl(std::string base_url, int workers_wanted, std::chrono::seconds time_limit) {
    // max_clients: the workers are the bound; the client should not queue them a second time.
    squall::AsyncHTTPClientOptions options;
    options.max_clients = workers_wanted;
    squall::AsyncHTTPClient client(options);
    Spider spider(base_url, client);
    auto start = std::chrono::steady_clock::now();
    co_await spider.queue.put(base_url);
    std::vector<squall::Future<void>> workers;
    for (int i = 0; i < workers_wanted; ++i) workers.push_back(spider.worker());  // each runs until it waits
    bool timed_out = false;
    try {
        co_await spider.queue.join(time_limit);
    } catch (const squall::TimeoutError&) {
        timed_out = true;  // the site is too big for the time given
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (timed_out) {
        std::fprintf(stderr, "Timed out after %.2f seconds, fetched %zu URLs.\n", seconds, spider.fetched.size());
        spider.stopping = true;
        client.close();  // the fetches in flight fail at once
    } else {
        std::printf("Done in %.2f seconds, fetched %zu URLs.\n", seconds, spider.fetched.size());
    }
    // The workers use the spider: stop them (one empty URL each) and wait for them before it goes.
    for (int i = 0; i < workers_wanted; ++i) co_await spider.queue.put(std::string());
    co_await squall::multi(std::move(workers));
    co_return !timed_out;
}

int main(int argc, char** argv) try {
    // The one argument that is not an option is where to start; only links below it are followed.
    std::vector<std::string> args = squall::parse_command_line(argc, argv);
    if (args.size() != 1 || concurrency < 1) {
        std::fprintf(stderr, "usage: %s [--concurrency N] [--timeout SECONDS] BASE_URL\n", argv[0]);
        return 2;
    }
    bool done = squall::IOLoop::current().run_sync([&] { return crawl(args[0], concurrency, std::chrono::seconds(timeout)); });
    return done ? 0 : 1;
} catch (const std::exception& e) {  // a bad option
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
}
