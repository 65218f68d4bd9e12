// squall-bench-parser: HTTP/1 request parsing throughput (MB/s) of squall's HTTP1Parser and of
// http-parser (libhttp-parser-dev, Node's former parser) over the same corpus of realistic
// requests. http-parser only tokenises (callbacks that do nothing); HTTP1Parser also builds
// the start line and an HTTPHeaders map with normalised names, so it does more per request.
// A benchmark tool of squall; run it through tools/bench/run-parserbench.
#include <http_parser.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "squall/http1_parser.h"

namespace {

const char* const corpus[] = {
    // A browser's page load.
    "GET /wiki/Special:Search?search=tornado&go=Go HTTP/1.1\r\n"
    "Host: en.wikipedia.org\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://en.wikipedia.org/wiki/Main_Page\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: WMF-Last-Access=25-Nov-2026; GeoIP=US:CA:San_Francisco:37.78:-122.42:v4; enwikimwuser-sessionId=a1b2c3d4e5f6\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "\r\n",
    // An API call with a JSON body.
    "POST /api/v2/orders HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc\r\n"
    "Content-Type: application/json\r\n"
    "Accept: application/json\r\n"
    "Content-Length: 86\r\n"
    "\r\n"
    "{\"item\":\"widget\",\"quantity\":3,\"price\":19.99,\"currency\":\"EUR\",\"notes\":\"leave at door\"}\n",
    // A chunked upload.
    "PUT /upload/report.csv HTTP/1.1\r\n"
    "Host: files.example.com\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "1a\r\nid,name,score\n1,alpha,9.5\n\r\n"
    "10\r\n2,beta,8.25\n3,ga\r\n"
    "0\r\n\r\n",
    // A small health check.
    "GET /healthz HTTP/1.1\r\nHost: 10.0.0.12:8080\r\nUser-Agent: kube-probe/1.28\r\nAccept: */*\r\n\r\n",
};

std::string build_corpus(std::size_t target) {
    std::string all;
    while (all.size() < target)
        for (const char* r : corpus) all += r;
    return all;
}

double squall_mb_per_s(const std::string& data, int rounds, std::size_t& messages) {
    auto start = std::chrono::steady_clock::now();
    messages = 0;
    for (int i = 0; i < rounds; ++i) {
        squall::HTTP1Parser parser(squall::HTTP1Parser::Kind::request);
        std::string_view rest = data;
        while (true) {
            auto r = parser.parse(rest);
            rest.remove_prefix(r.consumed);
            if (r.status == squall::HTTP1Parser::Status::done) ++messages;
            else if (r.status == squall::HTTP1Parser::Status::incomplete || r.status == squall::HTTP1Parser::Status::error) break;
        }
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return static_cast<double>(data.size()) * rounds / s / 1e6;
}

int on_complete(http_parser* p) {
    ++*static_cast<std::size_t*>(p->data);
    return 0;
}

double http_parser_mb_per_s(const std::string& data, int rounds, std::size_t& messages) {
    http_parser_settings settings{};
    settings.on_message_complete = on_complete;
    auto start = std::chrono::steady_clock::now();
    messages = 0;
    for (int i = 0; i < rounds; ++i) {
        http_parser parser;
        http_parser_init(&parser, HTTP_REQUEST);
        parser.data = &messages;
        std::size_t n = http_parser_execute(&parser, &settings, data.data(), data.size());
        if (n != data.size()) {
            std::fprintf(stderr, "http-parser stopped at byte %zu: %s\n", n,
                         http_errno_description(HTTP_PARSER_ERRNO(&parser)));
            std::exit(1);
        }
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return static_cast<double>(data.size()) * rounds / s / 1e6;
}

}  // namespace

int main() {
    std::string data = build_corpus(8 * 1024 * 1024);
    std::size_t ours = 0, theirs = 0;
    double best_ours = 0, best_theirs = 0;
    for (int run = 0; run < 5; ++run) {
        best_ours = std::max(best_ours, squall_mb_per_s(data, 3, ours));
        best_theirs = std::max(best_theirs, http_parser_mb_per_s(data, 3, theirs));
    }
    if (ours != theirs) {
        std::fprintf(stderr, "the parsers disagree: %zu vs %zu messages\n", ours, theirs);
        return 1;
    }
    std::printf("corpus %.1f MB, %zu requests per pass\n", static_cast<double>(data.size()) / 1e6, ours / 3);
    std::printf("squall HTTP1Parser  %8.1f MB/s\nhttp-parser 2.9     %8.1f MB/s\nratio %.2fx\n", best_ours, best_theirs,
                best_ours / best_theirs);
    return 0;
}
