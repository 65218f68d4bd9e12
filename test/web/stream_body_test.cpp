// Streamed request bodies (stream_request_body): pieces as they arrive, flow control from a
// slow data_received, limits, early answers and a client that leaves. Ports
// tornado/test/web_test.py (4.0) StreamingRequestBodyTest, StreamingRequestFlowControlTest and
// the streaming cases of httpserver_test.py BodyLimitsTest.
#include <nlohmann/json.hpp>

#include "async_test.h"
#include "catch.h"
#include "http_client_support.h"
#include "squall/gen.h"
#include "squall/web.h"
#include "web_support.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AppServer;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;
using squall::testing::raw_request;
using squall::testing::RawHTTPClient;

namespace {

struct Record {
    std::uint64_t bytes = 0;
    std::size_t chunks = 0, largest = 0;
    bool overlapped = false;  // data_received called while a previous Future was pending
    int verbs = 0, closes = 0;
    std::uint64_t checksum = 0;
    Promise<void> some_data, closed;  // the first piece arrived; on_connection_close ran
};

class StreamHandler : public RequestHandler {
public:
    void initialize(Record* record, bool slow) {
        record_ = record;
        slow_ = slow;
    }
    bool stream_request_body() const override { return true; }
    Future<void> prepare() override {
        if (auto limit = get_optional_query_argument("limit"))
            request().connection->set_max_body_size(std::stoull(*limit));
        if (get_optional_query_argument("deny")) throw HTTPError(401);
        return {};
    }
    Future<void> data_received(std::string_view chunk) override {
        if (pending_) record_->overlapped = true;
        if (record_->chunks == 0) record_->some_data.set_result();
        record_->bytes += chunk.size();
        ++record_->chunks;
        record_->largest = std::max(record_->largest, chunk.size());
        for (unsigned char c : chunk) record_->checksum = record_->checksum * 31 + c;
        if (!slow_ || record_->chunks > 20) return {};
        return pause();
    }
    Future<void> put() override {
        ++record_->verbs;
        write(nlohmann::json{{"bytes", record_->bytes}});
        return {};
    }
    Future<void> post() override { return put(); }
    void on_connection_close() override {
        if (++record_->closes == 1) record_->closed.set_result();
    }

private:
    Future<void> pause() {
        pending_ = true;
        co_await squall::sleep(2ms);
        pending_ = false;
    }
    Record* record_ = nullptr;
    bool slow_ = false;
    bool pending_ = false;
};

std::string pattern_body(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7) % 253);
    return s;
}

std::uint64_t checksum(const std::string& s) {
    std::uint64_t h = 0;
    for (unsigned char c : s) h = h * 31 + c;
    return h;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "stream_request_body: a body larger than max_buffer_size arrives in pieces",
                 "[web][stream][net]") {
    Record record;
    HTTPServerOptions options;
    options.max_buffer_size = 256 * 1024;
    options.max_body_size = 64 * 1024 * 1024;
    options.chunk_size = 16 * 1024;
    AppServer s({url<StreamHandler>("/up", &record, false)}, {}, options);
    AsyncHTTPClient client({}, io_loop());
    std::string body = pattern_body(5 * 1024 * 1024 + 17);
    run_sync(
        [&]() -> Future<void> {
            HTTPRequest r = raw_request(s.url("/up"), "PUT");
            r.body = body;
            HTTPResponse resp = co_await client.fetch(r, false);
            CHECK(resp.code == 200);
            CHECK(nlohmann::json::parse(resp.body)["bytes"] == body.size());
        },
        20s);
    CHECK(record.bytes == body.size());
    CHECK(record.checksum == checksum(body));
    CHECK(record.largest <= 16 * 1024);
    CHECK(record.chunks >= body.size() / (16 * 1024));
    CHECK(record.verbs == 1);
}

TEST_CASE_METHOD(AsyncTest, "stream_request_body: a slow data_received holds the sender back",
                 "[web][stream][net]") {
    Record record;
    HTTPServerOptions options;
    options.chunk_size = 4096;
    AppServer s({url<StreamHandler>("/up", &record, true)}, {}, options);
    AsyncHTTPClient client({}, io_loop());
    std::string body = pattern_body(40 * 4096);
    run_sync(
        [&]() -> Future<void> {
            HTTPRequest r = raw_request(s.url("/up"), "POST");
            r.body = body;
            HTTPResponse resp = co_await client.fetch(r, false);
            CHECK(resp.code == 200);
        },
        20s);
    CHECK(record.bytes == body.size());
    CHECK(record.checksum == checksum(body));
    CHECK_FALSE(record.overlapped);  // no piece was delivered while the handler was busy
    CHECK(record.chunks >= 40);
}

TEST_CASE_METHOD(AsyncTest, "stream_request_body: max_body_size, per-request limits and early answers",
                 "[web][stream][net]") {
    Record record;
    HTTPServerOptions options;
    options.max_body_size = 100 * 1024;
    AppServer s({url<StreamHandler>("/up", &record, false)}, {}, options);
    LogCapture logs;
    run_sync([&]() -> Future<void> {
        {
            RawHTTPClient c(io_loop(), s.port);
            co_await c.connect();
            co_await c.send("PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n");
            auto r = co_await c.read_response();
            CHECK(r.code == 413);
            co_await c.wait_closed();
        }
        {
            // A larger limit set in prepare() for this request.
            RawHTTPClient c(io_loop(), s.port);
            co_await c.connect();
            std::string head = "PUT /up?limit=300000 HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n";
            co_await c.send(head + std::string(200000, 'z'));
            auto r = co_await c.read_response();
            CHECK(r.code == 200);
            CHECK(r.body == "{\"bytes\":200000}");
        }
        {
            // Refused in prepare() while the client is still sending: the answer comes at once.
            RawHTTPClient c(io_loop(), s.port);
            co_await c.connect();
            co_await c.send("PUT /up?deny=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n" +
                            std::string(1000, 'z'));
            auto r = co_await c.read_response();
            CHECK(r.code == 401);
            co_await c.wait_closed();  // the unread body means the connection cannot be reused
        }
    });
    CHECK(record.verbs == 1);
}

TEST_CASE_METHOD(AsyncTest, "stream_request_body: a client leaving mid-body reaches on_connection_close",
                 "[web][stream][net]") {
    Record record;
    AppServer s({url<StreamHandler>("/up", &record, false)});
    run_sync([&]() -> Future<void> {
        {
            RawHTTPClient c(io_loop(), s.port);
            co_await c.connect();
            co_await c.send("PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + std::string(5000, 'z'));
            co_await record.some_data.get_future();
        }  // the client closes here
        co_await record.closed.get_future();
    });
    CHECK(record.closes == 1);
    CHECK(record.verbs == 0);
    CHECK(record.bytes <= 5000);
}
