// The RabbitMQ management client's contract, run against a cluster under test: the real
// three-node harness cluster and the RabbitMQ simulator. Each test states what the management
// API does, through the production client only; a difference between the two is a simulator bug.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "rabbit_cluster_under_test.hpp"
#include "support/expected_printer.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"

using namespace swarmop;
using namespace swarmop::contract;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// Every test starts from all nodes running, without the tests' policies and queues.
struct Fresh {
  Fresh() { rabbit_cluster().reset(); }
};

clients::RabbitPolicy test_policy(const std::string& name, const std::string& pattern, int priority,
                                  json::object definition) {
  clients::RabbitPolicy policy;
  policy.vhost = "/";
  policy.name = name;
  policy.pattern = pattern;
  policy.apply_to = "queues";
  policy.priority = priority;
  policy.definition = std::move(definition);
  return policy;
}

clients::RabbitPolicy ha_all(const std::string& name, const std::string& pattern) {
  return test_policy(name, pattern, 0, {{"ha-mode", "all"}, {"ha-sync-mode", "manual"}});
}

std::optional<bool> running(clients::RabbitClient& client, const std::string& node_name) {
  auto nodes = client.nodes();
  if (!nodes) {
    return std::nullopt;
  }
  for (const auto& node : *nodes) {
    if (node.name == node_name) {
      return node.running;
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("the overview names a 3.10 server with classic mirroring", "[contract]") {
  Fresh fresh;
  auto client = rabbit_node(1);
  auto overview = client->overview();
  REQUIRE(overview);
  CHECK(overview->rabbitmq_version.rfind("3.10.", 0) == 0);
  CHECK(overview->major_version() == 3);
  CHECK(overview->has_classic_mirroring());
  CHECK(overview->node == rabbit_cluster().node_name(1));
}

TEST_CASE("nodes are all running and report no partitions once their stats arrive", "[contract]") {
  Fresh fresh;
  auto client = rabbit_node(1);
  auto nodes = client->nodes();
  REQUIRE(nodes);
  REQUIRE(static_cast<int>(nodes->size()) == rabbit_cluster().node_count());
  std::set<std::string> names;
  for (const auto& node : *nodes) {
    names.insert(node.name);
    CHECK(node.running);
    CHECK(node.type == "disc");
    CHECK_FALSE(node.mem_alarm);
    CHECK_FALSE(node.disk_free_alarm);
  }
  std::set<std::string> expected;
  for (int k = 1; k <= rabbit_cluster().node_count(); ++k) {
    expected.insert(rabbit_cluster().node_name(k));
  }
  CHECK(names == expected);

  // `partitions` is absent until a node's first statistics arrive: "not known" is no answer.
  std::vector<clients::RabbitNode> last;
  const bool known = rabbit_wait_until(
      [&] {
        auto now = client->nodes();
        if (!now) {
          return false;
        }
        last = *now;
        for (const auto& node : last) {
          if (!node.partitions) {
            return false;
          }
        }
        return true;
      },
      30s);
  REQUIRE(known);
  for (const auto& node : last) {
    INFO(node.name);
    CHECK(node.partitions->empty());
  }
}

TEST_CASE("a policy is created, updated, read back and deleted", "[contract]") {
  Fresh fresh;
  auto client = rabbit_node(1);
  const auto policy = ha_all("contract-lifecycle", "^contract-lifecycle\\.");

  auto created = client->put_policy(policy);
  REQUIRE(created);
  CHECK(*created == clients::PolicyWrite::kCreated);
  auto updated = client->put_policy(policy);
  REQUIRE(updated);
  CHECK(*updated == clients::PolicyWrite::kUpdated);

  auto read = client->policy("/", "contract-lifecycle");
  REQUIRE(read);
  REQUIRE(read->has_value());
  CHECK((*read)->name == "contract-lifecycle");
  CHECK((*read)->vhost == "/");
  CHECK((*read)->pattern == policy.pattern);
  CHECK((*read)->same_effect_as(policy));
  auto listed = client->policies("/");
  REQUIRE(listed);
  bool found = false;
  for (const auto& item : *listed) {
    found = found || (item.name == "contract-lifecycle" && item.same_effect_as(policy));
  }
  CHECK(found);

  auto deleted = client->delete_policy("/", "contract-lifecycle");
  REQUIRE(deleted);
  CHECK(*deleted == clients::PolicyDelete::kDeleted);
  auto again = client->delete_policy("/", "contract-lifecycle");
  REQUIRE(again);
  CHECK(*again == clients::PolicyDelete::kWasAbsent);
  auto gone = client->policy("/", "contract-lifecycle");
  REQUIRE(gone);
  CHECK_FALSE(gone->has_value());
}

TEST_CASE("an invalid policy is refused with 400 and the server's reason", "[contract]") {
  Fresh fresh;
  auto client = rabbit_node(1);
  auto bad =
      test_policy("contract-bad", "^contract-bad$", 0, {{"ha-mode", "all"}, {"ha-params", 2}});
  auto result = client->put_policy(bad);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == model::ErrorCode::kInvalid);
  CHECK(result.error().http_status == 400);
  CHECK_THAT(result.error().server_message, Catch::Contains("does not take parameters"));
  CHECK_THAT(result.error().message, Catch::Contains("400"));
  CHECK_THAT(result.error().message, Catch::Contains("does not take parameters"));
  auto absent = client->policy("/", "contract-bad");
  REQUIRE(absent);
  CHECK_FALSE(absent->has_value());
}

TEST_CASE("a higher-priority policy matching a queue shadows ha-all", "[contract]") {
  Fresh fresh;
  auto client = rabbit_node(1);
  REQUIRE(client->put_policy(ha_all("contract-ha-all", "^contract-")));
  REQUIRE(client->put_policy(
      test_policy("contract-shadow", "^contract-shadowed$", 10, {{"max-length", 1000}})));
  rabbit_cluster().publish("contract-shadowed", 1);
  rabbit_cluster().publish("contract-unshadowed", 1);

  std::optional<clients::RabbitQueue> shadowed;
  std::optional<clients::RabbitQueue> unshadowed;
  const bool settled = rabbit_wait_until(
      [&] {
        shadowed = queue_named(*client, "contract-shadowed");
        unshadowed = queue_named(*client, "contract-unshadowed");
        return shadowed && unshadowed && shadowed->policy == "contract-shadow" &&
               unshadowed->policy == "contract-ha-all" && unshadowed->mirror_nodes &&
               unshadowed->mirror_nodes->size() == 2;
      },
      30s);
  INFO("shadowed policy: " << (shadowed && shadowed->policy ? *shadowed->policy : "-"));
  REQUIRE(settled);
  // Only one policy applies to a queue: the shadowed one is not mirrored at all.
  CHECK((!shadowed->mirror_nodes || shadowed->mirror_nodes->empty()));
}

TEST_CASE("ha-all mirrors a queue and a restarted mirror is unsynchronised until synced",
          "[contract]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  auto client = rabbit_node(1);
  const std::string node2 = cluster.node_name(2);
  const std::string node3 = cluster.node_name(3);
  REQUIRE(client->put_policy(ha_all("contract-ha-all", "^contract-mirrored$")));
  cluster.publish("contract-mirrored", 10, 1);

  std::optional<clients::RabbitQueue> queue;
  const bool mirrored = rabbit_wait_until(
      [&] {
        queue = queue_named(*client, "contract-mirrored");
        return queue && queue->policy == "contract-ha-all" &&
               as_set(queue->mirror_nodes) == std::set<std::string>{node2, node3};
      },
      30s);
  REQUIRE(mirrored);
  CHECK(queue->node == cluster.node_name(1));
  CHECK(queue->type == "classic");

  cluster.stop(3);
  CHECK(rabbit_wait_until([&] { return running(*client, node3) == false; }, 30s));
  // The other two still run.
  CHECK(running(*client, node2) == true);

  cluster.start(3);
  CHECK(rabbit_wait_until([&] { return running(*client, node3) == true; }, 60s));
  cluster.publish("contract-mirrored", 5, 1);
  const bool unsynchronised = rabbit_wait_until(
      [&] {
        queue = queue_named(*client, "contract-mirrored");
        if (!queue || as_set(queue->mirror_nodes) != std::set<std::string>{node2, node3}) {
          return false;
        }
        const auto behind = queue->unsynchronised_mirrors();
        return std::find(behind.begin(), behind.end(), node3) != behind.end() &&
               queue->messages == 15;
      },
      60s);
  REQUIRE(unsynchronised);
  CHECK(queue->unsynchronised_mirrors() == std::vector<std::string>{node3});

  auto sync = client->sync_queue("/", "contract-mirrored");
  REQUIRE(sync);
  const bool synchronised = rabbit_wait_until(
      [&] {
        queue = queue_named(*client, "contract-mirrored");
        return queue && as_set(queue->mirror_nodes) == std::set<std::string>{node2, node3} &&
               queue->unsynchronised_mirrors().empty();
      },
      60s);
  CHECK(synchronised);
}

TEST_CASE("a client over several endpoints fails over to the next one", "[contract]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  auto both = rabbit_client({3, 1});
  auto only3 = rabbit_client({3});
  {
    auto overview = both->overview();
    REQUIRE(overview);
    CHECK(overview->node == cluster.node_name(3));
  }

  cluster.stop(3);
  auto overview = both->overview();
  REQUIRE(overview);
  CHECK(overview->node == cluster.node_name(1));
  auto nodes = both->nodes();
  REQUIRE(nodes);
  CHECK(nodes->size() == 3u);
  // A refused connection never reached node 3, so a write moves on too.
  auto written = both->put_policy(ha_all("contract-failover", "^contract-failover$"));
  REQUIRE(written);
  CHECK(*written == clients::PolicyWrite::kCreated);

  auto down = only3->overview();
  REQUIRE_FALSE(down);
  CHECK(down.error().code == model::ErrorCode::kTransient);
  CHECK(down.error().http_status == 0);
  CHECK_THAT(down.error().message,
             Catch::Contains("refused (stopped, or paused by pause_minority)"));
  CHECK_THAT(down.error().message, Catch::Contains(cluster.management_url(3)));
  auto write_down = only3->delete_policy("/", "contract-failover");
  REQUIRE_FALSE(write_down);
  CHECK_THAT(write_down.error().message,
             Catch::Contains("refused (stopped, or paused by pause_minority)"));
}

TEST_CASE("a node paused by pause_minority is refused like a stopped one", "[contract]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  auto client = rabbit_node(1);
  auto both = rabbit_client({3, 1});
  auto only3 = rabbit_client({3});

  cluster.partition(3);
  CHECK(rabbit_wait_until([&] { return running(*client, cluster.node_name(3)) == false; }, 30s));
  // Node 3 is alive but paused: its management listener is gone, as if it were stopped.
  std::optional<model::Error> refused;
  CHECK(rabbit_wait_until(
      [&] {
        auto overview = only3->overview();
        if (overview) {
          return false;
        }
        refused = overview.error();
        return true;
      },
      30s));
  REQUIRE(refused);
  CHECK(refused->code == model::ErrorCode::kTransient);
  CHECK_THAT(refused->message, Catch::Contains("refused (stopped, or paused by pause_minority)"));
  auto overview = both->overview();
  REQUIRE(overview);
  CHECK(overview->node == cluster.node_name(1));
  // The majority reports no partition: a cut-off minority pauses instead.
  auto nodes = client->nodes();
  REQUIRE(nodes);
  for (const auto& node : *nodes) {
    if (node.running && node.partitions) {
      CHECK(node.partitions->empty());
    }
  }

  cluster.heal(3);
  CHECK(rabbit_wait_until([&] { return running(*client, cluster.node_name(3)) == true; }, 60s));
  CHECK(rabbit_wait_until([&] { return static_cast<bool>(only3->overview()); }, 60s));
}

TEST_CASE("wrong credentials are refused with 401 as unauthorised", "[contract]") {
  Fresh fresh;
  auto creds = rabbit_cluster().credentials();
  creds.password += "-wrong";
  auto client = rabbit_client({1}, creds);
  auto overview = client->overview();
  REQUIRE_FALSE(overview);
  CHECK(overview.error().code == model::ErrorCode::kUnauthorized);
  CHECK(overview.error().http_status == 401);
  CHECK_THAT(overview.error().message, !Catch::Contains(creds.password));
  // A 401 is an answer: the client does not move on to the next endpoint.
  auto two = rabbit_client({1, 2}, creds);
  auto nodes = two->nodes();
  REQUIRE_FALSE(nodes);
  CHECK(nodes.error().code == model::ErrorCode::kUnauthorized);
  CHECK(nodes.error().target == rabbit_cluster().management_url(1));
}

TEST_CASE("the alarms health check passes on a healthy node", "[contract]") {
  Fresh fresh;
  for (int k = 1; k <= rabbit_cluster().node_count(); ++k) {
    auto result = rabbit_node(k)->health_check("alarms");
    REQUIRE(result);
    CHECK(result->ok);
  }
}

TEST_CASE("an identical re-put is a 204 that changes nothing, a changed one a 204 that does",
          "[contract]") {
  Fresh fresh;
  auto client = rabbit_node(1);
  const auto policy = ha_all("contract-reput", "^contract-reput$");
  auto created = client->put_policy(policy);
  REQUIRE(created);
  CHECK(*created == clients::PolicyWrite::kCreated);

  auto identical = client->put_policy(policy);
  REQUIRE(identical);
  CHECK(*identical == clients::PolicyWrite::kUpdated);
  auto read = client->policy("/", "contract-reput");
  REQUIRE(read);
  REQUIRE(read->has_value());
  CHECK((*read)->same_effect_as(policy));

  auto changed = policy;
  changed.priority = 3;
  changed.definition["ha-sync-mode"] = "automatic";
  auto updated = client->put_policy(changed);
  REQUIRE(updated);
  CHECK(*updated == clients::PolicyWrite::kUpdated);
  // Any node answers with the cluster-wide policy.
  auto reread = rabbit_node(2)->policy("/", "contract-reput");
  REQUIRE(reread);
  REQUIRE(reread->has_value());
  CHECK((*reread)->same_effect_as(changed));
  CHECK_FALSE((*reread)->same_effect_as(policy));
}

TEST_CASE("a stopped node is reported as not running, without statistics, until it starts",
          "[contract]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  const std::string node2 = cluster.node_name(2);
  cluster.stop(2);
  for (const int k : {1, 3}) {
    auto client = rabbit_node(k);
    INFO("as seen by node " << k);
    CHECK(rabbit_wait_until([&] { return running(*client, node2) == false; }, 30s));
    auto nodes = client->nodes();
    REQUIRE(nodes);
    for (const auto& node : *nodes) {
      if (node.name == node2) {
        CHECK_FALSE(node.running);
        CHECK_FALSE(node.partitions.has_value());  // a stopped member has no statistics
      }
    }
  }
  auto only2 = rabbit_node(2);
  auto refused = only2->overview();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == model::ErrorCode::kTransient);

  cluster.start(2);
  auto client = rabbit_node(1);
  CHECK(rabbit_wait_until([&] { return running(*client, node2) == true; }, 60s));
  CHECK(static_cast<bool>(only2->overview()));
}

TEST_CASE("a transient split shows in partitions and the cluster recovers by itself",
          "[contract]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  const std::string node3 = cluster.node_name(3);
  auto node1 = rabbit_node(1);
  auto node2 = rabbit_node(2);
  // Wait for statistics first, so that a partition cannot hide behind "not known yet".
  REQUIRE(rabbit_wait_until(
      [&] {
        auto nodes = node1->nodes();
        return nodes && std::all_of(nodes->begin(), nodes->end(),
                                    [](const auto& node) { return node.partitions.has_value(); });
      },
      30s));

  cluster.blip(3);
  // The majority's own entries name node 3 for a few seconds (seen through node 1 or 2).
  std::string seen;
  const bool reported = rabbit_wait_until(
      [&] {
        for (auto* client : {node1.get(), node2.get()}) {
          auto nodes = client->nodes();
          if (!nodes) {
            continue;
          }
          for (const auto& node : *nodes) {
            if (node.name != node3 && node.partitions &&
                std::find(node.partitions->begin(), node.partitions->end(), node3) !=
                    node.partitions->end()) {
              seen = node.name;
              return true;
            }
          }
        }
        return false;
      },
      45s);
  REQUIRE(reported);
  INFO("reported by " << seen);

  const bool recovered = rabbit_wait_until(
      [&] {
        auto nodes = node1->nodes();
        if (!nodes || static_cast<int>(nodes->size()) != cluster.node_count()) {
          return false;
        }
        return std::all_of(nodes->begin(), nodes->end(), [](const auto& node) {
          return node.running && node.partitions && node.partitions->empty();
        });
      },
      60s);
  CHECK(recovered);
}

TEST_CASE("syncing a queue that does not exist is a 500 on 3.x", "[contract]") {
  Fresh fresh;
  auto client = rabbit_node(1);
  auto result = client->sync_queue("/", "contract-no-such-queue");
  REQUIRE_FALSE(result);
  CHECK(result.error().http_status == 500);
  CHECK(result.error().code == model::ErrorCode::kTransient);
}
