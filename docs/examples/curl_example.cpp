// The example of docs/http.md's curl section: AsyncHTTPClient over libcurl, chosen process-wide
// with configure() as in Tornado, and a prepare_curl_callback setting a curl option of its own.
// Built and run by the tests when squall has libcurl.
#include <curl/curl.h>

#include <chrono>
#include <cstdio>

#include <squall/httpclient.h>
#include <squall/httpserver.h>

int main() {
    squall::IOLoop loop;
    squall::HTTPServer server(
        [](std::shared_ptr<squall::HTTPServerRequest> request) {
            squall::respond(*request, 200, {}, request->headers.get("User-Agent"));
        },
        {}, loop);
    server.listen(0, "127.0.0.1");
    std::string url = "http://127.0.0.1:" + std::to_string(server.ports().front()) + "/";

    // Tornado: AsyncHTTPClient.configure("tornado.curl_httpclient.CurlAsyncHTTPClient").
    squall::AsyncHTTPClient::configure(squall::HTTPClientImplementation::curl);
    squall::AsyncHTTPClient client({}, loop);  // or squall::CurlAsyncHTTPClient, whatever configure says
    squall::HTTPRequest request(url);
    request.prepare_curl_callback = [](void* curl) {
        curl_easy_setopt(static_cast<CURL*>(curl), CURLOPT_USERAGENT, "squall-over-libcurl");
    };
    squall::HTTPResponse response = loop.run_sync([&] { return client.fetch(request); }, std::chrono::seconds(5));
    std::printf("%d %s: %s\n", response.code, response.reason.c_str(), response.body.c_str());
    return response.body == "squall-over-libcurl" ? 0 : 1;
}
