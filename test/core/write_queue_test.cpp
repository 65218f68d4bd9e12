// detail::WriteQueue, the stream's pending output: random appends and partial writes checked
// against a plain string of what is owed, through the compaction of written chunks, and file
// ranges handed over and closed.
#include <fcntl.h>
#include <unistd.h>

#include <random>
#include <string>

#include "catch.h"
#include "squall/detail/stream_buffers.h"

using squall::detail::WriteQueue;

namespace {

/// The in-memory bytes gather() offers, joined.
std::string gathered(const WriteQueue& q) {
    iovec iov[64];
    int n = q.gather(iov, 64);
    std::string out;
    for (int i = 0; i < n; ++i) out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    return out;
}

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST_CASE("WriteQueue: random appends and partial consumes keep the bytes in order", "[core][iostream]") {
    std::mt19937 rng(7);
    WriteQueue q;
    std::string owed;  // what the queue must still hand out, in order
    char next = 'a';
    for (int step = 0; step < 20000; ++step) {
        if (rng() % 3 != 0) {
            // Bursts of small chunks now and then, so that many written chunks pile up ahead.
            int count = rng() % 50 == 0 ? 100 : 1;
            for (int i = 0; i < count; ++i) {
                std::string chunk(1 + rng() % 40, next);
                next = next == 'z' ? 'a' : static_cast<char>(next + 1);
                owed += chunk;
                q.append(chunk);
            }
        } else if (!owed.empty()) {
            std::string front = gathered(q);
            REQUIRE(!front.empty());
            REQUIRE(owed.compare(0, front.size(), front) == 0);  // gather() is a prefix of what is owed
            std::uint64_t n = 1 + rng() % front.size();
            q.consume(n);
            owed.erase(0, n);
        }
        REQUIRE(q.size() == owed.size());
        REQUIRE(q.memory_size() == owed.size());
        REQUIRE(q.empty() == owed.empty());
    }
    while (!owed.empty()) {  // drain: everything comes out, in order
        std::string front = gathered(q);
        REQUIRE(owed.compare(0, front.size(), front) == 0);
        q.consume(front.size());
        owed.erase(0, front.size());
    }
    CHECK(q.empty());
    CHECK(gathered(q).empty());
    q.append("again");
    CHECK(gathered(q) == "again");
}

TEST_CASE("WriteQueue: a file range stops gather() and is closed once sent or cleared", "[core][iostream]") {
    int sent[2], dropped[2];
    REQUIRE(::pipe(sent) == 0);
    REQUIRE(::pipe(dropped) == 0);
    ::close(sent[1]);
    ::close(dropped[1]);
    WriteQueue q;
    q.append("head");
    q.append_file(sent[0], 10, 100);
    q.append("tail");
    CHECK(q.size() == 108);
    CHECK(q.memory_size() == 8);
    CHECK(gathered(q) == "head");
    CHECK_FALSE(q.front_file().has_value());
    q.consume(4);
    REQUIRE(q.front_file().has_value());
    CHECK(q.front_file()->offset == 10);
    q.consume(60);
    CHECK(q.front_file()->offset == 70);
    CHECK(q.front_file()->length == 40);
    CHECK(is_open(sent[0]));
    q.consume(40);
    CHECK_FALSE(is_open(sent[0]));  // sent: closed
    CHECK(gathered(q) == "tail");
    q.append_file(dropped[0], 0, 5);
    CHECK(q.has_file());
    q.clear();
    CHECK_FALSE(is_open(dropped[0]));  // never sent: closed by clear()
    CHECK(q.empty());
    CHECK_FALSE(q.has_file());
}
