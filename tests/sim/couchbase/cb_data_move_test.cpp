// A Couchbase node's data is a bind mount on the host its task ran on: moved to another host
// the node comes up as a new, empty server (the cluster lists its old identity as unhealthy,
// and the vBuckets only it held are lost); on its own host it keeps its data.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "cb_fixture.hpp"
#include "support/expected_printer.hpp"

using namespace swarmop;
using namespace swarmop::sim;
using namespace swarmop::sim::couchbase;
using namespace swarmop::sim::couchbase::testing;
namespace json = boost::json;

namespace {

constexpr const char* kWorker = "ns_1@couchbase-worker.isnet";
constexpr const char* kPrimary = "ns_1@couchbase.isnet";

void add_worker(CouchbaseStack& stack, clients::CouchbaseClient& client, const std::string& name) {
  stack.scale(name, 1);
  REQUIRE(client.add_node(name + ".isnet", {"kv", "index", "n1ql"}));
  REQUIRE(client.rebalance(client.cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);
  REQUIRE_FALSE(client.cluster()->rebalancing());
}

void set_replicas(CouchbaseStack& stack, clients::CouchbaseClient& client, int replicas) {
  REQUIRE(client.set_bucket_replicas("content", replicas));
  REQUIRE(client.set_bucket_replicas("logs", replicas));
  REQUIRE(client.rebalance(client.cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);
  REQUIRE(client.cluster()->balanced);
}

//! The node's own answers: an unprovisioned server has empty lists and no default pool.
bool unprovisioned(CouchbaseStack& stack, const std::string& node) {
  auto http = stack.http(node);
  auto pools = http->Get("/pools");
  REQUIRE(pools);
  REQUIRE(pools->status == 200);
  const auto body = json::parse(pools->body).as_object();
  auto pool = http->Get("/pools/default");
  REQUIRE(pool);
  return body.at("pools").as_array().empty() && pool->status == 404 &&
         pool->body == R"("unknown pool")";
}

std::string status_of(CouchbaseStack& stack, const std::string& via, const std::string& otp) {
  auto cluster = stack.client_of(via)->cluster();
  REQUIRE(cluster);
  const auto* node = cluster->find_by_otp_node(otp);
  REQUIRE(node != nullptr);
  return node->status;
}

std::string cluster_uuid(CouchbaseStack& stack, const std::string& via) {
  auto pools = stack.http(via)->Get("/pools");
  REQUIRE(pools);
  return std::string(json::parse(pools->body).at("uuid").as_string());
}

}  // namespace

TEST_CASE("a worker moved to another host comes up empty, the vBuckets only it held lost",
          "[couchbase][data]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  stack.pin("couchbase-worker", "node3");

  CHECK(unprovisioned(stack, "couchbase-worker"));
  CHECK(status_of(stack, "couchbase", kWorker) == "unhealthy");
  const auto losses = stack.couchbase.data_losses();
  REQUIRE(losses.size() == 1);
  const DataLoss& loss = losses[0];
  CHECK(loss.store == "couchbase");
  CHECK(loss.service == "iservices_couchbase-worker");
  CHECK(loss.identity == kWorker);
  CHECK(loss.data_host == "node2");
  CHECK(loss.started_on == "node3");
  CHECK(loss.lost);
  // replicaNumber 0 over two nodes: every vBucket's only copy, half of them on the worker.
  REQUIRE(loss.items.size() == 2);
  CHECK(loss.items[0].kind == "bucket");
  CHECK(loss.items[0].name == "content");
  CHECK(loss.items[0].count == 512);
  CHECK(loss.items[1].name == "logs");
  CHECK(loss.items[1].count == 512);
  CHECK(stack.cluster.world().data_losses().size() == 1);  // no `volume` entry beside it
}

TEST_CASE("a worker whose vBuckets all have replicas elsewhere loses nothing by a move",
          "[couchbase][data]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  set_replicas(stack, *client, 1);
  stack.pin("couchbase-worker", "node3");

  CHECK(unprovisioned(stack, "couchbase-worker"));
  const auto losses = stack.couchbase.data_losses();
  REQUIRE(losses.size() == 1);
  CHECK_FALSE(losses[0].lost);  // it came up empty, but nothing was only there
  REQUIRE(losses[0].items.size() == 2);
  CHECK(losses[0].items[0].count == 0);
  CHECK(losses[0].items[1].count == 0);
}

TEST_CASE("a worker on shared storage keeps its data wherever it runs", "[couchbase][data]") {
  CouchbaseStack stack;
  auto& world = stack.cluster.world();
  // Its data volume on a volume plugin (NFS, a cloud disk) instead of the host's directory.
  const auto inspected = world.inspect_service("iservices_couchbase-worker");
  json::object spec = inspected.body.at("Spec").as_object();
  spec["TaskTemplate"].as_object()["ContainerSpec"].as_object()["Mounts"] =
      json::array{json::object{
          {"Type", "volume"},
          {"Source", "couchbase-worker-data"},
          {"Target", "/opt/couchbase/var"},
          {"VolumeOptions", json::object{{"DriverConfig", json::object{{"Name", "nfs"}}}}}}};
  const auto version = inspected.body.at("Version").at("Index").to_number<std::uint64_t>();
  REQUIRE(world
              .update_service("iservices_couchbase-worker", std::to_string(version),
                              json::serialize(spec))
              .ok());
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  stack.pin("couchbase-worker", "node3");
  stack.advance_seconds(11);

  CHECK_FALSE(unprovisioned(stack, "couchbase-worker"));
  CHECK(status_of(stack, "couchbase", kWorker) == "healthy");
  CHECK(world.data_losses().empty());
}

TEST_CASE("a Couchbase node restarted on its own host keeps its data", "[couchbase][data]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  const std::string uuid = cluster_uuid(stack, "couchbase");
  stack.pin("couchbase", "node1");  // a new container on the same host
  stack.pin("couchbase-worker", "node2");
  stack.advance_seconds(11);  // past the bucket warm-up
  CHECK(stack.couchbase.data_losses().empty());
  CHECK(status_of(stack, "couchbase", kPrimary) == "healthy");
  CHECK(status_of(stack, "couchbase", kWorker) == "healthy");
  CHECK(cluster_uuid(stack, "couchbase-worker") == uuid);
}

TEST_CASE("moved back to the host of its files, a listed worker is that member again",
          "[couchbase][data]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  stack.pin("couchbase-worker", "node3");
  REQUIRE(unprovisioned(stack, "couchbase-worker"));
  stack.pin("couchbase-worker", "node2");
  // The old files on node2 still describe the membership the cluster kept listing.
  CHECK_FALSE(unprovisioned(stack, "couchbase-worker"));
  stack.advance_seconds(11);
  CHECK(status_of(stack, "couchbase", kWorker) == "healthy");
  CHECK(stack.couchbase.data_losses().size() == 1);  // the empty spell on node3 held nothing
}

TEST_CASE("files of a membership the cluster has ended are of no use back on their host",
          "[couchbase][data]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  add_worker(stack, *client, "couchbase-worker2");
  set_replicas(stack, *client, 1);
  stack.pin("couchbase-worker", "node3");
  // The operator's way out: fail the empty identity over, rebalance it out, add the new server.
  REQUIRE(client->failover(kWorker, false));
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);
  REQUIRE(client->cluster()->find_by_otp_node(kWorker) == nullptr);
  REQUIRE(client->add_node("couchbase-worker.isnet", {"kv", "index", "n1ql"}));
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);

  stack.pin("couchbase-worker", "node2");
  CHECK(unprovisioned(stack, "couchbase-worker"));
  CHECK(status_of(stack, "couchbase", kWorker) == "unhealthy");
  const auto losses = stack.couchbase.data_losses();
  REQUIRE(losses.size() == 2);
  CHECK(losses[1].data_host == "node3");
  CHECK(losses[1].started_on == "node2");
  CHECK_FALSE(losses[1].lost);  // one replica: the other two nodes hold a copy of everything
}

TEST_CASE("the only node moved away from its data provisions a new, empty cluster",
          "[couchbase][data]") {
  CouchbaseStack stack;
  const std::string old_uuid = cluster_uuid(stack, "couchbase");
  stack.pin("couchbase", "node2");

  const std::string new_uuid = cluster_uuid(stack, "couchbase");
  CHECK(new_uuid != old_uuid);
  auto cluster = stack.client_of("couchbase")->cluster();
  REQUIRE(cluster);
  REQUIRE(cluster->nodes.size() == 1);
  CHECK(cluster->nodes[0].otp_node == kPrimary);
  CHECK(stack.client_of("couchbase")->buckets()->size() == 2);  // the image's, empty
  const auto losses = stack.couchbase.data_losses();
  REQUIRE(losses.size() == 1);
  CHECK(losses[0].identity == kPrimary);
  CHECK(losses[0].data_host == "node1");
  CHECK(losses[0].started_on == "node2");
  CHECK(losses[0].lost);
  REQUIRE(losses[0].items.size() == 2);
  CHECK(losses[0].items[0].count == 1024);
  CHECK(losses[0].items[1].count == 1024);
  CHECK(losses[0].note.find("new, empty") != std::string::npos);
}

TEST_CASE("a primary moved away while a worker holds the cluster comes up unprovisioned",
          "[couchbase][data]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  stack.pin("couchbase", "node3");

  CHECK(unprovisioned(stack, "couchbase"));
  CHECK(status_of(stack, "couchbase-worker", kPrimary) == "unhealthy");
  const auto losses = stack.couchbase.data_losses();
  REQUIRE(losses.size() == 1);
  CHECK(losses[0].identity == kPrimary);
  CHECK(losses[0].lost);
  CHECK(losses[0].items[0].count == 512);

  // Back on node1 its files still fit: the cluster is whole again.
  stack.pin("couchbase", "node1");
  stack.advance_seconds(11);
  CHECK(status_of(stack, "couchbase-worker", kPrimary) == "healthy");
}

TEST_CASE("the data-loss record is readable at GET /_sim/data/losses", "[couchbase][data]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  stack.pin("couchbase-worker", "node3");

  httplib::Client engine(stack.cluster.tcp_address("node1").replace(0, 6, "http://"));
  auto reply = engine.Get("/_sim/data/losses");
  REQUIRE(reply);
  REQUIRE(reply->status == 200);
  const auto list = json::parse(reply->body).as_array();
  REQUIRE(list.size() == 1);
  const auto& entry = list[0].as_object();
  CHECK(entry.at("Store") == "couchbase");
  CHECK(entry.at("Service") == "iservices_couchbase-worker");
  CHECK(entry.at("Identity") == kWorker);
  CHECK(entry.at("DataHost") == "node2");
  CHECK(entry.at("StartedOn") == "node3");
  CHECK(entry.at("Lost") == true);
  CHECK(entry.at("Items").as_array().at(0) ==
        json::object{{"Kind", "bucket"}, {"Name", "content"}, {"Count", 512}});
}
