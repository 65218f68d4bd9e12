// The example of docs/http.md: an HTTPServer answering with a request callback, and an
// AsyncHTTPClient fetching from it (a GET and a form POST). Built and run by the tests.
#include <cstdio>

#include <squall/httpclient.h>
#include <squall/httpserver.h>

using squall::Future;
using squall::HTTPServerRequest;

int main() {
    squall::IOLoop loop;

    // Server: the callback gets each request with its body and form arguments parsed.
    squall::HTTPServer server(
        [](std::shared_ptr<HTTPServerRequest> request) {
            std::string name = request->arguments.count("name") ? request->arguments["name"][0] : "world";
            squall::respond(*request, 200, {{"Content-Type", "text/plain"}}, "Hello, " + name + "!\n");
        },
        {}, loop);
    server.listen(0, "127.0.0.1");
    std::string base = "http://127.0.0.1:" + std::to_string(server.ports().front());

    // Client: fetch() returns a Future<HTTPResponse>; non-2xx answers raise HTTPClientError.
    squall::AsyncHTTPClient client({}, loop);
    auto body = loop.run_sync([&]() -> Future<std::string> {
        squall::HTTPResponse hello = co_await client.fetch(base + "/");
        squall::HTTPRequest form(base + "/greet");
        form.method = "POST";
        form.body = "name=squall";
        squall::HTTPResponse greeting = co_await client.fetch(form);
        co_return hello.body + greeting.body;
    }, std::chrono::seconds(5));
    std::printf("%s", body.c_str());
    return body == "Hello, world!\nHello, squall!\n" ? 0 : 1;
}
