// Nodes going down and coming back with the swarm: unhealthy nodes, warm-up, auto-failover
// and its conditions, index warm-up failing a rebalance (the manual's known issue).
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "cb_fixture.hpp"
#include "support/expected_printer.hpp"

using namespace swarmop;
using namespace swarmop::sim::couchbase;
using namespace swarmop::sim::couchbase::testing;
namespace json = boost::json;

namespace {

constexpr const char* kWorker = "ns_1@couchbase-worker.isnet";
constexpr const char* kWorker2 = "ns_1@couchbase-worker2.isnet";

const clients::CouchbaseNode& node(const clients::CouchbaseCluster& cluster,
                                   const std::string& otp) {
  const auto* found = cluster.find_by_otp_node(otp);
  REQUIRE(found != nullptr);
  return *found;
}

void add_worker(CouchbaseStack& stack, clients::CouchbaseClient& client, const std::string& name) {
  stack.scale(name, 1);
  REQUIRE(client.add_node(name + ".isnet", {"kv", "index", "n1ql"}));
  REQUIRE(client.rebalance(client.cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);
}

void with_replicas(CouchbaseStack& stack, clients::CouchbaseClient& client, int replicas) {
  REQUIRE(client.set_bucket_replicas("content", replicas));
  REQUIRE(client.set_bucket_replicas("logs", replicas));
  REQUIRE(client.rebalance(client.cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);
  REQUIRE(client.cluster()->balanced);
}

}  // namespace

TEST_CASE("a swarm node going down makes its Couchbase node unhealthy and refuse", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  REQUIRE(client->set_auto_failover(false, 0, std::nullopt));

  stack.set_host_down("node1", true);
  CHECK_FALSE(stack.http("couchbase")->Get("/pools"));
  auto cluster = client->cluster();  // the primary refuses: the worker answers
  REQUIRE(cluster);
  CHECK(node(*cluster, "ns_1@couchbase.isnet").status == "unhealthy");
  CHECK(node(*cluster, kWorker).this_node);

  stack.set_host_down("node1", false);
  stack.advance_seconds(1);
  cluster = client->cluster();
  REQUIRE(cluster);
  // Back with its data: the buckets load again first.
  CHECK(node(*cluster, "ns_1@couchbase.isnet").warming_up());
  auto tasks = client->tasks();
  REQUIRE(tasks);
  int warming = 0;
  for (const auto& task : *tasks) {
    if (task.type == "warming_up") {
      ++warming;
      CHECK(task.node == "ns_1@couchbase.isnet");
      CHECK(task.running());
    }
  }
  CHECK(warming == 2);
  stack.advance_seconds(10);
  CHECK(node(*client->cluster(), "ns_1@couchbase.isnet").healthy());
}

TEST_CASE("a partition leaves the container running: no warm-up afterwards", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  stack.cluster.set_partitioned("node2", true);
  stack.couchbase.tick();
  CHECK(node(*client->cluster(), kWorker).status == "unhealthy");
  stack.cluster.set_partitioned("node2", false);
  stack.couchbase.tick();
  CHECK(node(*client->cluster(), kWorker).healthy());
}

TEST_CASE("auto-failover after the timeout with three nodes, once, until a rebalance",
          "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  add_worker(stack, *client, "couchbase-worker2");
  with_replicas(stack, *client, 2);

  stack.set_host_down("node3", true);
  stack.advance_seconds(119);
  auto cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(node(*cluster, kWorker2).active());
  CHECK(node(*cluster, kWorker2).status == "unhealthy");
  stack.advance_seconds(2);
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(node(*cluster, kWorker2).failed_over());
  CHECK(client->auto_failover()->count == 1);

  // maxCount 1 reached: the next node down stays active.
  stack.set_host_down("node2", true);
  stack.advance_seconds(300);
  CHECK(node(*client->cluster(), kWorker).active());
  stack.set_host_down("node2", false);
  stack.advance_seconds(61);  // its indexes warm up first: a rebalance before would fail

  // A successful rebalance (removing the failed node) resets the count.
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);
  CHECK(client->auto_failover()->count == 0);
}

TEST_CASE("no auto-failover with two nodes: no majority", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  with_replicas(stack, *client, 1);
  stack.set_host_down("node2", true);
  stack.advance_seconds(600);
  CHECK(node(*client->cluster(), kWorker).active());
  CHECK(client->auto_failover()->count == 0);
}

TEST_CASE("no auto-failover that would lose data: buckets without replicas", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  add_worker(stack, *client, "couchbase-worker2");
  stack.set_host_down("node3", true);
  stack.advance_seconds(600);
  CHECK(node(*client->cluster(), kWorker2).active());
}

TEST_CASE("a change in the set of down nodes restarts the auto-failover timer", "[couchbase]") {
  CouchbaseSimOptions options;
  options.auto_failover_max_count = 2;
  CouchbaseStack stack(false, options);
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  add_worker(stack, *client, "couchbase-worker2");
  with_replicas(stack, *client, 2);
  REQUIRE(client->set_auto_failover(true, 60, 2));

  stack.set_host_down("node3", true);
  stack.advance_seconds(50);
  stack.couchbase.set_process_down("couchbase-worker", true);
  stack.advance_seconds(20);  // 70 s for node3, but the set changed 20 s ago
  auto cluster = client->cluster();
  CHECK(node(*cluster, kWorker2).active());
  // Two of three down: no majority, so nothing is failed over even after the timeout.
  stack.advance_seconds(60);
  CHECK(node(*client->cluster(), kWorker2).active());
  stack.couchbase.set_process_down("couchbase-worker", false);
  stack.advance_seconds(61);
  CHECK(node(*client->cluster(), kWorker2).failed_over());
}

TEST_CASE("indexes warm up after a restart, and a rebalance meanwhile fails (the known issue)",
          "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  add_worker(stack, *client, "couchbase-worker2");
  with_replicas(stack, *client, 2);
  REQUIRE(client->set_auto_failover(false, 0, std::nullopt));

  auto status = client->index_status();
  REQUIRE(status);
  CHECK(status->indexes.size() == 6);  // #primary of content and logs on each index node
  for (const auto& index : status->indexes) {
    CHECK(index.status == "Ready");
  }

  stack.set_host_down("node3", true);
  REQUIRE(client->failover(kWorker2, false));
  status = client->index_status();
  REQUIRE(status);
  CHECK_FALSE(status->warnings.empty());  // the down indexer cannot be asked

  stack.set_host_down("node3", false);
  stack.advance_seconds(11);
  status = client->index_status();
  REQUIRE(status);
  CHECK(status->warnings.empty());
  int warming = 0;
  for (const auto& index : status->indexes) {
    if (index.hosts == std::vector<std::string>{"couchbase-worker2.isnet:8091"}) {
      CHECK(index.status == "Warmup");
      ++warming;
    }
  }
  CHECK(warming == 2);
  REQUIRE(client->set_recovery_type(kWorker2, clients::RecoveryType::kDelta));
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(3);
  auto progress = client->rebalance_progress();
  REQUIRE(progress);
  CHECK(progress->error_message ==
        "Rebalance failed. See logs for detailed reason. You can try again.");
  const auto logs = json::parse(stack.http("couchbase")->Get("/logs")->body);
  CHECK(std::string(logs.at("list").at(0).at("text").as_string())
            .starts_with("Rebalance exited with reason {service_rebalance_failed,index,"));

  // Once the indexes are Ready the same rebalance succeeds.
  stack.advance_seconds(60);
  const auto ready = client->index_status();
  REQUIRE(ready);
  for (const auto& index : ready->indexes) {
    CHECK(index.status == "Ready");
  }
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);
  auto cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(cluster->balanced);
  CHECK(node(*cluster, kWorker2).active());
  CHECK(client->rebalance_progress()->error_message.empty());
}

TEST_CASE("a node going down during a rebalance fails it", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  stack.scale("couchbase-worker2", 1);
  REQUIRE(client->add_node("couchbase-worker2.isnet", {"kv"}));
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(5);
  stack.couchbase.set_process_down("couchbase-worker2", true);
  auto progress = client->rebalance_progress();
  REQUIRE(progress);
  CHECK(progress->status == "none");
  CHECK(progress->error_message ==
        "Rebalance failed. See logs for detailed reason. You can try again.");
}
