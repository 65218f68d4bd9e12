// One fetch as a libcurl easy handle: HTTPRequest's fields as curl options, the header and body
// callbacks filling the HTTPResponse, and the response for curl's result. Internal. Models
// tornado/curl_httpclient.py (4.0) _curl_setup_request, _curl_header_callback and _finish.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "httpclient_backend.h"

namespace squall::detail {

class CurlTransfer {
public:
    /// Throws std::runtime_error when curl refuses an option.
    CurlTransfer(HTTPRequest request, const AsyncHTTPClientOptions& options);
    ~CurlTransfer();
    CurlTransfer(const CurlTransfer&) = delete;
    CurlTransfer& operator=(const CurlTransfer&) = delete;

    CURL* easy() const noexcept { return easy_; }
    /// The response once curl is done with `result`; `error` set for a failure or a non-2xx.
    HTTPResponse finish(CURLcode result);
    /// A 599 with `why` for a transfer curl did not finish (the client was closed).
    HTTPResponse abandon(std::string why);

    Promise<HTTPResponse> promise;

private:
    static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self);
    static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self);
    static int on_debug(CURL* easy, curl_infotype type, char* data, std::size_t n, void* self);
    bool header_line(std::string_view line);
    bool body_piece(std::string_view piece);
    /// Every option from the request; throws on one curl refuses.
    void configure(const AsyncHTTPClientOptions& options);
    void free_handles() noexcept;
    void set_method_and_body();
    void set_headers(const AsyncHTTPClientOptions& options);
    void set_connection(const AsyncHTTPClientOptions& options);
    void set_tls_and_proxy();
    void stamp(HTTPResponse& response) const;

    CURL* easy_;
    curl_slist* headers_ = nullptr;
    curl_slist* connect_to_ = nullptr;
    HTTPRequest request_;
    HTTPResponse response_;
    std::uint64_t limit_, received_ = 0;
    std::size_t header_bytes_ = 0, max_header_size_, max_header_count_;
    std::string failure_;  // why a callback of ours stopped the transfer
    char error_[CURL_ERROR_SIZE] = {};
    TimePoint start_ = Clock::now();
};

}  // namespace squall::detail
