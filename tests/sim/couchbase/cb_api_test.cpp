// The admin REST API's shapes: provisioning, authentication, unknown paths, unprovisioned
// nodes, bucket updates, auto-failover settings and injected HTTP faults.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "cb_fixture.hpp"
#include "support/expected_printer.hpp"

using namespace swarmop;
using namespace swarmop::sim::couchbase;
using namespace swarmop::sim::couchbase::testing;
namespace json = boost::json;

TEST_CASE("the primary starts provisioned: one active node, content and logs without replicas",
          "[couchbase]") {
  CouchbaseStack stack;
  auto client = stack.client();
  auto cluster = client->cluster();
  REQUIRE(cluster);
  REQUIRE(cluster->nodes.size() == 1);
  const auto& node = cluster->nodes[0];
  CHECK(node.otp_node == "ns_1@couchbase.isnet");
  CHECK(node.hostname == "couchbase.isnet:8091");
  CHECK(node.active());
  CHECK(node.healthy());
  CHECK(node.this_node);
  CHECK(node.services == std::vector<std::string>{"kv", "index", "n1ql"});
  CHECK(cluster->balanced);
  CHECK_FALSE(cluster->services_need_rebalance);
  CHECK(cluster->rebalance_status == "none");
  auto buckets = client->buckets();
  REQUIRE(buckets);
  REQUIRE(buckets->size() == 2);
  CHECK((*buckets)[0].name == "content");
  CHECK((*buckets)[1].name == "logs");
  CHECK((*buckets)[0].replica_number == 0);
  CHECK((*buckets)[0].bucket_type == "membase");
  auto settings = client->auto_failover();
  REQUIRE(settings);
  CHECK(settings->enabled);
  CHECK(settings->timeout_seconds == 120);
  CHECK(settings->count == 0);
  CHECK(settings->max_count == 1);
}

TEST_CASE("endpoints come in the manual's order, one port per node", "[couchbase]") {
  CouchbaseStack stack;
  const auto endpoints = stack.couchbase.endpoints();
  REQUIRE(endpoints.size() == 3);
  CHECK(endpoints[0] == stack.couchbase.endpoint("couchbase"));
  CHECK(endpoints[1] == stack.couchbase.endpoint("couchbase-worker"));
  CHECK(endpoints[2] == stack.couchbase.endpoint("couchbase-worker2.isnet"));
  CHECK(endpoints[0] != endpoints[1]);
  CHECK(stack.couchbase.endpoint("iservices_couchbase-worker") == endpoints[1]);
  CHECK_THROWS_AS(stack.couchbase.endpoint("rabbitmq"), std::out_of_range);
}

TEST_CASE("a worker at 0 replicas refuses, scaled to 1 it is an unprovisioned node",
          "[couchbase]") {
  CouchbaseStack stack;
  auto refused = stack.http("couchbase-worker")->Get("/pools");
  CHECK_FALSE(refused);

  stack.scale("couchbase-worker", 1);
  // No credentials, or any, are accepted by a node nobody provisioned.
  auto anonymous = stack.http("couchbase-worker", {"", ""});
  auto pools = anonymous->Get("/pools");
  REQUIRE(pools);
  CHECK(pools->status == 200);
  const auto body = json::parse(pools->body).as_object();
  CHECK(body.at("pools").as_array().empty());
  CHECK(body.at("uuid").is_array());
  CHECK(body.at("settings").is_array());

  auto unknown_pool =
      stack.http("couchbase-worker", {"someone", "anything"})->Get("/pools/default");
  REQUIRE(unknown_pool);
  CHECK(unknown_pool->status == 404);
  CHECK(unknown_pool->body == "\"unknown pool\"");

  auto via_client = stack.client_of("couchbase-worker")->cluster();
  REQUIRE_FALSE(via_client);
  CHECK(via_client.error().code == model::ErrorCode::kNotFound);
  CHECK(via_client.error().server_message == "unknown pool");
}

TEST_CASE("authentication: 401 with an empty body and WWW-Authenticate, 403 for read-only",
          "[couchbase]") {
  CouchbaseSimOptions options;
  options.read_only_username = "viewer";
  options.read_only_password = "viewer-pw";
  CouchbaseStack stack(false, options);

  auto anonymous = stack.http("couchbase", {"", ""})->Get("/pools/default");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(anonymous->body.empty());
  CHECK(anonymous->get_header_value("WWW-Authenticate") ==
        "Basic realm=\"Couchbase Server Admin / REST\"");

  auto quiet = stack.http("couchbase", {"Administrator", "wrong"})
                   ->Get("/pools", {{"invalid-auth-response", "on"}});
  REQUIRE(quiet);
  CHECK(quiet->status == 401);
  CHECK_FALSE(quiet->has_header("WWW-Authenticate"));

  auto wrong = stack.client({"Administrator", "not-the-password"})->cluster();
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().http_status == 401);
  CHECK(wrong.error().code == model::ErrorCode::kUnauthorized);
  CHECK(wrong.error().describe().find("not-the-password") == std::string::npos);

  auto viewer = stack.client({"viewer", "viewer-pw"});
  CHECK(viewer->cluster());
  auto forbidden = stack.http("couchbase", {"viewer", "viewer-pw"});
  auto reply = post_form(*forbidden, "/controller/rebalance", "knownNodes=ns_1%40couchbase.isnet");
  REQUIRE(reply);
  CHECK(reply->status == 403);
  CHECK(json::parse(reply->body) ==
        json::parse(R"({"message":"Forbidden. User needs the following permissions",)"
                    R"("permissions":["cluster.pools!write"]})"));
  auto bucket = post_form(*forbidden, "/pools/default/buckets/content", "replicaNumber=1");
  REQUIRE(bucket);
  CHECK(bucket->status == 403);
  CHECK(json::parse(bucket->body).at("permissions").at(0) ==
        "cluster.bucket[content].settings!write");
  auto via_client = viewer->set_bucket_replicas("content", 1);
  REQUIRE_FALSE(via_client);
  CHECK(via_client.error().code == model::ErrorCode::kUnauthorized);
}

TEST_CASE("unknown paths, methods and cluster uuids", "[couchbase]") {
  CouchbaseStack stack;
  auto http = stack.http("couchbase");
  auto missing = http->Get("/no/such/thing");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->body == "Requested resource not found.\r\n");
  CHECK(missing->get_header_value("Content-Type").starts_with("text/plain"));

  auto put = http->Put("/pools/default", "", "text/plain");
  REQUIRE(put);
  CHECK(put->status == 405);
  CHECK(put->body == "Method Not Allowed");

  auto stale_uuid = http->Get("/pools/default?uuid=0123");
  REQUIRE(stale_uuid);
  CHECK(stale_uuid->status == 404);
  CHECK(stale_uuid->body == "Cluster uuid does not match the requested.\r\n");
  const auto uuid = json::parse(http->Get("/pools")->body).at("uuid").as_string();
  auto right_uuid = http->Get(("/pools/default?uuid=" + std::string(uuid)).c_str());
  REQUIRE(right_uuid);
  CHECK(right_uuid->status == 200);

  auto no_bucket = http->Get("/pools/default/buckets/nothing");
  REQUIRE(no_bucket);
  CHECK(no_bucket->status == 404);
  CHECK(no_bucket->body == "Requested resource not found.\r\n");
}

TEST_CASE("replicaNumber: 0 to 3, integers only, too few nodes is no error", "[couchbase]") {
  CouchbaseStack stack;
  auto http = stack.http("couchbase");
  const auto error_of = [&](const std::string& value) {
    auto reply = post_form(*http, "/pools/default/buckets/content", "replicaNumber=" + value);
    REQUIRE(reply);
    CHECK(reply->status == 400);
    const auto body = json::parse(reply->body).as_object();
    CHECK(body.contains("summaries"));
    return std::string(body.at("errors").at("replicaNumber").as_string());
  };
  CHECK(error_of("abc") ==
        "The replica number must be specified and must be a non-negative integer.");
  CHECK(error_of("1.5") ==
        "The replica number must be specified and must be a non-negative integer.");
  CHECK(error_of("-1") == "Replica number must be equal to or greater than 0");
  CHECK(error_of("4") == "Replica number larger than 3 is not supported.");

  auto client = stack.client();
  auto refused = client->set_bucket_replicas("content", 4);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == model::ErrorCode::kInvalid);
  CHECK(refused.error().server_message ==
        "replicaNumber: Replica number larger than 3 is not supported.");

  // One data node, three replicas asked: accepted, and waiting for a rebalance.
  REQUIRE(client->set_bucket_replicas("content", 3));
  auto buckets = client->buckets();
  REQUIRE(buckets);
  CHECK((*buckets)[0].replica_number == 3);
  auto cluster = client->cluster();
  REQUIRE(cluster);
  CHECK_FALSE(cluster->balanced);
  REQUIRE(cluster->buckets_need_rebalance);
  CHECK((*cluster->buckets_need_rebalance)[0].code == "num_replicas_changed");
  CHECK((*cluster->buckets_need_rebalance)[0].description ==
        "Number of replicas for bucket has changed.");
  CHECK((*cluster->buckets_need_rebalance)[0].names == std::vector<std::string>{"content"});
  // The map keeps its old chains until the rebalance, numReplicas shows the new value.
  const auto bucket = json::parse(http->Get("/pools/default/buckets/content")->body);
  CHECK(bucket.at("vBucketServerMap").at("numReplicas") == 3);
  CHECK(bucket.at("vBucketServerMap").at("vBucketMap").at(0).as_array().size() == 1);

  REQUIRE(client->rebalance(cluster->otp_nodes(), {}));
  stack.advance_seconds(21);
  cluster = client->cluster();
  REQUIRE(cluster);
  CHECK(cluster->balanced);  // the extra replicas are just not placed
  const auto rebalanced = json::parse(http->Get("/pools/default/buckets/content")->body);
  const auto& chain = rebalanced.at("vBucketServerMap").at("vBucketMap").at(0).as_array();
  CHECK(chain == json::parse("[0,-1,-1,-1]").as_array());

  auto no_bucket = client->set_bucket_replicas("nothing", 1);
  REQUIRE_FALSE(no_bucket);
  CHECK(no_bucket.error().http_status == 404);
}

TEST_CASE("auto-failover settings: validation errors and the count reset", "[couchbase]") {
  CouchbaseStack stack;
  auto http = stack.http("couchbase");
  const auto errors_of = [&](const std::string& body) {
    auto reply = post_form(*http, "/settings/autoFailover", body);
    REQUIRE(reply);
    CHECK(reply->status == 400);
    return json::parse(reply->body).at("errors");
  };
  CHECK(errors_of("timeout=30") ==
        json::parse(R"({"enabled":"The value must be supplied",)"
                    R"("_":"enabled must be true for timeout to take effect"})"));
  CHECK(errors_of("enabled=true") ==
        json::parse(R"({"_":"enabled is true. A value must be supplied for timeout"})"));
  CHECK(errors_of("enabled=maybe") ==
        json::parse(R"({"enabled":"The value must be one of the following: [true,false]"})"));
  CHECK(errors_of("enabled=true&timeout=0") ==
        json::parse(R"j({"timeout":"The value must be in range from 1 to 3600 (inclusive)"})j"));
  CHECK(errors_of("enabled=true&timeout=x") ==
        json::parse(R"({"timeout":"The value must be an integer"})"));
  CHECK(errors_of("enabled=true&timeout=30&maxCount=101") ==
        json::parse(R"j({"maxCount":"The value must be in range from 1 to 100 (inclusive)"})j"));
  CHECK(errors_of("enabled=true&timeout=30&colour=blue") ==
        json::parse(R"({"colour":"Unsupported key"})"));

  auto client = stack.client();
  REQUIRE(client->set_auto_failover(true, 30, 2));
  auto settings = client->auto_failover();
  REQUIRE(settings);
  CHECK(settings->enabled);
  CHECK(settings->timeout_seconds == 30);
  CHECK(settings->max_count == 2);
  REQUIRE(client->set_auto_failover(false, 0, std::nullopt));
  CHECK_FALSE(client->auto_failover()->enabled);
  REQUIRE(client->reset_auto_failover_count());
}

TEST_CASE("injected faults: 500s, dropped connections, the next endpoint answers reads",
          "[couchbase]") {
  CouchbaseStack stack;
  stack.scale("couchbase-worker", 1);
  auto client = stack.client();
  REQUIRE(client->add_node("couchbase-worker.isnet", {"kv", "index", "n1ql"}));

  sim::FaultRule server_error;
  server_error.node = "couchbase.isnet";
  server_error.path_regex = "^/pools/default$";
  server_error.status = 500;
  server_error.message = "Unexpected server error, request logged.";
  server_error.count = 1;
  stack.couchbase.faults().add(server_error);
  auto failed = client->cluster();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().http_status == 500);
  CHECK(failed.error().code == model::ErrorCode::kTransient);
  CHECK(client->cluster());  // the rule was used up

  sim::FaultRule drop;
  drop.node = "couchbase.isnet";
  drop.drop = true;
  drop.latency_ms = 5;
  const auto id = stack.couchbase.faults().add(drop);
  // A read moves on to the worker, which knows the same cluster.
  auto via_worker = client->cluster();
  REQUIRE(via_worker);
  CHECK(via_worker->nodes.size() == 2);
  CHECK(via_worker->find_by_otp_node("ns_1@couchbase-worker.isnet")->this_node);
  stack.couchbase.faults().remove(id);
}
