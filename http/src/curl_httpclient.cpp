// The libcurl implementation of AsyncHTTPClient: one multi handle driven by the IOLoop through
// curl_multi_socket_action, its sockets as fd handlers and its timer as one IOLoop timeout.
// Internal. Models tornado/curl_httpclient.py (4.0) CurlAsyncHTTPClient.
#include <curl/curl.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <system_error>

#include "curl_transfer.h"
#include "squall/detail/lifetime.h"
#include "squall/log.h"

namespace squall::detail {
namespace {

void init_curl_once() {
    // curl_global_init is not thread-safe in every libcurl; once per process, never undone.
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
    });
}

int curl_action(Events events) {
    int action = 0;
    if (any(events, Events::read)) action |= CURL_CSELECT_IN;
    if (any(events, Events::write)) action |= CURL_CSELECT_OUT;
    if (any(events, Events::error)) action |= CURL_CSELECT_ERR;
    return action;
}

Events loop_events(int what) {
    Events e = Events::none;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) e |= Events::read;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) e |= Events::write;
    return e;
}

class CurlHTTPClient final : public HTTPClientBackend {
public:
    CurlHTTPClient(AsyncHTTPClientOptions options, IOLoop& loop);
    ~CurlHTTPClient() override { close(); }
    void check(const HTTPRequest& request, const URLParts& url) const override;
    Future<HTTPResponse> fetch(HTTPRequest request) override;
    void close() override;
    void start(CURL* easy);
    bool closed() const noexcept override { return multi_ == nullptr || close_pending_; }

private:
    static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
    static int on_timer(CURLM* multi, long timeout_ms, void* self);
    void watch(int fd, int what);
    void act(curl_socket_t fd, int action);
    void collect_done();
    void deliver(std::unique_ptr<CurlTransfer> transfer, HTTPResponse response);

    IOLoop& loop_;
    AsyncHTTPClientOptions options_;
    CURLM* multi_ = nullptr;
    TimeoutHandle timer_;
    std::set<int> watched_;  // curl's sockets with a handler on the loop
    std::map<CURL*, std::unique_ptr<CurlTransfer>> transfers_;  // added to multi_, or about to be
    Lifetime life_;  // ended by close(), for callbacks queued on the loop
    // Inside curl_multi_socket_action (a streaming or header callback is running): curl refuses
    // to remove handles or clean up then, so a close() from there waits until curl returns.
    int in_curl_ = 0;
    bool close_pending_ = false;
};

CurlHTTPClient::CurlHTTPClient(AsyncHTTPClientOptions options, IOLoop& loop)
    : loop_(loop), options_(std::move(options)) {
    init_curl_once();
    multi_ = curl_multi_init();
    if (!multi_) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlHTTPClient::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, static_cast<void*>(this));
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlHTTPClient::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, static_cast<void*>(this));
    // max_clients caps connections; transfers past it wait inside curl (HTTP/2 shares one).
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options_.max_clients));
}

void CurlHTTPClient::check(const HTTPRequest& r, const URLParts&) const {
    if (!r.auth_username.empty() && r.auth_mode != "basic" && r.auth_mode != "digest")
        throw std::invalid_argument("unsupported auth_mode " + r.auth_mode);
    if (r.body_producer) throw std::invalid_argument("body_producer is not supported by the curl client");
    if (r.ssl_options)
        throw std::invalid_argument("ssl_options is not supported by the curl client (use validate_cert, ca_certs, "
                                    "client_cert and client_key)");
}

Future<HTTPResponse> CurlHTTPClient::fetch(HTTPRequest request) {
    std::unique_ptr<CurlTransfer> t;
    try {
        t = std::make_unique<CurlTransfer>(std::move(request), options_);
    } catch (const std::exception& e) {
        HTTPResponse r;
        r.code = 599;
        r.error = client_error(599, e.what());
        return make_ready_future(std::move(r));
    }
    auto f = t->promise.get_future();
    CURL* easy = t->easy();
    transfers_.emplace(easy, std::move(t));
    start(easy);
    return f;
}

void CurlHTTPClient::start(CURL* easy) {
    // Adding calls on_timer, whose timeout (0) starts the transfer on the loop's next turn.
    CURLMcode rc = curl_multi_add_handle(multi_, easy);
    if (rc == CURLM_OK) return;
    if (rc == CURLM_RECURSIVE_API_CALL) {
        // fetch() from a callback curl is running (a streaming_callback): add it once curl returned.
        loop_.add_callback([this, alive = life_.watch(), easy] {
            if (alive.alive()) start(easy);
        });
        return;
    }
    auto node = transfers_.extract(easy);
    HTTPResponse r = node.mapped()->abandon(std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
    deliver(std::move(node.mapped()), std::move(r));
}

int CurlHTTPClient::on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
    try {
        static_cast<CurlHTTPClient*>(self)->watch(fd, what);
        return 0;
    } catch (const std::exception& e) {
        gen_log().logf(LogLevel::error, "curl socket %d: %s", fd, e.what());
        return -1;  // curl fails the transfers on it
    }
}

void CurlHTTPClient::watch(int fd, int what) {
    if (what == CURL_POLL_REMOVE) {
        // curl may have closed the fd already; remove_handler copes with that.
        if (watched_.erase(fd)) loop_.remove_handler(fd);
        return;
    }
    Events events = loop_events(what);
    if (watched_.count(fd)) {
        try {
            loop_.update_handler(fd, events);
            return;
        } catch (const std::system_error&) {
            // A number curl closed and reopened without telling: register the new socket.
            watched_.erase(fd);
            loop_.remove_handler(fd);
        }
    }
    loop_.add_handler(fd, [this](int ready, Events e) { act(ready, curl_action(e)); }, events);
    watched_.insert(fd);
}

int CurlHTTPClient::on_timer(CURLM*, long timeout_ms, void* self) {
    auto* client = static_cast<CurlHTTPClient*>(self);
    client->loop_.remove_timeout(std::exchange(client->timer_, {}));
    if (timeout_ms < 0) return 0;  // -1: no timeout wanted
    try {
        // Not from inside this callback: curl forbids calling socket_action re-entrantly.
        client->timer_ = client->loop_.call_later(std::chrono::milliseconds(timeout_ms), [client] {
            client->timer_ = {};
            client->act(CURL_SOCKET_TIMEOUT, 0);
        });
        return 0;
    } catch (const std::exception& e) {
        gen_log().logf(LogLevel::error, "curl timer: %s", e.what());
        return -1;
    }
}

void CurlHTTPClient::act(curl_socket_t fd, int action) {
    int running = 0;
    ++in_curl_;
    CURLMcode rc = curl_multi_socket_action(multi_, fd, action, &running);
    --in_curl_;
    if (close_pending_) return close();
    if (rc != CURLM_OK) gen_log().logf(LogLevel::error, "curl_multi_socket_action: %s", curl_multi_strerror(rc));
    collect_done();
}

void CurlHTTPClient::collect_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* easy = msg->easy_handle;
        CURLcode result = msg->data.result;  // msg is gone once the handle is removed
        curl_multi_remove_handle(multi_, easy);
        auto node = transfers_.extract(easy);
        if (node.empty()) continue;
        HTTPResponse r = node.mapped()->finish(result);
        deliver(std::move(node.mapped()), std::move(r));
    }
}

void CurlHTTPClient::deliver(std::unique_ptr<CurlTransfer> transfer, HTTPResponse response) {
    // Resolved on the loop's next turn: what awaits it may close or destroy this client, which
    // must not happen inside collect_done() or close().
    loop_.add_callback([p = std::move(transfer->promise), r = std::move(response)]() mutable {
        p.set_result(std::move(r));
    });
}

void CurlHTTPClient::close() {
    if (!multi_) return;
    if (in_curl_ > 0) {
        close_pending_ = true;
        return;
    }
    close_pending_ = false;
    life_.end();
    for (auto& [easy, t] : std::exchange(transfers_, {})) {
        curl_multi_remove_handle(multi_, easy);  // harmless for one not added yet
        HTTPResponse r = t->abandon("the client was closed");
        deliver(std::move(t), std::move(r));
    }
    // Cleanup closes the kept connections, reporting their sockets to on_socket as it goes.
    curl_multi_cleanup(std::exchange(multi_, nullptr));
    for (int fd : std::exchange(watched_, {})) loop_.remove_handler(fd);
    loop_.remove_timeout(std::exchange(timer_, {}));
}

}  // namespace

std::unique_ptr<HTTPClientBackend> make_curl_client(AsyncHTTPClientOptions options, IOLoop& loop) {
    return std::make_unique<CurlHTTPClient>(std::move(options), loop);
}

bool curl_built() noexcept { return true; }

}  // namespace squall::detail
