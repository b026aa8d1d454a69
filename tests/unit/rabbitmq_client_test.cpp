#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/clients/rabbitmq_json.hpp"

using namespace swarmop;
using namespace swarmop::clients;
namespace json = boost::json;

// Shapes as a real RabbitMQ 3.10.8 answered (trimmed to the keys the operator reads).

TEST_CASE("nodes: running, stopped and partitioned members", "[unit][rabbitmq]") {
  auto nodes = rabbitmq_json::decode_nodes(json::parse(R"([
    {"name":"rabbit1@localhost","type":"disc","running":true,"partitions":["rabbit3@localhost"],
     "mem_alarm":false,"disk_free_alarm":true,"os_pid":"15149"},
    {"name":"rabbit2@localhost","type":"disc","running":true},
    {"name":"rabbit3@localhost","type":"disc","running":false,"cluster_links":[]}])"));
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 3);
  CHECK((*nodes)[0].partitions == std::vector<std::string>{"rabbit3@localhost"});
  CHECK((*nodes)[0].disk_free_alarm);
  // No statistics yet, or stopped: partitions unknown, not empty.
  CHECK_FALSE((*nodes)[1].partitions.has_value());
  CHECK_FALSE((*nodes)[2].running);
}

TEST_CASE("queues: mirrors compared as sets, absent keys mean not mirrored", "[unit][rabbitmq]") {
  auto queues = rabbitmq_json::decode_queues(json::parse(R"([
    {"name":"demo-q","vhost":"/","type":"classic","node":"rabbit1@localhost","policy":"ha-all",
     "slave_nodes":["rabbit2@localhost","rabbit3@localhost"],
     "synchronised_slave_nodes":["rabbit2@localhost"],"state":"running","messages":20300},
    {"name":"synced","vhost":"/","type":"classic","node":"rabbit1@localhost","policy":"ha-all",
     "slave_nodes":["rabbit2@localhost","rabbit3@localhost"],
     "synchronised_slave_nodes":["rabbit3@localhost","rabbit2@localhost"]},
    {"name":"plain","vhost":"/","type":"classic","policy":"no-ha","recoverable_slaves":null},
    {"name":"qq1","vhost":"/","type":"quorum","policy":null,"leader":"rabbit1@localhost"},
    {"name":"fresh","vhost":"/","type":"classic"}])"));
  REQUIRE(queues);
  REQUIRE(queues->size() == 5);
  CHECK((*queues)[0].unsynchronised_mirrors() == std::vector<std::string>{"rabbit3@localhost"});
  CHECK((*queues)[0].messages == 20300);
  CHECK((*queues)[1].unsynchronised_mirrors().empty());
  CHECK_FALSE((*queues)[2].mirror_nodes.has_value());
  CHECK((*queues)[2].unsynchronised_mirrors().empty());
  CHECK_FALSE((*queues)[3].policy.has_value());
  CHECK((*queues)[4].state.empty());
}

TEST_CASE("policies compare by effect, not by spelling", "[unit][rabbitmq]") {
  auto policy = rabbitmq_json::decode_policy(json::parse(
      R"({"vhost":"/","name":"ha-all","pattern":".*","apply-to":"queues",
          "definition":{"ha-mode":"all","ha-sync-mode":"manual"},"priority":0})"));
  REQUIRE(policy);
  RabbitPolicy desired{"/",  "ha-all",
                       ".*", "queues",
                       0,    json::object{{"ha-sync-mode", "manual"}, {"ha-mode", "all"}}};
  CHECK(policy->same_effect_as(desired));
  desired.definition["ha-sync-mode"] = "automatic";
  CHECK_FALSE(policy->same_effect_as(desired));
  RabbitPolicy exactly{"/",   "ha-two", ".*",
                       "all", 0,        json::object{{"ha-mode", "exactly"}, {"ha-params", 2}}};
  RabbitPolicy echoed = exactly;
  echoed.definition["ha-params"] = 2.0;
  CHECK(exactly.same_effect_as(echoed));
  CHECK(
      json::serialize(rabbitmq_json::encode_policy(exactly)) ==
      R"({"pattern":".*","apply-to":"all","priority":0,"definition":{"ha-mode":"exactly","ha-params":2}})");
}

TEST_CASE("overview tells whether classic mirroring exists", "[unit][rabbitmq]") {
  auto v3 = rabbitmq_json::decode_overview(json::parse(R"({"rabbitmq_version":"3.10.8"})"));
  auto v4 = rabbitmq_json::decode_overview(json::parse(R"({"rabbitmq_version":"4.0.1"})"));
  REQUIRE(v3);
  REQUIRE(v4);
  CHECK(v3->has_classic_mirroring());
  CHECK_FALSE(v4->has_classic_mirroring());
  CHECK_FALSE(rabbitmq_json::decode_overview(json::parse("{}")));
}

// Found by fuzz/fuzz_rabbitmq_json (docs/fuzzing.md): the digits of the major version were
// accumulated in an int without a bound (signed overflow). It now saturates at INT_MAX, which
// still reads as "4 or later": no classic mirroring.
TEST_CASE("a major version too long for an int saturates instead of overflowing",
          "[unit][rabbitmq]") {
  const auto overview = [](const std::string& version) {
    auto decoded = rabbitmq_json::decode_overview(
        json::parse(R"({"rabbitmq_version":")" + version + R"(","node":"rabbit@a"})"));
    REQUIRE(decoded);
    return *decoded;
  };
  constexpr int kMax = std::numeric_limits<int>::max();
  CHECK(overview("99999999999.1").major_version() == kMax);
  CHECK_FALSE(overview("99999999999.1").has_classic_mirroring());
  CHECK(overview("99999999999999999999999999999999.0.1").major_version() == kMax);
  CHECK(overview("2147483647.0").major_version() == kMax);  // exactly INT_MAX
  CHECK(overview("2147483648.0").major_version() == kMax);  // one more: saturated
  CHECK(overview("214748364.0").major_version() == 214748364);
  CHECK(overview("3.13.7").major_version() == 3);
  CHECK(overview("3.13.7").has_classic_mirroring());
}

// The same fuzzing found doubles outside the integer range converted to integers (undefined
// behaviour) in the field readers the RabbitMQ decoders share: they read as 0 now.
TEST_CASE("a message count out of the 64-bit range reads as 0, not undefined behaviour",
          "[unit][rabbitmq]") {
  auto queues = rabbitmq_json::decode_queues(json::parse(R"([
    {"name":"a","vhost":"/","messages":100000000000000000000},
    {"name":"b","vhost":"/","messages":1e300},
    {"name":"c","vhost":"/","messages":18446744073709551615},
    {"name":"d","vhost":"/","messages":7}])"));
  REQUIRE(queues);
  REQUIRE(queues->size() == 4);
  CHECK((*queues)[0].messages == 0);
  CHECK((*queues)[1].messages == 0);
  CHECK((*queues)[2].messages == UINT64_MAX);
  CHECK((*queues)[3].messages == 7);
}

TEST_CASE("error reasons and health checks", "[unit][rabbitmq]") {
  CHECK(
      rabbit_error_reason(
          R"({"error":"bad_request","reason":"Validation failed\n\nha-mode=\"all\" does not take parameters\n"})") ==
      "Validation failed\n\nha-mode=\"all\" does not take parameters\n");
  CHECK(rabbit_error_reason(R"({"reason":["unknown","bogus"]})") == R"(["unknown","bogus"])");
  auto failed = rabbitmq_json::decode_health(
      503,
      json::parse(R"({"status":"failed","reason":"There are alarms in effect in the cluster"})"));
  CHECK_FALSE(failed.ok);
  CHECK(failed.reason == "There are alarms in effect in the cluster");
  CHECK(rabbitmq_json::decode_health(200, json::parse(R"({"status":"ok"})")).ok);
}

TEST_CASE("broken management responses are errors", "[unit][rabbitmq]") {
  CHECK_FALSE(rabbitmq_json::decode_nodes(json::parse("{}")));
  CHECK_FALSE(rabbitmq_json::decode_nodes(json::parse("[{\"running\":true}]")));
  CHECK_FALSE(rabbitmq_json::decode_queues(json::parse("[7]")));
  CHECK_FALSE(rabbitmq_json::decode_policies(json::parse("[{}]")));
}
