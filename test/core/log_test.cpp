// Tests of the three loggers, levels, the sink and the default line format. Ports the parts of
// tornado/test/log_test.py (4.0) that apply: formatter output and switching logging off.
#include <re2/re2.h>

#include "async_test.h"
#include "catch.h"
#include "squall/log.h"

using namespace squall;
using squall::testing::LogCapture;

TEST_CASE("the three loggers have Tornado's names", "[core][log]") {
    CHECK(access_log().name() == "tornado.access");
    CHECK(app_log().name() == "tornado.application");
    CHECK(gen_log().name() == "tornado.general");
}

TEST_CASE("levels filter records, globally and per logger", "[core][log]") {
    LogCapture logs(LogLevel::info);
    gen_log().debug("hidden");
    gen_log().info("shown");
    app_log().set_level(LogLevel::error);
    app_log().warning("hidden too");
    app_log().error("shown too");
    app_log().set_level(LogLevel::debug);
    auto entries = logs.entries();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].message == "shown");
    CHECK(entries[0].logger == "tornado.general");
    CHECK(entries[1].message == "shown too");
    CHECK(entries[1].level == LogLevel::error);
}

TEST_CASE("logging level none turns logging off", "[core][log]") {
    LogCapture logs(LogLevel::none);
    app_log().error("nothing");
    access_log().logf(LogLevel::error, "%d %s", 500, "GET /");
    CHECK(logs.entries().empty());
}

TEST_CASE("logf formats long messages completely", "[core][log]") {
    LogCapture logs;
    std::string big(2000, 'x');
    gen_log().logf(LogLevel::warning, "%s|%d", big.c_str(), 7);
    REQUIRE(logs.entries().size() == 1);
    CHECK(logs.entries()[0].message == big + "|7");
}

TEST_CASE("the default format is Tornado's", "[core][log]") {
    std::string line = format_log_record({"tornado.access", LogLevel::info, "200 GET / (127.0.0.1) 1.24ms"});
    CHECK(RE2::FullMatch(line, RE2(R"(\[I \d{6} \d\d:\d\d:\d\d access\] 200 GET / \(127\.0\.0\.1\) 1\.24ms)")));
    CHECK(format_log_record({"tornado.general", LogLevel::warning, "w"}).rfind("[W ", 0) == 0);
}

TEST_CASE("parse_log_level accepts Tornado's names and rejects others", "[core][log]") {
    CHECK(parse_log_level("debug") == LogLevel::debug);
    CHECK(parse_log_level("none") == LogLevel::none);
    CHECK_THROWS_AS(parse_log_level("loud"), std::invalid_argument);
}
