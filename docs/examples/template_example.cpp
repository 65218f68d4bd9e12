// The templates example of docs/web.md: a page rendered from a mustache template with a
// partial, a list and a value from the request (escaped), fetched by an AsyncHTTPClient.
// Built and run by the tests; it writes its templates to a temporary directory first.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <squall/httpclient.h>
#include <squall/web.h>

using namespace squall;

// Tornado's self.render("list.html", title=..., items=...): the values are a JSON object.
class ListHandler : public RequestHandler {
public:
    Future<void> get() override {
        nlohmann::json values = {{"title", get_argument("title", "Groceries")},
                                 {"items", {{{"name", "milk"}, {"count", 2}}, {{"name", "bread"}, {"count", 1}}}}};
        return render("list.html", values);
    }
};

int main() {
    char dir[] = "/tmp/squall-template-example-XXXXXX";
    std::filesystem::path templates = ::mkdtemp(dir);
    // {{x}} is HTML-escaped, {{{x}}} is not; {{> name}} includes another file of template_path.
    std::ofstream(templates / "list.html") << "{{> header.html}}<ul>{{#items}}<li>{{count}} {{name}}</li>{{/items}}</ul>";
    std::ofstream(templates / "header.html") << "<h1>{{title}}</h1>";

    IOLoop loop;
    loop.make_current();
    ApplicationSettings settings;
    settings.template_path = templates.string();
    Application app({url<ListHandler>("/")}, settings);
    auto& server = app.listen(0, "127.0.0.1");
    std::string base = "http://127.0.0.1:" + std::to_string(server.ports().front());

    AsyncHTTPClient client({}, loop);
    std::string page = loop.run_sync([&]() -> Future<std::string> {
        HTTPResponse r = co_await client.fetch(base + "/?title=" + url_escape("<Shopping>"));
        co_return r.body;
    }, std::chrono::seconds(5));
    std::filesystem::remove_all(templates);
    std::printf("%s\n", page.c_str());
    return page == "<h1>&lt;Shopping&gt;</h1><ul><li>2 milk</li><li>1 bread</li></ul>" ? 0 : 1;
}
