// Topology through the production client: the manual's procedures (add workers one at a time,
// replicas to 2, rebalance, failover, recovery) and every documented refusal.
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
constexpr const char* kPrimary = "ns_1@couchbase.isnet";

const clients::CouchbaseNode& node(const clients::CouchbaseCluster& cluster,
                                   const std::string& otp) {
  const auto* found = cluster.find_by_otp_node(otp);
  REQUIRE(found != nullptr);
  return *found;
}

//! Adds a worker the manual's way (scale to 1, add, rebalance) and waits the rebalance out.
void add_worker(CouchbaseStack& stack, clients::CouchbaseClient& client, const std::string& name) {
  stack.scale(name, 1);
  REQUIRE(client.add_node(name + ".isnet", {"kv", "index", "n1ql"}));
  auto cluster = client.cluster();
  REQUIRE(cluster);
  REQUIRE(client.rebalance(cluster->otp_nodes(), {}));
  stack.advance_seconds(21);
  REQUIRE_FALSE(client.cluster()->rebalancing());
}

//! Three active nodes, content and logs with 2 replicas, balanced.
void three_node_cluster(CouchbaseStack& stack, clients::CouchbaseClient& client) {
  add_worker(stack, client, "couchbase-worker");
  add_worker(stack, client, "couchbase-worker2");
  REQUIRE(client.set_bucket_replicas("content", 2));
  REQUIRE(client.set_bucket_replicas("logs", 2));
  REQUIRE(client.rebalance(client.cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);
  REQUIRE(client.cluster()->balanced);
}

std::string error_text(const model::Expected<model::Unit>& result) {
  REQUIRE_FALSE(result);
  return result.error().server_message;
}

}  // namespace

TEST_CASE("the manual's procedure: two workers one at a time, replicas 2, rebalance",
          "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();

  stack.scale("couchbase-worker", 1);
  auto otp = client->add_node("couchbase-worker.isnet", {"kv", "index", "n1ql"});
  REQUIRE(otp);
  CHECK(*otp == kWorker);
  auto cluster = client->cluster();
  REQUIRE(cluster);
  REQUIRE(cluster->nodes.size() == 2);
  CHECK(node(*cluster, kWorker).pending_add());
  CHECK(node(*cluster, kWorker).healthy());
  CHECK(node(*cluster, kWorker).hostname == "couchbase-worker.isnet:8091");
  CHECK_FALSE(cluster->balanced);
  REQUIRE(cluster->services_need_rebalance);
  CHECK((*cluster->services_need_rebalance)[0].code == "service_not_balanced");
  CHECK((*cluster->services_need_rebalance)[0].names ==
        std::vector<std::string>{"index", "kv", "n1ql"});

  REQUIRE(client->rebalance(cluster->otp_nodes(), {}));
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(cluster->rebalancing());
  CHECK(node(*cluster, kWorker).active());  // active from the rebalance's start
  stack.advance_seconds(10);
  auto progress = client->rebalance_progress();
  REQUIRE(progress);
  CHECK(progress->running());
  CHECK(progress->per_node.at(kWorker) == Approx(0.5));
  auto tasks = client->tasks();
  REQUIRE(tasks);
  CHECK((*tasks)[0].type == "rebalance");
  CHECK((*tasks)[0].running());
  CHECK((*tasks)[0].progress == Approx(50));

  // A second request while one runs: 200, and nothing new starts.
  auto http = stack.http("couchbase");
  const auto task_id = [&] {
    return json::parse(http->Get("/pools/default/tasks")->body).at(0).at("statusId");
  };
  const auto before = task_id();
  auto again = post_form(*http, "/controller/rebalance",
                         "knownNodes=ns_1%40couchbase.isnet%2Cns_1%40couchbase-worker.isnet");
  REQUIRE(again);
  CHECK(again->status == 200);
  CHECK(again->body.empty());
  CHECK(task_id() == before);
  CHECK(client->rebalance_progress()->per_node.at(kWorker) == Approx(0.5));

  stack.advance_seconds(11);
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK_FALSE(cluster->rebalancing());
  CHECK(cluster->balanced);
  CHECK(cluster->counters.at("rebalance_start") == 1);
  CHECK(cluster->counters.at("rebalance_success") == 1);
  CHECK(client->rebalance_progress()->status == "none");
  CHECK((*client->tasks())[0].status == "notRunning");

  add_worker(stack, *client, "couchbase-worker2");
  REQUIRE(client->set_bucket_replicas("content", 2));
  REQUIRE(client->set_bucket_replicas("logs", 2));
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK_FALSE(cluster->balanced);
  REQUIRE(cluster->buckets_need_rebalance);
  CHECK((*cluster->buckets_need_rebalance)[0].names == std::vector<std::string>{"content", "logs"});
  REQUIRE(client->rebalance(cluster->otp_nodes(), {}));
  stack.advance_seconds(21);
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(cluster->balanced);
  CHECK(cluster->nodes.size() == 3);
  for (const auto& n : cluster->nodes) {
    CHECK(n.active());
    CHECK(n.healthy());
  }
  const auto map =
      json::parse(http->Get("/pools/default/buckets/logs")->body).at("vBucketServerMap");
  CHECK(map.at("serverList").as_array().size() == 3);
  CHECK(map.at("vBucketMap").at(0).as_array().size() == 3);
}

TEST_CASE("hard failover, then a rebalance removes the failed node", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  three_node_cluster(stack, *client);

  REQUIRE(client->failover(kWorker2, false));
  auto cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(node(*cluster, kWorker2).failed_over());
  CHECK(node(*cluster, kWorker2).healthy());  // still running: "AddBack"
  CHECK(node(*cluster, kWorker2).recovery_type == "none");
  CHECK_FALSE(cluster->balanced);
  CHECK(cluster->counters.at("failover") == 1);

  // Listed in knownNodes without being ejected: a failed-over node leaves anyway, at once.
  REQUIRE(client->rebalance(cluster->otp_nodes(), {}));
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(cluster->nodes.size() == 2);
  CHECK(cluster->find_by_otp_node(kWorker2) == nullptr);
  stack.advance_seconds(21);
  CHECK(client->cluster()->balanced);
  auto worker2 = stack.http("couchbase-worker2")->Get("/pools/default");
  REQUIRE(worker2);
  CHECK(worker2->status == 404);
  CHECK(worker2->body == "\"unknown pool\"");
}

TEST_CASE("graceful failover, then delta recovery brings the node back", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  three_node_cluster(stack, *client);

  REQUIRE(client->failover(kWorker, true));
  auto cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(cluster->rebalancing());
  CHECK((*client->tasks())[0].subtype == "gracefulFailover");
  CHECK(cluster->counters.at("graceful_failover_start") == 1);
  stack.advance_seconds(11);
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK_FALSE(cluster->rebalancing());
  CHECK(node(*cluster, kWorker).failed_over());
  CHECK(cluster->counters.at("graceful_failover_success") == 1);

  REQUIRE(client->set_recovery_type(kWorker, clients::RecoveryType::kDelta));
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(node(*cluster, kWorker).pending_add());
  CHECK(node(*cluster, kWorker).recovery_type == "delta");
  REQUIRE(client->rebalance(cluster->otp_nodes(), {}));
  auto tasks = stack.http("couchbase")->Get("/pools/default/tasks");
  CHECK(json::parse(tasks->body).at(0).at("nodesInfo").at("delta_nodes") ==
        json::parse(R"(["ns_1@couchbase-worker.isnet"])"));
  stack.advance_seconds(21);
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(node(*cluster, kWorker).active());
  CHECK(node(*cluster, kWorker).recovery_type == "none");
  CHECK(cluster->balanced);
}

TEST_CASE("rebalance refusals", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  stack.scale("couchbase-worker", 1);
  REQUIRE(client->add_node("couchbase-worker.isnet", {"index"}));
  auto http = stack.http("couchbase");
  const auto body_of = [&](const std::string& form) {
    auto reply = post_form(*http, "/controller/rebalance", form);
    REQUIRE(reply);
    CHECK(reply->status == 400);
    return reply->body;
  };
  CHECK(body_of("ejectedNodes=") == R"({"empty_known_nodes":1})");
  CHECK(body_of("knownNodes=ns_1%40couchbase.isnet") == R"({"mismatch":1})");
  CHECK(body_of("knownNodes=ns_1%40couchbase.isnet,ns_1%40couchbase-worker.isnet,ns_1%40x") ==
        R"({"mismatch":1})");
  CHECK(body_of("knownNodes=ns_1%40couchbase.isnet,ns_1%40couchbase-worker.isnet&ejectedNodes="
                "ns_1%40elsewhere") == R"({"mismatch":1})");
  CHECK(body_of("knownNodes=ns_1%40couchbase.isnet,ns_1%40couchbase-worker.isnet&ejectedNodes="
                "ns_1%40couchbase.isnet,ns_1%40couchbase-worker.isnet") == "No active nodes left");
  CHECK(body_of("knownNodes=ns_1%40couchbase.isnet,ns_1%40couchbase-worker.isnet&ejectedNodes="
                "ns_1%40couchbase.isnet") == R"({"noKVNodesLeft":1})");

  const auto mismatch = client->rebalance({kPrimary}, {});
  CHECK(error_text(mismatch) == "mismatch");
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().http_status == 400);
  CHECK(mismatch.error().code == model::ErrorCode::kInvalid);

  auto started = post_form(*http, "/controller/rebalance",
                           "knownNodes=ns_1%40couchbase.isnet,ns_1%40couchbase-worker.isnet");
  REQUIRE(started);
  CHECK(started->status == 200);
  CHECK(json::parse(started->body).at("rebalance_id").as_string().size() == 32);
}

TEST_CASE("delta recovery is refused after a replica change", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  three_node_cluster(stack, *client);
  REQUIRE(client->failover(kWorker2, false));
  REQUIRE(client->set_recovery_type(kWorker2, clients::RecoveryType::kDelta));
  REQUIRE(client->set_bucket_replicas("logs", 1));
  const auto refused = client->rebalance(client->cluster()->otp_nodes(), {});
  CHECK(error_text(refused) == "deltaRecoveryNotPossible");
  // Full recovery has no such condition.
  REQUIRE(client->readd_node(kWorker2));
  CHECK(node(*client->cluster(), kWorker2).recovery_type == "full");
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
}

TEST_CASE("stopping a rebalance keeps the membership changes, unbalanced, no error",
          "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  stack.scale("couchbase-worker", 1);
  REQUIRE(client->add_node("couchbase-worker.isnet", {"kv", "index", "n1ql"}));
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(5);
  REQUIRE(client->stop_rebalance());
  auto cluster = client->cluster();
  REQUIRE(cluster);
  CHECK_FALSE(cluster->rebalancing());
  CHECK(node(*cluster, kWorker).active());
  CHECK_FALSE(cluster->balanced);
  REQUIRE(cluster->buckets_need_rebalance);
  CHECK((*cluster->buckets_need_rebalance)[0].code == "servers_not_balanced");
  CHECK(client->rebalance_progress()->error_message.empty());
  CHECK(cluster->counters.at("rebalance_stop") == 1);
  REQUIRE(client->stop_rebalance());  // nothing running: still 200

  // The worker is active but holds no bucket: the primary is the buckets' last server.
  auto refused = client->failover(kPrimary, false);
  CHECK(error_text(refused) == "Last server for bucket \"content\" cannot be failed over.");
  auto invalid =
      post_form(*stack.http("couchbase"), "/controller/stopRebalance", "allowUnsafe=perhaps");
  REQUIRE(invalid);
  CHECK(invalid->status == 400);
  CHECK(json::parse(invalid->body) ==
        json::parse(R"({"errors":{"allowUnsafe":"The value must be one of the following: )"
                    R"([true,false]"}})"));
}

TEST_CASE("an injected rebalance failure: the generic errorMessage and the log's reason",
          "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  stack.scale("couchbase-worker", 1);
  REQUIRE(client->add_node("couchbase-worker.isnet", {"kv", "index", "n1ql"}));
  stack.couchbase.fail_next_rebalance();
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(9);
  CHECK(client->rebalance_progress()->running());
  stack.advance_seconds(2);
  const std::string generic = "Rebalance failed. See logs for detailed reason. You can try again.";
  auto progress = client->rebalance_progress();
  REQUIRE(progress);
  CHECK(progress->status == "none");
  CHECK(progress->error_message == generic);
  auto tasks = client->tasks();
  REQUIRE(tasks);
  CHECK((*tasks)[0].status == "notRunning");
  CHECK((*tasks)[0].error_message == generic);
  const auto logs = json::parse(stack.http("couchbase")->Get("/logs")->body);
  CHECK(std::string(logs.at("list").at(0).at("text").as_string())
            .starts_with("Rebalance exited with reason {mover_crashed,injected_fault}."));
  auto cluster = client->cluster();
  CHECK(node(*cluster, kWorker).active());
  CHECK_FALSE(cluster->balanced);

  // Only once: the next rebalance clears the error and succeeds.
  REQUIRE(client->rebalance(cluster->otp_nodes(), {}));
  CHECK(client->rebalance_progress()->error_message.empty());
  stack.advance_seconds(21);
  CHECK(client->cluster()->balanced);
}

TEST_CASE("addNode refusals", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  auto http = stack.http("couchbase");
  const auto refusal = [&](const std::string& form, int status = 400) {
    auto reply = post_form(*http, "/controller/addNode", form);
    REQUIRE(reply);
    CHECK(reply->status == status);
    return json::parse(reply->body);
  };
  const auto list = [](const std::string& message) { return json::array{json::value(message)}; };
  CHECK(refusal("hostname=a&user=u&password=p&colour=red") ==
        list("Got unknown parameters: [\"colour\"]"));
  CHECK(refusal("user=u&password=p") == list("Hostname is required."));
  CHECK(refusal("hostname=couchbase-worker.isnet&user=u&password=p&services=kv,foo") ==
        list("Unknown services: [\"foo\"]"));
  CHECK(refusal("hostname=couchbase-worker.isnet") == list("Missing required parameter."));
  CHECK(refusal("hostname=couchbase-worker.isnet&user=u") == list("A password must be supplied."));
  CHECK(refusal("hostname=couchbase-worker.isnet&password=p") ==
        list("If a username is not specified, a password must not be supplied."));
  CHECK(refusal("hostname=ftp://couchbase-worker.isnet&user=u&password=p") ==
        list("Unsupported protocol ftp"));
  CHECK(refusal("hostname=couchbase-worker.isnet:80&user=u&password=p") ==
        list("The port number must be greater than 1023 and less than 65536."));
  CHECK(refusal("hostname=couchbase-worker.isnet:8091&user=u&password=p") ==
        list("http is prohibited due to security reasons, please use https"));

  auto unresolvable = client->add_node("nowhere.isnet", {});
  REQUIRE_FALSE(unresolvable);
  CHECK(unresolvable.error().server_message ==
        "Failed to connect to https://nowhere.isnet:18091. Unable to resolve IPv4 address for "
        "\"nowhere.isnet\". The hostname may be incorrect or not resolvable.");
  auto unreachable = client->add_node("couchbase-worker.isnet", {});  // still at 0 replicas
  REQUIRE_FALSE(unreachable);
  CHECK(unreachable.error().server_message ==
        "Failed to connect to https://couchbase-worker.isnet:18091. Could not connect to "
        "\"couchbase-worker.isnet\" on port 18091. This could be due to an incorrect host/port "
        "combination or a firewall in place between the servers.");
  auto itself = client->add_node("couchbase.isnet", {});
  REQUIRE_FALSE(itself);
  CHECK(itself.error().server_message == "Prepare join failed. Node is already part of cluster.");
  CHECK(refusal("hostname=couchbase.isnet&user=Administrator&password=nope") ==
        list("Prepare join failed. Invalid credentials. Verify username and password."));

  stack.scale("couchbase-worker", 1);
  stack.scale("couchbase-worker2", 1);
  auto lone = stack.http("couchbase-worker");
  auto not_provisioned =
      post_form(*lone, "/controller/addNode", "hostname=couchbase-worker2.isnet&user=u&password=p");
  REQUIRE(not_provisioned);
  CHECK(not_provisioned->status == 400);
  CHECK(json::parse(not_provisioned->body) ==
        list("Adding nodes to not provisioned nodes is not allowed."));

  REQUIRE(client->add_node("couchbase-worker.isnet", {}));
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  auto busy = client->add_node("couchbase-worker2.isnet", {});
  REQUIRE_FALSE(busy);
  CHECK(busy.error().server_message ==
        "Node addition is disallowed while rebalance is in progress");
  stack.advance_seconds(21);
  REQUIRE(client->add_node("couchbase-worker2.isnet", {}));
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  stack.advance_seconds(21);

  // A node whose data was wiped while the (three-node) cluster still lists it.
  stack.couchbase.wipe_data("couchbase-worker");
  auto listed = client->add_node("couchbase-worker.isnet", {});
  REQUIRE_FALSE(listed);
  CHECK(listed.error().server_message ==
        "Node already exists in cluster: ns_1@couchbase-worker.isnet");
}

TEST_CASE("addNode without quorum answers 503", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  add_worker(stack, *client, "couchbase-worker");
  stack.set_host_down("node2", true);
  stack.scale("couchbase-worker2", 1);
  auto refused = client->add_node("couchbase-worker2.isnet", {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().http_status == 503);
  CHECK(refused.error().server_message ==
        "Operation temporarily cannot be performed possibly due to loss of quorum");
}

TEST_CASE("failover refusals", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  auto http = stack.http("couchbase");
  const auto text_of = [&](const std::string& path, const std::string& form, int status) {
    auto reply = post_form(*http, path, form);
    REQUIRE(reply);
    CHECK(reply->status == status);
    return reply->body;
  };
  CHECK(text_of("/controller/failOver", "", 400) == "No server specified.");
  CHECK(text_of("/controller/failOver", "otpNode=ns_1%40x", 400) ==
        "Unknown server given: [\"ns_1@x\"]");
  CHECK(text_of("/controller/failOver", "otpNode=ns_1%40couchbase-worker.isnet", 400) ==
        "Unknown server given.");
  CHECK(error_text(client->failover(kPrimary, false)) == "Last active node cannot be failed over.");
  CHECK(error_text(client->failover(kPrimary, true)) ==
        "Failover cannot be done gracefully (would lose vbuckets).");

  stack.scale("couchbase-worker", 1);
  REQUIRE(client->add_node("couchbase-worker.isnet", {"index"}));
  CHECK(error_text(client->failover(kWorker, false)) == "Inactive server given.");
  REQUIRE(client->rebalance(client->cluster()->otp_nodes(), {}));
  auto busy = client->failover(kWorker, false);
  CHECK(error_text(busy) == "Rebalance running.");
  CHECK(busy.error().http_status == 503);
  CHECK(text_of("/controller/startGracefulFailover", "otpNode=ns_1%40couchbase-worker.isnet",
                503) == "Rebalance running.");
  stack.advance_seconds(21);
  CHECK(error_text(client->failover(kWorker, true)) ==
        "Failover cannot be done gracefully for a node without data service. Use hard failover.");
}

TEST_CASE("failover without a majority is refused", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  three_node_cluster(stack, *client);
  REQUIRE(client->set_auto_failover(false, 0, std::nullopt));
  stack.set_host_down("node2", true);
  stack.set_host_down("node3", true);
  auto refused = client->failover(kWorker, false);
  CHECK(error_text(refused) == "Cannot safely perform a failover at the moment");
  CHECK(refused.error().http_status == 500);
}

TEST_CASE("setRecoveryType, reAddNode, reFailOver and ejectNode answers", "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  three_node_cluster(stack, *client);
  auto http = stack.http("couchbase");
  const auto answer = [&](const std::string& path, const std::string& form, int status) {
    auto reply = post_form(*http, path, form);
    REQUIRE(reply);
    CHECK(reply->status == status);
    return reply->body;
  };
  CHECK(json::parse(answer("/controller/setRecoveryType",
                           "otpNode=ns_1%40couchbase-worker.isnet&recoveryType=delta", 400)) ==
        json::parse(R"({"otpNode":"invalid node name or node can't be used for delta recovery"})"));
  CHECK(json::parse(answer("/controller/setRecoveryType",
                           "otpNode=ns_1%40nowhere&recoveryType=sideways", 400)) ==
        json::parse(R"({"otpNode":"invalid node name or node can't be used for delta recovery",)"
                    R"("recoveryType":"recovery type must be either 'delta' or 'full'"})"));
  CHECK(answer("/controller/reFailOver", "otpNode=ns_1%40couchbase-worker.isnet", 400).empty());
  CHECK(answer("/controller/ejectNode", "", 400) == "Bad Request\n");
  CHECK(answer("/controller/ejectNode", "otpNode=ns_1%40nowhere", 400) ==
        "Server does not exist.\n");
  CHECK(answer("/controller/ejectNode", "otpNode=ns_1%40couchbase-worker.isnet", 400) ==
        "Cannot remove active server.\n");
  CHECK(error_text(client->eject_node(kWorker)) == "Cannot remove active server.");

  REQUIRE(client->failover(kWorker, false));
  CHECK(answer("/controller/setRecoveryType",
               "otpNode=ns_1%40couchbase-worker.isnet&recoveryType=full", 200) == "[]");
  CHECK(answer("/controller/reFailOver", "otpNode=ns_1%40couchbase-worker.isnet", 200).empty());
  CHECK(node(*client->cluster(), kWorker).failed_over());
  REQUIRE(client->eject_node(kWorker));
  auto cluster = client->cluster();
  CHECK(cluster->find_by_otp_node(kWorker) == nullptr);
  CHECK(stack.http("couchbase-worker")->Get("/pools/default")->status == 404);
}

TEST_CASE("a worker with AUTO_REBALANCE joins by itself, one without waits to be added",
          "[couchbase]") {
  SECTION("AUTO_REBALANCE=true") {
    CouchbaseStack stack(true);
    auto client = stack.client();
    stack.scale("couchbase-worker", 1);
    CHECK(client->cluster()->nodes.size() == 1);
    stack.advance_seconds(10);
    auto cluster = client->cluster();
    REQUIRE(cluster);
    REQUIRE(cluster->nodes.size() == 2);
    CHECK(node(*cluster, kWorker).active());
    CHECK(cluster->rebalancing());
    stack.advance_seconds(21);
    cluster = client->cluster();
    CHECK(cluster->balanced);
    CHECK(node(*cluster, kWorker).services == std::vector<std::string>{"kv", "index", "n1ql"});
  }
  SECTION("without") {
    CouchbaseStack stack(false);
    auto client = stack.client();
    stack.scale("couchbase-worker", 1);
    stack.advance_seconds(300);
    CHECK(client->cluster()->nodes.size() == 1);
    CHECK(stack.http("couchbase-worker")->Get("/pools/default")->status == 404);
  }
}
