#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>

#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/clients/couchbase_json.hpp"

using namespace swarmop;
using namespace swarmop::clients;
namespace json = boost::json;

namespace {

//! Answers from a script and remembers what was sent.
class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(std::string name, std::vector<HttpRequest>* sent)
      : name_(std::move(name)), sent_(sent) {}

  void answer(int status, std::string body) {
    script_.emplace_back(HttpResponse{status, std::move(body), {}});
  }
  void fail(bool not_sent) {
    model::Error error;
    error.code = model::ErrorCode::kTransient;
    error.message = not_sent ? "connection refused" : "operation timed out";
    error.not_sent = not_sent;
    script_.emplace_back(error);
  }

  model::Expected<HttpResponse> send(const HttpRequest& request) override {
    sent_->push_back(request);
    sent_->back().path = name_ + request.path;  // which endpoint got it
    if (script_.empty()) {
      return HttpResponse{500, "no script", {}};
    }
    auto next = script_.front();
    script_.pop_front();
    return next;
  }
  model::Expected<int> stream(const HttpRequest&, const std::function<bool(std::string_view)>&,
                              const std::atomic<bool>*) override {
    return 0;
  }
  std::string display() const override { return "http://" + name_ + ":8091"; }

 private:
  std::string name_;
  std::vector<HttpRequest>* sent_;
  std::deque<model::Expected<HttpResponse>> script_;
};

const BasicAuth kAdmin{"Administrator", "s3cr3t-Couch!pw"};

struct Cluster {
  std::vector<HttpRequest> sent;
  ScriptedTransport* primary = nullptr;
  ScriptedTransport* worker = nullptr;
  std::unique_ptr<CouchbaseHttpClient> client;

  Cluster() {
    auto first = std::make_unique<ScriptedTransport>("cb1", &sent);
    auto second = std::make_unique<ScriptedTransport>("cb2", &sent);
    primary = first.get();
    worker = second.get();
    std::vector<std::unique_ptr<HttpTransport>> endpoints;
    endpoints.push_back(std::move(first));
    endpoints.push_back(std::move(second));
    client = std::make_unique<CouchbaseHttpClient>(std::move(endpoints), kAdmin);
  }
};

void check_no_credentials(const model::Error& error) {
  for (const std::string& text :
       {error.message, error.server_message, error.operation, error.target, error.describe()}) {
    CHECK(text.find(kAdmin.password) == std::string::npos);
  }
}

// Bodies from the reference (docs/ns_server examples), trimmed to the keys the operator reads.
constexpr const char* kPoolsDefault = R"({
  "name":"default","rebalanceStatus":"none","balanced":false,
  "servicesNeedRebalance":[{"code":"service_not_balanced","description":"Service needs rebalance.",
                            "services":["kv","index"]}],
  "bucketsNeedRebalance":[{"code":"num_replicas_changed",
                           "description":"Number of replicas for bucket has changed.",
                           "buckets":["skylar"]}],
  "counters":{"rebalance_start":1,"rebalance_success":1,"graceful_failover_start":1},
  "nodes":[
    {"clusterMembership":"active","recoveryType":"none","status":"healthy",
     "otpNode":"ns_1@10.144.210.101","thisNode":true,"hostname":"10.144.210.101:8091",
     "version":"7.6.2-3721-enterprise","services":["index","kv","n1ql"],
     "ports":{"direct":11210},"systemStats":{}},
    {"clusterMembership":"inactiveAdded","recoveryType":"none","status":"unhealthy",
     "otpNode":"ns_1@10.144.210.102","hostname":"10.144.210.102:8091","services":["kv"]},
    {"clusterMembership":"inactiveFailed","recoveryType":"none","status":"warmup",
     "otpNode":"ns_1@10.144.210.103","hostname":"10.144.210.103:8091","services":["kv"]}]})";

}  // namespace

TEST_CASE("cluster: memberships, status, rebalance reasons (7.6+)", "[unit][couchbase]") {
  auto cluster = couchbase_json::decode_cluster(json::parse(kPoolsDefault));
  REQUIRE(cluster);
  REQUIRE(cluster->nodes.size() == 3);
  const auto& first = cluster->nodes[0];
  CHECK(first.otp_node == "ns_1@10.144.210.101");
  CHECK(first.hostname == "10.144.210.101:8091");
  CHECK(first.active());
  CHECK(first.healthy());
  CHECK(first.this_node);
  CHECK(first.has_service("n1ql"));
  CHECK(cluster->nodes[1].pending_add());
  CHECK(cluster->nodes[1].status == "unhealthy");
  CHECK(cluster->nodes[2].failed_over());
  CHECK(cluster->nodes[2].warming_up());
  CHECK_FALSE(cluster->rebalancing());
  CHECK_FALSE(cluster->balanced);
  REQUIRE(cluster->services_need_rebalance);
  CHECK((*cluster->services_need_rebalance)[0].names == std::vector<std::string>{"kv", "index"});
  REQUIRE(cluster->buckets_need_rebalance);
  CHECK((*cluster->buckets_need_rebalance)[0].code == "num_replicas_changed");
  CHECK((*cluster->buckets_need_rebalance)[0].names == std::vector<std::string>{"skylar"});
  CHECK(cluster->counters.at("graceful_failover_start") == 1);
  CHECK(cluster->otp_nodes() == std::vector<std::string>{"ns_1@10.144.210.101",
                                                         "ns_1@10.144.210.102",
                                                         "ns_1@10.144.210.103"});
  REQUIRE(cluster->find_by_hostname("10.144.210.102:8091") != nullptr);
  CHECK(cluster->find_by_otp_node("ns_1@nowhere") == nullptr);
}

TEST_CASE("cluster: 7.1 shape (no reasons) and a running rebalance", "[unit][couchbase]") {
  auto cluster = couchbase_json::decode_cluster(json::parse(R"({"rebalanceStatus":"running",
    "balanced":true,"nodes":[{"otpNode":"ns_1@a","hostname":"a:8091","status":"healthy",
    "clusterMembership":"active","services":["kv"]}]})"));
  REQUIRE(cluster);
  CHECK(cluster->rebalancing());
  CHECK(cluster->balanced);
  CHECK_FALSE(cluster->services_need_rebalance.has_value());
  CHECK_FALSE(cluster->buckets_need_rebalance.has_value());
  CHECK(cluster->nodes[0].recovery_type == "none");
}

TEST_CASE("buckets, addNode answer, auto-failover, index status", "[unit][couchbase]") {
  auto buckets = couchbase_json::decode_buckets(json::parse(R"([
    {"name":"travel-sample","bucketType":"membase","storageBackend":"couchstore",
     "uuid":"a155458a6fa79f661d7586816cddc860","numVBuckets":1024,"replicaNumber":1,
     "quota":{"ram":104857600,"rawRAM":104857600}}])"));
  REQUIRE(buckets);
  REQUIRE(buckets->size() == 1);
  CHECK((*buckets)[0].name == "travel-sample");
  CHECK((*buckets)[0].bucket_type == "membase");
  CHECK((*buckets)[0].replica_number == 1);

  auto otp = couchbase_json::decode_add_node(json::parse(R"({"otpNode":"ns_1@10.143.190.103"})"));
  REQUIRE(otp);
  CHECK(*otp == "ns_1@10.143.190.103");

  auto ee = couchbase_json::decode_auto_failover(json::parse(R"({"enabled":true,"timeout":120,
    "count":0,"failoverOnDataDiskIssues":{"enabled":false,"timePeriod":120},
    "disableMaxCount":false,"maxCount":1,"canAbortRebalance":true})"));
  REQUIRE(ee);
  CHECK(ee->enabled);
  CHECK(ee->timeout_seconds == 120);
  CHECK(ee->count == 0);
  CHECK(ee->max_count == 1);
  auto ce = couchbase_json::decode_auto_failover(
      json::parse(R"({"enabled":false,"timeout":30,"count":2})"));
  REQUIRE(ce);
  CHECK_FALSE(ce->max_count.has_value());
  CHECK(ce->count == 2);

  auto indexes = couchbase_json::decode_index_status(json::parse(R"({"indexes":[
    {"id":5548520957444133000,"index":"idx_name","indexName":"idx_name","bucket":"b",
     "scope":"_default","collection":"_default","status":"Ready","progress":100,
     "hosts":["10.0.0.3:8091"],"numReplica":0,"replicaId":0,"storageMode":"plasma"},
    {"index":"idx_warm","bucket":"b","status":"Warmup","progress":0,"hosts":["10.0.0.4:8091"]}],
    "version":12345,
    "warnings":["Cannot communicate with indexer process. Information on indexes may be stale. Will retry."]})"));
  REQUIRE(indexes);
  REQUIRE(indexes->indexes.size() == 2);
  CHECK(indexes->indexes[0].name == "idx_name");
  CHECK(indexes->indexes[0].status == "Ready");
  CHECK(indexes->indexes[0].hosts == std::vector<std::string>{"10.0.0.3:8091"});
  CHECK(indexes->indexes[1].name == "idx_warm");
  CHECK(indexes->indexes[1].status == "Warmup");
  CHECK(indexes->warnings.size() == 1);
}

TEST_CASE("rebalance progress and tasks", "[unit][couchbase]") {
  auto running = couchbase_json::decode_rebalance_progress(
      json::parse(R"({"status":"running","ns_1@10.143.190.101":{"progress":0.25},
                      "ns_1@10.143.190.102":{"progress":0.75}})"));
  REQUIRE(running);
  CHECK(running->running());
  CHECK(running->per_node.size() == 2);
  CHECK(running->overall() == Approx(0.5));
  auto failed = couchbase_json::decode_rebalance_progress(json::parse(
      R"({"status":"none","errorMessage":"Rebalance failed. See logs for detailed reason. You can try again."})"));
  REQUIRE(failed);
  CHECK_FALSE(failed->running());
  CHECK(failed->per_node.empty());
  CHECK(failed->error_message.rfind("Rebalance failed.", 0) == 0);

  auto tasks = couchbase_json::decode_tasks(json::parse(R"([
    {"statusId":"28452d665fce646c98385fb590a30adc","type":"rebalance","subtype":"rebalance",
     "status":"notRunning","statusIsStale":false,"masterRequestTimedOut":false,
     "errorMessage":"Rebalance failed. See logs for detailed reason. You can try again.",
     "lastReportURI":"/logs/rebalanceReport?reportID=0c41dba637a8971b1aa921a89e851d83"},
    {"type":"warming_up","status":"running","bucket":"b","node":"ns_1@x",
     "recommendedRefreshPeriod":2.0,"stats":{"ep_warmup_state":"loading keys"}}])"));
  REQUIRE(tasks);
  REQUIRE(tasks->size() == 2);
  CHECK((*tasks)[0].type == "rebalance");
  CHECK_FALSE((*tasks)[0].running());
  CHECK_FALSE((*tasks)[0].stale);
  CHECK_FALSE((*tasks)[0].error_message.empty());
  CHECK((*tasks)[1].bucket == "b");
  CHECK((*tasks)[1].node == "ns_1@x");

  auto graceful = couchbase_json::decode_tasks(json::parse(R"([
    {"statusId":"x","type":"rebalance","subtype":"gracefulFailover","recommendedRefreshPeriod":0.25,
     "status":"running","progress":1.53,"perNode":{"ns_1@a":{"progress":0.97}},"masterNode":"ns_1@b"}])"));
  REQUIRE(graceful);
  CHECK((*graceful)[0].running());
  CHECK((*graceful)[0].subtype == "gracefulFailover");
  CHECK((*graceful)[0].progress == Approx(1.53));
  auto stale = couchbase_json::decode_tasks(json::parse(
      R"([{"type":"rebalance","status":"notRunning","statusIsStale":true,"masterRequestTimedOut":true}])"));
  REQUIRE(stale);
  CHECK((*stale)[0].stale);
}

// Found by fuzz/fuzz_couchbase_json (docs/fuzzing.md): Boost.JSON reads an integer literal too
// big for 64 bits as a double, and converting a double outside the integer type's range is
// undefined behaviour. Such a value now reads as empty (0), like a negative count.
TEST_CASE("counters and timeouts out of the 64-bit range read as 0, not undefined behaviour",
          "[unit][couchbase]") {
  auto cluster = couchbase_json::decode_cluster(json::parse(
      R"({"counters":{"rebalance_start":19223372036854775807,"rebalance_fail":1e300,
          "failover":-1e300,"rebalance_success":18446744073709551615,"graceful_failover_start":3},
          "nodes":[{"otpNode":"ns_1@a","hostname":"a:8091"}]})"));
  REQUIRE(cluster);
  CHECK(cluster->counters.at("rebalance_start") == 0);  // parsed as a double beyond 2^64
  CHECK(cluster->counters.at("rebalance_fail") == 0);
  CHECK(cluster->counters.at("failover") == 0);
  CHECK(cluster->counters.at("rebalance_success") == UINT64_MAX);  // still an integer
  CHECK(cluster->counters.at("graceful_failover_start") == 3);

  auto settings = couchbase_json::decode_auto_failover(
      json::parse(R"({"enabled":true,"timeout":1e300,"count":-1e19,"maxCount":2})"));
  REQUIRE(settings);
  CHECK(settings->enabled);
  CHECK(settings->timeout_seconds == 0);
  CHECK(settings->count == 0);
  CHECK(settings->max_count == 2);
  auto edge = couchbase_json::decode_auto_failover(
      json::parse(R"({"enabled":true,"timeout":9.223372036854775808e18,"count":1e19})"));
  REQUIRE(edge);
  CHECK(edge->timeout_seconds == 0);  // 2^63: just out of range
  CHECK(edge->count == 0);
}

TEST_CASE("broken admin responses are errors", "[unit][couchbase]") {
  CHECK_FALSE(couchbase_json::decode_cluster(json::parse(R"("unknown pool")")));
  CHECK_FALSE(couchbase_json::decode_cluster(json::parse(R"({"nodes":[{"hostname":"a"}]})")));
  CHECK_FALSE(couchbase_json::decode_buckets(json::parse("[{}]")));
  CHECK_FALSE(couchbase_json::decode_tasks(json::parse("{}")));
  CHECK_FALSE(couchbase_json::decode_auto_failover(json::parse("{}")));
  CHECK_FALSE(couchbase_json::decode_add_node(json::parse("[]")));
  CHECK_FALSE(couchbase_json::decode_index_status(json::parse("[]")));
  CHECK_FALSE(couchbase_json::decode_rebalance_progress(json::parse("{}")));
}

TEST_CASE("error text from the three body shapes", "[unit][couchbase]") {
  // A JSON list of strings.
  CHECK(couchbase_error_text(R"(["Prepare join failed. Node is already part of cluster."])") ==
        "Prepare join failed. Node is already part of cluster.");
  CHECK(couchbase_error_text(R"(["Unknown services: [\"foo\"]","second"])") ==
        R"(Unknown services: ["foo"]; second)");
  // A JSON object: validator errors (map, "_" for cross-field), errors as a list, flags,
  // field messages, 403, the JSON-string 404 and the 503 {"error":...}.
  CHECK(
      couchbase_error_text(
          R"({"errors":{"replicaNumber":"Replica number larger than 3 is not supported."},"summaries":{"ramSummary":{}}})") ==
      "replicaNumber: Replica number larger than 3 is not supported.");
  CHECK(couchbase_error_text(
            R"({"errors":{"_":"enabled is true. A value must be supplied for timeout"}})") ==
        "enabled is true. A value must be supplied for timeout");
  CHECK(couchbase_error_text(R"({"errors":["bad one","bad two"]})") == "bad one; bad two");
  CHECK(couchbase_error_text(R"({"mismatch":1})") == "mismatch");
  CHECK(couchbase_error_text(R"({"empty_known_nodes":1})") == "empty_known_nodes");
  CHECK(couchbase_error_text(
            R"({"otpNode":"invalid node name or node can't be used for delta recovery"})") ==
        "otpNode: invalid node name or node can't be used for delta recovery");
  CHECK(
      couchbase_error_text(
          R"({"message":"Forbidden. User needs the following permissions","permissions":["cluster.pools!write"]})") ==
      "Forbidden. User needs the following permissions cluster.pools!write");
  CHECK(couchbase_error_text(R"({"error":"timeout"})") == "timeout");
  CHECK(couchbase_error_text(R"("unknown pool")") == "unknown pool");
  // Plain text, on one line.
  CHECK(couchbase_error_text("Requested resource not found.\r\n") ==
        "Requested resource not found.");
  CHECK(couchbase_error_text("Cannot remove active server.\n") == "Cannot remove active server.");
  CHECK(couchbase_error_text("Unknown server given [\"ns_1@x\"]") ==
        "Unknown server given [\"ns_1@x\"]");
  CHECK(couchbase_error_text("line one\nline two\n") == "line one line two");
  CHECK(couchbase_error_text("").empty());
}

TEST_CASE("form bodies: rebalance lists, addNode, failover without allowUnsafe",
          "[unit][couchbase]") {
  CHECK(couchbase_form({{"knownNodes", "ns_1@a,ns_1@b"}, {"ejectedNodes", ""}}) ==
        "knownNodes=ns_1%40a%2Cns_1%40b&ejectedNodes=");

  Cluster cb;
  cb.primary->answer(200, R"({"rebalance_id":"b9a087fb0123456789abcdef01234567"})");
  REQUIRE(cb.client->rebalance({"ns_1@cb1", "ns_1@cb2", "ns_1@cb3"}, {"ns_1@cb3"}));
  REQUIRE(cb.sent.size() == 1);
  CHECK(cb.sent[0].method == "POST");
  CHECK(cb.sent[0].path == "cb1/controller/rebalance");
  CHECK(cb.sent[0].content_type == "application/x-www-form-urlencoded");
  CHECK(cb.sent[0].body ==
        "knownNodes=ns_1%40cb1%2Cns_1%40cb2%2Cns_1%40cb3&ejectedNodes=ns_1%40cb3");

  cb.primary->answer(200, R"({"otpNode":"ns_1@cb4"})");
  auto otp = cb.client->add_node("cb4", {"kv", "index"});
  REQUIRE(otp);
  CHECK(*otp == "ns_1@cb4");
  CHECK(cb.sent[1].body ==
        "hostname=cb4&user=Administrator&password=s3cr3t-Couch%21pw&services=kv%2Cindex");

  cb.primary->answer(200, "");
  REQUIRE(cb.client->failover("ns_1@cb2", false));
  CHECK(cb.sent[2].path == "cb1/controller/failOver");
  CHECK(cb.sent[2].body == "otpNode=ns_1%40cb2");
  CHECK(cb.sent[2].body.find("allowUnsafe") == std::string::npos);
  cb.primary->answer(200, "");
  REQUIRE(cb.client->failover("ns_1@cb2", true));
  CHECK(cb.sent[3].path == "cb1/controller/startGracefulFailover");

  cb.primary->answer(200, "[]");
  REQUIRE(cb.client->set_recovery_type("ns_1@cb2", RecoveryType::kDelta));
  CHECK(cb.sent[4].body == "otpNode=ns_1%40cb2&recoveryType=delta");
  cb.primary->answer(200, "");
  REQUIRE(cb.client->set_bucket_replicas("skylar", 2));
  CHECK(cb.sent[5].path == "cb1/pools/default/buckets/skylar");
  CHECK(cb.sent[5].body == "replicaNumber=2");
  cb.primary->answer(200, "");
  REQUIRE(cb.client->set_auto_failover(true, 120, 1));
  CHECK(cb.sent[6].body == "enabled=true&timeout=120&maxCount=1");
  cb.primary->answer(200, "");
  REQUIRE(cb.client->set_auto_failover(false, 120, 1));
  CHECK(cb.sent[7].body == "enabled=false");
}

TEST_CASE("failover between endpoints: reads on any failure, writes only when not sent",
          "[unit][couchbase]") {
  SECTION("a read moves on after a timeout") {
    Cluster cb;
    cb.primary->fail(false);
    cb.worker->answer(200, kPoolsDefault);
    auto cluster = cb.client->cluster();
    REQUIRE(cluster);
    CHECK(cb.sent.size() == 2);
    CHECK(cb.sent[1].path == "cb2/pools/default");
  }
  SECTION("a write moves on after a refused connection") {
    Cluster cb;
    cb.primary->fail(true);
    cb.worker->answer(200, "");
    REQUIRE(cb.client->eject_node("ns_1@cb3"));
    CHECK(cb.sent.size() == 2);
    CHECK(cb.sent[1].path == "cb2/controller/ejectNode");
  }
  SECTION("a write that may have arrived is not sent again") {
    Cluster cb;
    cb.primary->fail(false);
    cb.worker->answer(200, "");
    auto result = cb.client->rebalance({"ns_1@cb1", "ns_1@cb2"}, {});
    REQUIRE_FALSE(result);
    CHECK(cb.sent.size() == 1);
    CHECK(result.error().code == model::ErrorCode::kTransient);
    CHECK_FALSE(result.error().not_sent);
  }
  SECTION("all refused: transient, not sent, every endpoint named") {
    Cluster cb;
    cb.primary->fail(true);
    cb.worker->fail(true);
    auto result = cb.client->stop_rebalance();
    REQUIRE_FALSE(result);
    CHECK(result.error().code == model::ErrorCode::kTransient);
    CHECK(result.error().not_sent);
    CHECK(result.error().message.find("http://cb1:8091") != std::string::npos);
    CHECK(result.error().message.find("http://cb2:8091") != std::string::npos);
  }
}

TEST_CASE("status codes and server text in errors, never the credentials", "[unit][couchbase]") {
  Cluster cb;
  cb.primary->answer(401, "");
  auto unauthorized = cb.client->cluster();
  REQUIRE_FALSE(unauthorized);
  CHECK(unauthorized.error().code == model::ErrorCode::kUnauthorized);
  CHECK(unauthorized.error().http_status == 401);
  check_no_credentials(unauthorized.error());

  cb.primary->answer(
      403,
      R"({"message":"Forbidden. User needs the following permissions","permissions":["cluster.pools!write"]})");
  auto forbidden = cb.client->rebalance({"ns_1@cb1"}, {});
  REQUIRE_FALSE(forbidden);
  CHECK(forbidden.error().code == model::ErrorCode::kUnauthorized);
  CHECK(forbidden.error().server_message.find("cluster.pools!write") != std::string::npos);

  cb.primary->answer(404, R"("unknown pool")");
  auto unprovisioned = cb.client->cluster();
  REQUIRE_FALSE(unprovisioned);
  CHECK(unprovisioned.error().code == model::ErrorCode::kNotFound);
  CHECK(unprovisioned.error().server_message == "unknown pool");

  cb.primary->answer(400, R"({"mismatch":1})");
  auto mismatch = cb.client->rebalance({"ns_1@cb1"}, {});
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().code == model::ErrorCode::kInvalid);
  CHECK(mismatch.error().message == "rebalance: 400 mismatch");
  CHECK(mismatch.error().target == "http://cb1:8091");
  CHECK(mismatch.error().operation == "POST /controller/rebalance");

  cb.primary->answer(503, "Cannot failover during rebalance");
  auto busy = cb.client->failover("ns_1@cb2", false);
  REQUIRE_FALSE(busy);
  CHECK(busy.error().code == model::ErrorCode::kTransient);
  CHECK(busy.error().server_message == "Cannot failover during rebalance");

  // addNode carries the password in its body; whatever comes back, it never reaches an error.
  cb.primary->answer(
      400, R"(["Prepare join failed. Invalid credentials. Verify username and password."])");
  auto refused = cb.client->add_node("cb4", {"kv"});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == model::ErrorCode::kInvalid);
  CHECK(refused.error().server_message ==
        "Prepare join failed. Invalid credentials. Verify username and password.");
  check_no_credentials(refused.error());
  cb.primary->answer(400, std::string(R"(["bad password )") + kAdmin.password + R"("])");
  auto echoed = cb.client->add_node("cb4", {"kv"});
  REQUIRE_FALSE(echoed);
  check_no_credentials(echoed.error());
  CHECK(echoed.error().server_message == "bad password ***");
  cb.primary->fail(false);
  auto lost = cb.client->add_node("cb4", {"kv"});
  REQUIRE_FALSE(lost);
  check_no_credentials(lost.error());
}
