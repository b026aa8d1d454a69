#include <catch2/catch.hpp>

#include "swarmop/model/duration.hpp"
#include "swarmop/model/size.hpp"

using namespace swarmop::model;
using namespace std::chrono_literals;

TEST_CASE("durations parse in Go style", "[unit][duration]") {
  CHECK(parse_duration("20s") == Duration(20s));
  CHECK(parse_duration("2m") == Duration(2min));
  CHECK(parse_duration("1h30m") == Duration(90min));
  CHECK(parse_duration("500ms") == Duration(500ms));
  CHECK(parse_duration("1.5s") == Duration(1500ms));
  CHECK(parse_duration("1m30s250ms") == Duration(90250ms));
  CHECK(parse_duration("0s") == Duration(0ms));
}

TEST_CASE("malformed durations are rejected", "[unit][duration]") {
  for (const char* bad :
       {"", "20", "s", "20 s", "20sec", "-5s", "1.s", ".5s", "1d", "20S", "99999999h"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("durations format back to their shortest spelling", "[unit][duration]") {
  CHECK(format_duration(Duration(90'000)) == "1m30s");
  CHECK(format_duration(Duration(0)) == "0s");
  CHECK(format_duration(Duration(3'600'500)) == "1h500ms");
  for (const char* text : {"20s", "1h30m", "250ms", "2m5s"}) {
    CHECK(format_duration(*parse_duration(text)) == text);
  }
}

TEST_CASE("sizes use Compose's 1024-based units", "[unit][size]") {
  CHECK(parse_size("100") == 100);
  CHECK(parse_size("100b") == 100);
  CHECK(parse_size("512M") == 512LL * 1024 * 1024);
  CHECK(parse_size("512m") == 512LL * 1024 * 1024);
  CHECK(parse_size("2G") == 2LL * 1024 * 1024 * 1024);
  CHECK(parse_size("1.5GiB") == 1536LL * 1024 * 1024);
  CHECK(parse_size("64KiB") == 64 * 1024);
  CHECK(parse_size("1T") == 1024LL * 1024 * 1024 * 1024);
}

TEST_CASE("malformed sizes are rejected", "[unit][size]") {
  for (const char* bad : {"", "M", "2X", "2 G", "-1G", "2GG", "1.G", "99999999999T"}) {
    INFO(bad);
    CHECK_FALSE(parse_size(bad).has_value());
  }
}
