// The RabbitMQ simulator's faults that a real cluster cannot make on demand (a 4.x server,
// frozen statistics, injected statuses and drops, other partition-handling modes), and its
// exact bodies for what the contract suite does not read through the client.
#include <httplib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "rabbit_fixture.hpp"
#include "support/expected_printer.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

using namespace swarmop;
using namespace swarmop::sim;
using namespace std::chrono_literals;
namespace json = boost::json;

using rabbitmq::testing::ha_all;
using rabbitmq::testing::RabbitWorld;

TEST_CASE("the default stack's rabbit node answers guest/guest with the image's version",
          "[rabbitmq-sim]") {
  RabbitWorld rabbit(1);
  CHECK(rabbit.name(1) == "rabbit@rabbit_node1.isnet");
  auto overview = rabbit.client({1})->overview();
  REQUIRE(overview);
  CHECK(overview->rabbitmq_version == "3.7.7");  // sciencelogic/is-rabbit:3.7.7-1
  CHECK(overview->node == "rabbit@rabbit_node1.isnet");
  CHECK(overview->cluster_name == "rabbit@rabbit_node1.isnet");
  // A single-node cluster is never mirror-sync critical.
  auto critical = rabbit.raw(1)->Get("/api/health/checks/node-is-mirror-sync-critical");
  REQUIRE(critical);
  CHECK(critical->body == R"({"status":"ok","reason":"single node cluster"})");

  auto anonymous = rabbit.raw(1, false)->Get("/api/overview");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(anonymous->body.empty());
  CHECK(anonymous->get_header_value("www-authenticate") == "Basic realm=\"RabbitMQ Management\"");
  auto wrong = rabbit.raw(1, false);
  wrong->set_basic_auth("guest", "not-the-password");
  auto refused = wrong->Get("/api/overview");
  REQUIRE(refused);
  CHECK(refused->status == 401);
  CHECK(refused->body == R"({"error":"not_authorized","reason":"Login failed"})");
}

TEST_CASE("a rabbit node whose swarm host is down refuses connections until it is back",
          "[rabbitmq-sim]") {
  RabbitWorld rabbit(3);
  rabbit.world->set_engine_up("node2", false);
  rabbit.rabbit->sync();
  auto down = rabbit.client({2})->overview();
  REQUIRE_FALSE(down);
  CHECK(down.error().not_sent);
  auto seen = rabbit.node_seen_by(1, rabbit.name(2));
  REQUIRE(seen);
  CHECK_FALSE(seen->running);

  rabbit.world->set_engine_up("node2", true);
  rabbit.rabbit->sync();
  auto back = rabbit.client({2})->overview();
  REQUIRE(back);
  CHECK(back->node == rabbit.name(2));
}

TEST_CASE("a 4.x server rejects ha-* keys and has no sync action or mirror-sync check",
          "[rabbitmq-sim]") {
  RabbitWorld rabbit(3);
  auto client = rabbit.client({1});
  REQUIRE(client->put_policy(ha_all("^q$")));
  rabbit.declare_and_publish("q", 3);
  rabbit.advance(5s);
  REQUIRE(rabbit.queue(1, "q")->mirror_nodes.has_value());

  rabbit.rabbit->set_version("4.0.5");
  auto overview = client->overview();
  REQUIRE(overview);
  CHECK_FALSE(overview->has_classic_mirroring());
  auto put = client->put_policy(ha_all("^q$"));
  REQUIRE_FALSE(put);
  CHECK(put.error().http_status == 400);
  CHECK(put.error().server_message ==
        "Validation failed\n\n[{&lt;&lt;\"ha-mode\"&gt;&gt;,&lt;&lt;\"all\"&gt;&gt;},"
        "{&lt;&lt;\"ha-sync-mode\"&gt;&gt;,&lt;&lt;\"manual\"&gt;&gt;}] are not recognised "
        "policy settings\n");
  // The old ha-all no longer mirrors anything: the keys are absent.
  auto queue = rabbit.queue(1, "q");
  REQUIRE(queue);
  CHECK_FALSE(queue->mirror_nodes.has_value());
  auto sync = client->sync_queue("/", "q");
  REQUIRE_FALSE(sync);
  CHECK(sync.error().http_status == 400);
  CHECK(sync.error().server_message == R"(["unknown","sync"])");
  auto missing = client->sync_queue("/", "no-such-queue");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().http_status == 404);
  auto check = client->health_check("node-is-mirror-sync-critical");
  REQUIRE_FALSE(check);
  CHECK(check.error().http_status == 404);
}

TEST_CASE("node statistics lag by the interval, frozen ones stay stale, the alarms check is live",
          "[rabbitmq-sim]") {
  RabbitWorld rabbit(3);
  auto client = rabbit.client({1});
  rabbit.advance(6s);
  rabbit.rabbit->set_alarm(rabbit.name(2), "memory", true);
  auto check = client->health_check("alarms");
  REQUIRE(check);
  CHECK_FALSE(check->ok);
  CHECK(check->reason == "There are alarms in effect in the cluster");
  CHECK_FALSE(rabbit.node_seen_by(1, rabbit.name(2))->mem_alarm);  // not emitted yet
  rabbit.advance(5s);
  CHECK(rabbit.node_seen_by(1, rabbit.name(2))->mem_alarm);

  rabbit.rabbit->freeze_stats(true);
  rabbit.rabbit->set_alarm(rabbit.name(2), "memory", false);
  rabbit.advance(30s);
  CHECK(rabbit.node_seen_by(1, rabbit.name(2))->mem_alarm);  // stale
  auto cleared = client->health_check("alarms");
  REQUIRE(cleared);
  CHECK(cleared->ok);
  rabbit.rabbit->freeze_stats(false);
  rabbit.advance(5s);
  CHECK_FALSE(rabbit.node_seen_by(1, rabbit.name(2))->mem_alarm);
}

TEST_CASE("a new queue has no policy, messages or state until its first statistics",
          "[rabbitmq-sim]") {
  RabbitWorld rabbit(3);
  REQUIRE(rabbit.client({1})->put_policy(ha_all("^fresh$")));
  rabbit.declare_and_publish("fresh", 2);
  auto raw = rabbit.raw(1);
  auto before = raw->Get("/api/queues/%2F/fresh");
  REQUIRE(before);
  REQUIRE(before->status == 200);
  const auto early = json::parse(before->body).as_object();
  CHECK_FALSE(early.contains("policy"));
  CHECK_FALSE(early.contains("messages"));
  CHECK_FALSE(early.contains("state"));
  CHECK(early.contains("slave_nodes"));  // the queue's own record is immediate

  rabbit.advance(5s);
  const auto later = json::parse(raw->Get("/api/queues/%2F/fresh")->body).as_object();
  CHECK(later.at("policy") == "ha-all");
  CHECK(later.at("messages") == 2);
  CHECK(later.at("state") == "running");
  CHECK(later.at("effective_policy_definition") ==
        json::object{{"ha-mode", "all"}, {"ha-sync-mode", "manual"}});
}

TEST_CASE("injected faults: a dropped read moves to the next node, an injected 500 fails a sync",
          "[rabbitmq-sim]") {
  RabbitWorld rabbit(3);
  FaultRule drop;
  drop.node = rabbit.name(1);
  drop.path_regex = "^/api/overview";
  drop.drop = true;
  rabbit.rabbit->faults().add(drop);
  auto overview = rabbit.client({1, 2})->overview();
  REQUIRE(overview);
  CHECK(overview->node == rabbit.name(2));
  rabbit.rabbit->faults().clear();

  rabbit.declare_and_publish("faulty", 1);
  FaultRule status;
  status.path_regex = "/actions$";
  status.status = 500;
  status.count = 1;
  rabbit.rabbit->faults().add(status);
  auto client = rabbit.client({1});
  auto failed = client->sync_queue("/", "faulty");
  REQUIRE_FALSE(failed);
  CHECK(failed.error().http_status == 500);
  CHECK(failed.error().code == model::ErrorCode::kTransient);
  CHECK(client->sync_queue("/", "faulty"));  // the rule hit once
}

TEST_CASE("under ignore a healed cut leaves a split-brain until a side restarts",
          "[rabbitmq-sim]") {
  rabbitmq::RabbitOptions options;
  options.partition_handling = "ignore";
  RabbitWorld rabbit(3, options);
  rabbit.world->set_partitioned("node3", true);
  rabbit.advance(6s);
  // No pause under ignore: both sides serve, each sees the other as not running.
  CHECK_FALSE(rabbit.node_seen_by(1, rabbit.name(3))->running);
  CHECK_FALSE(rabbit.node_seen_by(3, rabbit.name(1))->running);
  CHECK(rabbit.node_seen_by(1, rabbit.name(1))->partitions->empty());  // a cut is no partition

  rabbit.world->set_partitioned("node3", false);
  rabbit.advance(6s);
  const auto from1 = rabbit.node_seen_by(1, rabbit.name(1));
  CHECK(*from1->partitions == std::vector<std::string>{rabbit.name(3)});
  CHECK_FALSE(rabbit.node_seen_by(1, rabbit.name(3))->running);
  CHECK(*rabbit.node_seen_by(3, rabbit.name(3))->partitions ==
        std::vector<std::string>{rabbit.name(1), rabbit.name(2)});
  rabbit.advance(60s);
  CHECK(rabbit.node_seen_by(1, rabbit.name(1))->partitions->size() == 1u);

  rabbit.rabbit->stop_node(rabbit.name(3));
  rabbit.rabbit->start_node(rabbit.name(3));
  rabbit.advance(6s);
  CHECK(rabbit.node_seen_by(1, rabbit.name(3))->running);
  CHECK(rabbit.node_seen_by(1, rabbit.name(1))->partitions->empty());
}

TEST_CASE("autoheal restarts the losing side: its mirror comes back unsynchronised",
          "[rabbitmq-sim]") {
  rabbitmq::RabbitOptions options;
  options.partition_handling = "autoheal";
  options.stats_interval = 1s;  // shorter than the 5 s the partition lasts
  RabbitWorld rabbit(3, options);
  auto client = rabbit.client({1});
  REQUIRE(client->put_policy(ha_all("^healed$")));
  rabbit.declare_and_publish("healed", 4);
  rabbit.world->set_partitioned("node3", true);
  rabbit.advance(1s);
  rabbit.world->set_partitioned("node3", false);
  rabbit.advance(2s);
  CHECK(rabbit.node_seen_by(1, rabbit.name(1))->partitions->size() == 1u);
  rabbit.advance(10s);
  CHECK(rabbit.node_seen_by(1, rabbit.name(3))->running);
  CHECK(rabbit.node_seen_by(1, rabbit.name(1))->partitions->empty());
  const auto queue = rabbit.queue(1, "healed");
  REQUIRE(queue);
  CHECK(queue->unsynchronised_mirrors() == std::vector<std::string>{rabbit.name(3)});
}

TEST_CASE("a crashed leader hands over to an unsynchronised mirror, a stopped one does not",
          "[rabbitmq-sim]") {
  for (const bool crash : {true, false}) {
    DYNAMIC_SECTION((crash ? "kill" : "stop")) {
      // Not pause_minority: the last node standing must keep running.
      rabbitmq::RabbitOptions options;
      options.partition_handling = "ignore";
      RabbitWorld rabbit(3, options);
      REQUIRE(rabbit.client({1})->put_policy(ha_all("^led$")));
      rabbit.declare_and_publish("led", 10);
      // Node 3 leaves, node 2 restarts: node 2's mirror is empty, node 3 has none.
      rabbit.rabbit->stop_node(rabbit.name(3));
      rabbit.rabbit->stop_node(rabbit.name(2));
      rabbit.rabbit->start_node(rabbit.name(2));
      rabbit.advance(5s);
      REQUIRE(rabbit.queue(2, "led")->unsynchronised_mirrors() ==
              std::vector<std::string>{rabbit.name(2)});
      auto critical = rabbit.client({1})->health_check("node-is-mirror-sync-critical");
      REQUIRE(critical);
      CHECK_FALSE(critical->ok);

      if (crash) {
        rabbit.rabbit->kill_node(rabbit.name(1));
      } else {
        rabbit.rabbit->stop_node(rabbit.name(1));
      }
      rabbit.advance(5s);
      const auto queue = rabbit.queue(2, "led");
      REQUIRE(queue);
      if (crash) {
        CHECK(queue->node == rabbit.name(2));
        CHECK(queue->messages == 0u);  // what the mirror lacked is lost
      } else {
        CHECK(queue->node == rabbit.name(1));
        CHECK(queue->state == "down");
        rabbit.rabbit->start_node(rabbit.name(1));
        rabbit.advance(5s);
        CHECK(rabbit.queue(2, "led")->messages == 10u);
      }
    }
  }
}

TEST_CASE("a quorum queue is quorum-critical once a member is down, and ha-all skips it",
          "[rabbitmq-sim]") {
  RabbitWorld rabbit(3);
  REQUIRE(rabbit.client({1})->put_policy(ha_all(".*")));
  auto declared = rabbit.raw(1)->Put(
      "/api/queues/%2F/qq", R"({"arguments":{"x-queue-type":"quorum"}})", "application/json");
  REQUIRE(declared);
  CHECK(declared->status == 201);
  rabbit.advance(5s);
  auto queue = rabbit.queue(1, "qq");
  REQUIRE(queue);
  CHECK(queue->type == "quorum");
  CHECK_FALSE(queue->policy.has_value());
  CHECK_FALSE(queue->mirror_nodes.has_value());
  auto check = rabbit.client({1})->health_check("node-is-quorum-critical");
  REQUIRE(check);
  CHECK(check->ok);
  rabbit.rabbit->stop_node(rabbit.name(3));
  auto critical = rabbit.client({1})->health_check("node-is-quorum-critical");
  REQUIRE(critical);
  CHECK_FALSE(critical->ok);
  CHECK(critical->reason ==
        "There are quorum queues that would lose their quorum if the target node is shut down");
}

TEST_CASE("policy and queue errors carry the real server's bodies", "[rabbitmq-sim]") {
  RabbitWorld rabbit(1);
  auto raw = rabbit.raw(1);
  const auto put = [&](const std::string& path, const std::string& body) {
    auto response = raw->Put(path, body, "application/json");
    REQUIRE(response);
    return std::make_pair(response->status, response->body);
  };
  CHECK(
      put("/api/policies/%2F/p",
          R"({"pattern":".*","definition":{"ha-mode":"all","ha-sync-mode":"sometimes"}})") ==
      std::make_pair(
          400,
          std::string(
              R"({"error":"bad_request","reason":"Validation failed\n\nha-sync-mode must be \"manual\" or \"automatic\", got &lt;&lt;\"sometimes\"&gt;&gt;\n"})")));
  CHECK(put("/api/policies/%2F/p", R"({"definition":{"ha-mode":"all"}})") ==
        std::make_pair(
            400, std::string(R"({"error":"bad_request","reason":"[{key_missing,pattern}]"})")));
  CHECK(put("/api/policies/%2F/p", "nope") ==
        std::make_pair(400, std::string(R"({"error":"bad_request","reason":"not_json"})")));
  CHECK(
      put("/api/policies/%2F/p", R"({"pattern":".*","definition":{"x-bogus":1,"a-bogus":"s"}})") ==
      std::make_pair(
          400,
          std::string(
              R"({"error":"bad_request","reason":"Validation failed\n\n[{&lt;&lt;\"a-bogus\"&gt;&gt;,&lt;&lt;\"s\"&gt;&gt;},{&lt;&lt;\"x-bogus\"&gt;&gt;,1}] are not recognised policy settings\n"})")));
  CHECK(put("/api/policies/nov/p", R"({"pattern":".*","definition":{"ha-mode":"all"}})") ==
        std::make_pair(404, std::string(R"({"error":"not_found","reason":"vhost_not_found"})")));
  CHECK(put("/api/queues/%2F/q", R"({"durable":true})").first == 201);
  CHECK(
      put("/api/queues/%2F/q", R"({"durable":false})") ==
      std::make_pair(
          400,
          std::string(
              R"({"error":"bad_request","reason":"inequivalent arg 'durable' for queue 'q' in vhost '/': received 'false' but current is 'true'"})")));
  auto sync =
      raw->Post("/api/queues/%2F/missing/actions", R"({"action":"sync"})", "application/json");
  REQUIRE(sync);
  CHECK(sync->status == 500);
  CHECK(sync->body.empty());
  auto method = raw->Post("/api/overview", "{}", "application/json");
  REQUIRE(method);
  CHECK(method->status == 405);
}
