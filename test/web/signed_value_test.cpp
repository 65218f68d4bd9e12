// Signed values (versions 1 and 2) and URL routing, without a server. Ports
// tornado/test/web_test.py (4.0) SignedValueTest and the URLSpec/reverse_url cases.
#include <map>
#include <string>

#include "catch.h"
#include "squall/application.h"
#include "squall/routing.h"
#include "squall/signed_value.h"
#include "squall/web_handlers.h"

using namespace squall;

namespace {
const std::string secret = "It's a secret to everybody";
const std::time_t present = 1300000000;
const std::time_t past = present - 86400 * 31;
const std::string v1_known = "dmFsdWU=|1300000000|31c934969f53e48164c50768b40cbd7e2daaaa4f";
const std::string v2_known =
    "2|1:0|10:1300000000|3:key|8:dmFsdWU=|3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e152";
}  // namespace

TEST_CASE("signed values: Tornado's known values for versions 1 and 2", "[web][signed]") {
    CHECK(create_signed_value(secret, "key", "value", 1, present) == v1_known);
    CHECK(create_signed_value(secret, "key", "value", 2, present) == v2_known);
    CHECK(create_signed_value(secret, "key", "value", 2, present) == create_signed_value(secret, "key", "value", 2, present));
    CHECK(decode_signed_value(secret, "key", v1_known, 31, present) == "value");
    CHECK(decode_signed_value(secret, "key", v2_known, 31, present) == "value");
    CHECK(signed_value_version(v1_known) == 1);
    CHECK(signed_value_version(v2_known) == 2);
}

TEST_CASE("signed values: expiry, the future, and min_version", "[web][signed]") {
    for (int version : {1, 2}) {
        std::string signed_past = create_signed_value(secret, "key", "value", version, past);
        CHECK(decode_signed_value(secret, "key", signed_past, 31, present) == "value");
        CHECK_FALSE(decode_signed_value(secret, "key", signed_past, 30, present));
        CHECK_FALSE(decode_signed_value(secret, "key", signed_past, 31, present + 86400));
    }
    // Version 1 also refuses values signed more than 31 days ahead (a forged long-lived cookie).
    std::string future_v1 = create_signed_value(secret, "key", "value", 1, present + 86400 * 32);
    CHECK_FALSE(decode_signed_value(secret, "key", future_v1, 31, present));
    CHECK(decode_signed_value(secret, "key", v1_known, 31, present, 1) == "value");
    CHECK_FALSE(decode_signed_value(secret, "key", v1_known, 31, present, 2));
    CHECK(decode_signed_value(secret, "key", v2_known, 31, present, 2) == "value");
}

TEST_CASE("signed values: tampering, another name, another secret, garbage", "[web][signed]") {
    // The payload changed (v2: "value" -> "vAlue" in base64).
    std::string tampered = v2_known;
    tampered.replace(tampered.find("dmFsdWU="), 8, "dkFsdWU=");
    CHECK_FALSE(decode_signed_value(secret, "key", tampered, 31, present));
    std::string bad_sig = v2_known;
    bad_sig.back() = bad_sig.back() == '2' ? '3' : '2';
    CHECK_FALSE(decode_signed_value(secret, "key", bad_sig, 31, present));
    std::string bad_sig1 = v1_known;
    bad_sig1.back() = 'e';
    CHECK_FALSE(decode_signed_value(secret, "key", bad_sig1, 31, present));
    // A value signed for one cookie name is not valid under another.
    CHECK_FALSE(decode_signed_value(secret, "key2", v2_known, 31, present));
    CHECK_FALSE(decode_signed_value(secret, "key2", v1_known, 31, present));
    CHECK_FALSE(decode_signed_value("another secret", "key", v2_known, 31, present));
    // A v1 timestamp with a leading zero is a tampering trick (same digits, same MAC input).
    std::string zero = "dmFsdWU=|01300000000|" ;
    CHECK_FALSE(decode_signed_value(secret, "key", zero + "x", 31, present));
    for (std::string junk : std::vector<std::string>{"", "|", "2|", "2|1:0", "2|1:0|10:1300000000|3:key|8:dmFsdWU=", "2|x:0|", "a|b|c|d",
                             "3|1:0|10:1300000000|3:key|8:dmFsdWU=|00", "2|1:0|99:1300000000|3:key|8:dmFsdWU=|00"})
        CHECK_FALSE(decode_signed_value(secret, "key", junk, 31, present));
}

TEST_CASE("signed values: any bytes round trip", "[web][signed]") {
    std::string value("caf\xc3\xa9 | \0 bytes\xff", 17);
    for (int version : {1, 2}) {
        auto s = create_signed_value(secret, "name", value, version, present);
        CHECK(decode_signed_value(secret, "name", s, 31, present) == value);
    }
    CHECK_THROWS_AS(create_signed_value("", "name", "v"), std::invalid_argument);
    CHECK_THROWS_AS(create_signed_value(secret, "name", "v", 3), std::invalid_argument);
}

namespace {
class Dummy : public RequestHandler {};
}  // namespace

TEST_CASE("URLSpec: literal, positional, named and optional groups", "[web][routing]") {
    URLSpec literal("/hello", handler<Dummy>());
    CHECK(literal.pattern() == "/hello$");
    CHECK(literal.match("/hello"));
    CHECK_FALSE(literal.match("/hello/"));
    CHECK_FALSE(literal.match("/hellox"));

    URLSpec positional("/item/([0-9]+)/(.*)", handler<Dummy>());
    auto m = positional.match("/item/42/a%20b+c%2F");
    REQUIRE(m);
    REQUIRE(m->args.size() == 2);
    CHECK(m->args[0] == "42");
    CHECK(m->args[1] == "a b+c/");  // percent-decoded, '+' kept
    CHECK_FALSE(positional.match("/item/x/y"));

    URLSpec named("/(?P<user>[a-z]+)/(?P<page>[0-9]+)", handler<Dummy>());
    auto n = named.match("/alice/7");
    REQUIRE(n);
    CHECK(n->args.empty());
    CHECK(n->kwargs.at("user") == "alice");
    CHECK(n->kwargs.at("page") == "7");

    URLSpec optional("/opt(/[a-z]+)?", handler<Dummy>());
    auto o = optional.match("/opt");
    REQUIRE(o);
    REQUIRE(o->args.size() == 1);
    CHECK_FALSE(o->args[0].has_value());  // Tornado's None

    URLSpec noncapturing("/(?:a|b)/(x)", handler<Dummy>());
    CHECK(noncapturing.group_count() == 1);
    CHECK(noncapturing.match("/b/x")->args[0] == "x");

    // Literal text before the first regex syntax is compared first; quantifiers make the
    // character before them optional, and alternatives switch the comparison off.
    CHECK(URLSpec("/ab?c", handler<Dummy>()).match("/ac"));
    CHECK(URLSpec("/ab*", handler<Dummy>()).match("/a"));
    CHECK(URLSpec("/ab{0,2}c", handler<Dummy>()).match("/ac"));
    CHECK(URLSpec("/ab+c", handler<Dummy>()).match("/abbc"));
    CHECK_FALSE(URLSpec("/ab+c", handler<Dummy>()).match("/ac"));
    CHECK(URLSpec("/file\\.txt", handler<Dummy>()).match("/file.txt"));
    CHECK_FALSE(URLSpec("/file\\.txt", handler<Dummy>()).match("/filextxt"));
    CHECK(URLSpec("/static/(.*)", handler<Dummy>()).match("/static/"));
    CHECK_FALSE(URLSpec("/static/(.*)", handler<Dummy>()).match("/stat"));
    CHECK(URLSpec("/a|/b", handler<Dummy>()).match("/b"));
    CHECK(URLSpec("/(favicon\\.ico)", handler<Dummy>()).match("/favicon.ico"));
    CHECK_FALSE(URLSpec("/(favicon\\.ico)", handler<Dummy>()).match("/"));
    CHECK(URLSpec("/(ab)?c", handler<Dummy>()).match("/c"));
    CHECK(URLSpec("/(ab)+c", handler<Dummy>()).match("/ababc"));
    CHECK(URLSpec("/(?:x)(?P<n>y)z", handler<Dummy>()).match("/xyz"));
    CHECK(URLSpec("/a+b", handler<Dummy>()).match("/aab"));
    CHECK(URLSpec("/([ab])c", handler<Dummy>()).match("/bc"));
    CHECK(URLSpec("/(\\d+)", handler<Dummy>()).match("/12"));

    CHECK_THROWS_AS(URLSpec("/(?P<a>x)/(y)", handler<Dummy>()), std::invalid_argument);
    CHECK_THROWS_AS(URLSpec("/(unclosed", handler<Dummy>()), std::invalid_argument);
    CHECK_THROWS_AS(URLSpec("/x", HandlerFactory()), std::invalid_argument);
}

TEST_CASE("URLSpec: RE2 syntax, linear on long paths, bad patterns refused", "[web][routing]") {
    URLSpec any("/static/(.*)", handler<Dummy>());
    std::string path = "/static/" + std::string(1 << 20, 'x');
    auto m = any.match(path);
    REQUIRE(m);
    CHECK(m->args[0]->size() == (1u << 20));
    URLSpec alternation("/((?:a|b)*)c", handler<Dummy>());
    CHECK(alternation.match("/" + std::string(1 << 20, 'a') + "c"));
    CHECK_FALSE(alternation.match("/" + std::string(1 << 20, 'a')));
    // Bytes outside ASCII are matched as bytes.
    URLSpec bytes("/b/(.)", handler<Dummy>());
    auto b = bytes.match("/b/\xff");
    REQUIRE(b);
    CHECK(*b->args[0] == "\xff");
    CHECK_THROWS_AS(URLSpec("/(unclosed", handler<Dummy>()), std::invalid_argument);
    CHECK_THROWS_AS(URLSpec("/(a)\\1", handler<Dummy>()), std::invalid_argument);  // backreference
    CHECK_THROWS_AS(URLSpec("/(?=look)", handler<Dummy>()), std::invalid_argument);  // lookahead
    Application app;
    CHECK_THROWS_AS(app.add_handlers("(bad", {URLSpec("/", handler<Dummy>())}), std::invalid_argument);
}

TEST_CASE("URLSpec: reverse", "[web][routing]") {
    URLSpec s("/path/([^/]+)/([0-9]+)", handler<Dummy>(), "p");
    CHECK(s.reverse({"1 + 1", "2"}) == "/path/1%20%2B%201/2");
    CHECK(s.reverse({"\xe9", "3"}) == "/path/%E9/3");
    CHECK(s.reverse({"a/b", "3"}) == "/path/a/b/3");
    CHECK_THROWS_AS(s.reverse({"1"}), std::invalid_argument);
    CHECK(URLSpec("/static\\.html", handler<Dummy>()).reverse() == "/static.html");
    CHECK(URLSpec("^/$", handler<Dummy>()).reverse() == "/");
    CHECK_THROWS_AS(URLSpec("/(a(b))", handler<Dummy>()).reverse({"x", "y"}), std::invalid_argument);
    CHECK(std::move(URLSpec("/n", handler<Dummy>())).with_name("n").name() == "n");
}
