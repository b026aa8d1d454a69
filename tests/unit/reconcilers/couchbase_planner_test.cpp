#include "swarmop/reconcilers/couchbase_planner.hpp"

#include <catch2/catch.hpp>

#include "swarm_builders.hpp"
#include "swarmop/reconcilers/data_homes.hpp"

namespace swarmop::testing {
namespace {

using reconcilers::plan_couchbase;
using Names = std::vector<std::string>;

const std::vector<std::string> kServiceNames = {"couchbase", "couchbase-worker",
                                                "couchbase-worker2"};

model::DesiredState three_couchbase_nodes() {
  model::DesiredState desired;
  model::CouchbaseSpec couchbase;
  couchbase.nodes = {{"couchbase", "node1", 8091},
                     {"couchbase-worker", "node2", 8100},
                     {"couchbase-worker2", "node3", 8101}};
  couchbase.buckets = {{"content", 2}, {"logs", 2}};
  desired.couchbase = couchbase;
  return desired;
}

//! The manual's Couchbase service `number` (0: the primary), pinned to node<number+1>.
clients::DockerService couchbase_service(std::size_t number, std::uint64_t replicas = 1) {
  const std::string& short_name = kServiceNames[number];
  const std::string node = "node" + std::to_string(number + 1);
  auto service = make_service({"iservices_" + short_name, replicas, {"node.hostname == " + node}});
  service.image = "sciencelogic/is-couchbase:2.7.0";
  auto& task = service.spec["TaskTemplate"].as_object();
  auto& container = task["ContainerSpec"].as_object();
  container["Image"] = service.image;
  container["Hostname"] = short_name + ".isnet";
  container["Env"] = boost::json::array{"db_host=couchbase.isnet"};
  container["Mounts"] = boost::json::array{
      {{"Type", "bind"}, {"Source", "/var/data/couchbase"}, {"Target", "/opt/couchbase/var"}}};
  task["Networks"] =
      boost::json::array{{{"Target", "iservices_default"},
                          {"Aliases", boost::json::array{short_name, short_name + ".isnet"}}}};
  service.spec["EndpointSpec"] = {
      {"Mode", "vip"},
      {"Ports", boost::json::array{{{"TargetPort", 8091}, {"PublishedPort", 8091}}}}};
  service.env = {{"db_host", "couchbase.isnet"}};
  if (number > 0) {
    service.env["TYPE"] = "WORKER";
    service.env["AUTO_REBALANCE"] = "true";
  }
  return service;
}

clients::CouchbaseNode member(std::size_t number, std::string membership = "active",
                              std::string status = "healthy") {
  clients::CouchbaseNode node;
  node.otp_node = "ns_1@" + kServiceNames[number] + ".isnet";
  node.hostname = kServiceNames[number] + ".isnet:8091";
  node.cluster_membership = std::move(membership);
  node.status = std::move(status);
  node.services = {"index", "kv", "n1ql"};
  return node;
}

clients::CouchbaseBucket bucket(const std::string& name, int replicas) {
  return {name, "membase", replicas};
}

//! A converged three-node cluster: every node active and healthy, buckets at 2 replicas,
//! balanced, indexes ready, auto-failover as the file's defaults.
struct Cluster {
  reconcilers::SwarmObservation swarm;
  reconcilers::CouchbaseObservation cb;
  Cluster() {
    swarm.nodes = {make_node({"node1", "manager"}), make_node({"node2", "manager"}),
                   make_node({"node3", "manager"})};
    for (std::size_t i = 0; i < 3; ++i) {
      swarm.services.push_back(couchbase_service(i));
      swarm.tasks.push_back(
          running_task("iservices_" + kServiceNames[i], "node" + std::to_string(i + 1), 1));
      cb.cluster.nodes.push_back(member(i));
    }
    cb.cluster.rebalance_status = "none";
    cb.buckets = {bucket("content", 2), bucket("logs", 2)};
    cb.tasks = {clients::CouchbaseTask{"rebalance", "", "notRunning", 0, "", false, "", ""}};
    cb.auto_failover = {true, 120, 0, 1};
    cb.indexes.indexes = {{"#primary", "content", {"couchbase.isnet:8091"}, "Ready", 100}};
  }
  //! Only the primary: the fresh install, with the workers' services at 0 replicas.
  void fresh_install() {
    swarm.services[1] = couchbase_service(1, 0);
    swarm.services[2] = couchbase_service(2, 0);
    swarm.tasks.resize(1);
    cb.cluster.nodes.resize(1);
    cb.buckets = {bucket("content", 0), bucket("logs", 0)};
  }
  reconcilers::CouchbasePlan plan(const model::DesiredState& desired = three_couchbase_nodes()) {
    return plan_couchbase(desired, swarm, cb);
  }
};

const reconcilers::Rebalance& rebalance_of(const reconcilers::CouchbasePlan& plan) {
  for (const auto& step : plan.steps) {
    if (const auto* rebalance = std::get_if<reconcilers::Rebalance>(&step.operation)) {
      return *rebalance;
    }
  }
  throw std::runtime_error("the plan has no rebalance");
}

std::size_t rebalances(const reconcilers::CouchbasePlan& plan) {
  return static_cast<std::size_t>(std::count_if(plan.steps.begin(), plan.steps.end(), [](auto& s) {
    return std::holds_alternative<reconcilers::Rebalance>(s.operation);
  }));
}

bool waits_for(const reconcilers::CouchbasePlan& plan, const std::string& text) {
  return std::any_of(plan.waiting.begin(), plan.waiting.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("a converged Couchbase cluster is in sync", "[couchbase]") {
  Cluster cluster;
  auto plan = cluster.plan();
  CHECK(plan.steps.empty());
  CHECK(plan.blocked.empty());
  CHECK(plan.waiting.empty());
  CHECK(plan.findings.empty());
}

TEST_CASE("missing worker services are created from the primary's spec", "[couchbase]") {
  Cluster cluster;
  cluster.fresh_install();
  cluster.swarm.services.resize(1);
  // The primary's record of its data node is the primary's alone.
  cluster.swarm.services[0].spec["Labels"].as_object()[reconcilers::kDataNodeLabel] = "node1";
  auto plan = cluster.plan();
  REQUIRE(step_names(plan) ==
          Names{"create iservices_couchbase-worker", "create iservices_couchbase-worker2"});
  const auto& spec = std::get<reconcilers::CreateService>(plan.steps[0].operation).spec;
  CHECK_FALSE(spec.at("Labels").as_object().contains(reconcilers::kDataNodeLabel));
  const auto& task = spec.at("TaskTemplate").as_object();
  CHECK(spec.at("Name") == "iservices_couchbase-worker");
  CHECK(task.at("ContainerSpec").at("Hostname") == "couchbase-worker.isnet");
  CHECK(task.at("ContainerSpec").at("Env") ==
        boost::json::array{"db_host=couchbase", "AUTO_REBALANCE=true", "TYPE=WORKER"});
  CHECK(task.at("Networks").at(0).at("Aliases") ==
        boost::json::array{"couchbase-worker", "couchbase-worker.isnet"});
  CHECK(task.at("Placement").at("Constraints") == boost::json::array{"node.hostname == node2"});
  CHECK(spec.at("EndpointSpec").at("Ports").at(0).at("PublishedPort") == 8100);
  CHECK(spec.at("EndpointSpec").at("Ports").at(0).at("TargetPort") == 8091);
  CHECK(spec.at("Mode").at("Replicated").at("Replicas") == 0);
  // A bind mount is per host, and each Couchbase node has a host of its own.
  CHECK(task.at("ContainerSpec").at("Mounts").at(0).at("Source") == "/var/data/couchbase");
  CHECK(task.at("UnknownFieldKept") == true);  // everything else copied unchanged
  CHECK(waits_for(plan, "iservices_couchbase-worker joins once its service exists"));
}

TEST_CASE("without the primary's service nothing is created", "[couchbase]") {
  Cluster cluster;
  cluster.swarm.services.clear();
  auto plan = cluster.plan();
  CHECK(plan.steps.empty());
  CHECK(blocked_names(plan) == Names{"create iservices_couchbase"});
}

TEST_CASE("scale-out adds one worker at a time", "[couchbase]") {
  Cluster cluster;
  cluster.fresh_install();

  SECTION("the first worker starts; the second waits for it") {
    auto plan = cluster.plan();
    REQUIRE(step_names(plan) == Names{"scale iservices_couchbase-worker"});
    CHECK(std::get<reconcilers::ServiceUpdate>(plan.steps[0].operation)
              .spec.at("Mode")
              .at("Replicated")
              .at("Replicas") == 1);
    CHECK(plan.blocked.empty());
  }
  SECTION("a running worker with AUTO_REBALANCE is left to join by itself") {
    cluster.swarm.services[1] = couchbase_service(1, 1);
    cluster.swarm.tasks.push_back(running_task("iservices_couchbase-worker", "node2", 1));
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(waits_for(plan, "joins by itself"));

    // Time is read on the swarm's clock only: the task started at 1000 s.
    cluster.swarm.tasks.back().status_time = 1000;
    SECTION("still waiting before the grace, or when the swarm's clock is unknown") {
      cluster.cb.swarm_clock = 1000 + reconcilers::kSelfJoinGraceSeconds - 1;
      CHECK(cluster.plan().steps.empty());
      cluster.cb.swarm_clock.reset();
      CHECK(cluster.plan().steps.empty());
    }
    SECTION("added once it has run the grace without joining") {
      cluster.cb.swarm_clock = 1000 + reconcilers::kSelfJoinGraceSeconds;
      plan = cluster.plan();
      REQUIRE(step_names(plan) == Names{"add-node couchbase-worker"});
      CHECK(plan.steps[0].description.reason.find("has run for 180 s with AUTO_REBALANCE=true") !=
            std::string::npos);
    }
    SECTION("a restarted task starts the grace again") {
      cluster.cb.swarm_clock = 1000 + reconcilers::kSelfJoinGraceSeconds + 10;
      cluster.swarm.tasks.back().status_time = 1100;
      CHECK(cluster.plan().steps.empty());
    }
  }
  SECTION("a running worker without AUTO_REBALANCE is added, with the primary's services") {
    cluster.swarm.services[1] = couchbase_service(1, 1);
    cluster.swarm.services[1].env.erase("AUTO_REBALANCE");
    cluster.swarm.tasks.push_back(running_task("iservices_couchbase-worker", "node2", 1));
    auto plan = cluster.plan();
    REQUIRE(step_names(plan) == Names{"add-node couchbase-worker"});
    const auto& add = std::get<reconcilers::AddCouchbaseNode>(plan.steps[0].operation);
    CHECK(add.hostname == "couchbase-worker.isnet");
    CHECK(add.services == Names{"index", "kv", "n1ql"});
  }
  SECTION("an added worker is rebalanced in with every node known; nothing else happens") {
    cluster.swarm.services[1] = couchbase_service(1, 1);
    cluster.cb.cluster.nodes.push_back(member(1, "inactiveAdded"));
    auto plan = cluster.plan();
    REQUIRE(step_names(plan) == Names{"rebalance couchbase"});
    CHECK(rebalance_of(plan).known_nodes ==
          Names{"ns_1@couchbase.isnet", "ns_1@couchbase-worker.isnet"});
    CHECK(rebalance_of(plan).ejected_nodes.empty());
  }
  SECTION("the second worker waits while the cluster is unbalanced or an index builds") {
    cluster.swarm.services[1] = couchbase_service(1, 1);
    cluster.cb.cluster.nodes.push_back(member(1));
    cluster.cb.buckets = {bucket("content", 1), bucket("logs", 1)};
    SECTION("unbalanced: a rebalance, not the next worker") {
      cluster.cb.cluster.balanced = false;
      auto plan = cluster.plan();
      CHECK(step_names(plan) == Names{"rebalance couchbase"});
      CHECK(waits_for(plan, "iservices_couchbase-worker2 starts once the cluster is balanced"));
    }
    SECTION("an index still building") {
      cluster.cb.indexes.indexes[0].status = "Building";
      auto plan = cluster.plan();
      CHECK(plan.steps.empty());
      CHECK(waits_for(plan, "index content/#primary is Building"));
    }
    SECTION("balanced and ready: the second worker starts") {
      auto plan = cluster.plan();
      CHECK(step_names(plan) == Names{"scale iservices_couchbase-worker2"});
    }
  }
}

TEST_CASE("bucket replicas follow the file, capped by the data nodes", "[couchbase]") {
  Cluster cluster;
  SECTION("three data nodes: 2 replicas, then one rebalance") {
    cluster.cb.buckets = {bucket("content", 0), bucket("logs", 1)};
    auto plan = cluster.plan();
    CHECK(step_names(plan) ==
          Names{"set-replicas content", "set-replicas logs", "rebalance couchbase"});
    CHECK(std::get<reconcilers::SetBucketReplicas>(plan.steps[0].operation).replicas == 2);
    CHECK(rebalances(plan) == 1);
  }
  SECTION("two active data nodes hold at most 1 replica, and the plan says so") {
    cluster.cb.cluster.nodes.pop_back();
    cluster.swarm.services[2] = couchbase_service(2, 0);
    cluster.cb.buckets = {bucket("content", 0), bucket("logs", 0)};
    cluster.cb.indexes.indexes[0].status = "Building";  // holds the next worker back
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());  // the scale-out waits, and so do the buckets
    cluster.cb.indexes.indexes[0].status = "Ready";
    cluster.swarm.services[2] = couchbase_service(2, 1);  // worker2 starting, no task yet
    cluster.swarm.tasks.pop_back();
    plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(waits_for(plan, "has no running task on node3"));
  }
  SECTION("a capped count is raised no further than the active nodes allow") {
    model::DesiredState desired = three_couchbase_nodes();
    desired.couchbase->buckets = {{"content", 3}, {"logs", 2}};
    auto plan = cluster.plan(desired);
    CHECK(step_names(plan).empty());
    CHECK(has_finding(plan, "ReplicasCapped"));
  }
  SECTION("a bucket the cluster does not have is reported, not created") {
    cluster.cb.buckets.pop_back();
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(has_finding(plan, "BucketMissing"));
  }
  SECTION("an unbalanced cluster gets a rebalance and nothing else") {
    cluster.cb.cluster.balanced = false;
    cluster.cb.cluster.buckets_need_rebalance =
        std::vector<clients::RebalanceReason>{{"num_replicas_changed", "", {"content"}}};
    auto plan = cluster.plan();
    REQUIRE(step_names(plan) == Names{"rebalance couchbase"});
    CHECK(plan.steps[0].description.reason.find("num_replicas_changed (content)") !=
          std::string::npos);
    CHECK(rebalance_of(plan).known_nodes.size() == 3);
  }
}

TEST_CASE("nothing changes while a rebalance runs or a node warms up", "[couchbase]") {
  Cluster cluster;
  cluster.cb.buckets = {bucket("content", 0), bucket("logs", 0)};
  cluster.cb.auto_failover.enabled = false;
  SECTION("rebalance running") {
    cluster.cb.cluster.rebalance_status = "running";
    cluster.cb.tasks[0].status = "running";
    cluster.cb.tasks[0].progress = 42.4;
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(waits_for(plan, "a rebalance is running: 42% done"));
  }
  SECTION("rebalance status unknown") {
    cluster.cb.tasks[0].stale = true;
    CHECK(cluster.plan().steps.empty());
  }
  SECTION("a node warming up") {
    cluster.cb.cluster.nodes[1].status = "warmup";
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(waits_for(plan, "couchbase-worker is warming up"));
  }
  SECTION("indexes warming up: the rebalance waits (the manual's known issue)") {
    cluster.cb.indexes.indexes[0].status = "Warmup";
    cluster.cb.tasks[0].error_message = "Rebalance failed. See logs for detailed reason.";
    auto plan = cluster.plan();
    CHECK(rebalances(plan) == 0);
    CHECK(waits_for(plan, "indexes are warming up"));
    CHECK(has_finding(plan, "RebalanceFailed"));
  }
}

TEST_CASE("a down node is left to auto-failover when it can act", "[couchbase]") {
  Cluster cluster;
  cluster.cb.cluster.nodes[2].status = "unhealthy";
  cluster.cb.buckets = {bucket("content", 2), bucket("logs", 1)};  // a change is pending
  SECTION("one of three down, replicas everywhere: wait for Couchbase") {
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(plan.blocked.empty());
    CHECK(waits_for(plan, "auto-failover acts after 120 s (2 of 3 Couchbase nodes answer)"));
    CHECK(has_finding(plan, "CouchbaseNodeDown"));
  }
  SECTION("a bucket without replicas: blocked, manual intervention") {
    cluster.cb.buckets[1].replica_number = 0;
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    REQUIRE(blocked_names(plan) == Names{"failover couchbase-worker2"});
    CHECK(plan.blocked[0].reason.find("would lose data: logs (0 replicas)") != std::string::npos);
    CHECK(has_finding(plan, "ManualInterventionRequired"));
  }
  SECTION("two of three down: blocked, nothing forced") {
    cluster.cb.cluster.nodes[1].status = "unhealthy";
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    REQUIRE(plan.blocked.size() == 1);
    CHECK(plan.blocked[0].reason.find("1 of 3 Couchbase nodes answer") != std::string::npos);
    CHECK(has_finding(plan, "ManualInterventionRequired"));
  }
  SECTION("auto-failover disabled: blocked, never forced by the operator") {
    cluster.cb.auto_failover.enabled = false;
    auto plan = cluster.plan();
    // Only the settings change the file asks for; no failover.
    CHECK(step_names(plan) == Names{"set-auto-failover autoFailover"});
    REQUIRE(plan.blocked.size() == 1);
    CHECK(plan.blocked[0].reason.find("auto-failover is disabled") != std::string::npos);
  }
  SECTION("auto-failover has used its count") {
    cluster.cb.auto_failover.count = 1;
    auto plan = cluster.plan();
    REQUIRE(plan.blocked.size() == 1);
    CHECK(plan.blocked[0].reason.find("used its count (1 of 1)") != std::string::npos);
  }
}

TEST_CASE("a failed-over node is recovered when it is back, rebalanced out when gone",
          "[couchbase]") {
  Cluster cluster;
  cluster.cb.cluster.nodes[2].cluster_membership = "inactiveFailed";
  SECTION("answers again on a Ready node: delta recovery") {
    auto plan = cluster.plan();
    REQUIRE(step_names(plan) == Names{"recover couchbase-worker2"});
    CHECK(std::get<reconcilers::RecoverNode>(plan.steps[0].operation).otp_node ==
          "ns_1@couchbase-worker2.isnet");
  }
  SECTION("its swarm node is down: it may come back, so it waits and says how to give it up") {
    cluster.cb.cluster.nodes[2].status = "unhealthy";
    cluster.swarm.nodes[2] = make_node({"node3", "manager", "down"});
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(has_finding(plan, "FailedOverNodeAway"));
    CHECK(waits_for(plan, "waits for node3 to return"));
  }
  SECTION("its swarm node is marked absent or gone from the swarm: rebalanced out") {
    cluster.cb.cluster.nodes[2].status = "unhealthy";
    model::DesiredState desired = three_couchbase_nodes();
    SECTION("present: false") {
      desired.swarm.nodes = {desired_node("node3", model::NodeRole::kManager)};
      desired.swarm.nodes[0].present = false;
    }
    SECTION("removed from the swarm") {
      cluster.swarm.nodes.pop_back();
    }
    auto plan = cluster.plan(desired);
    REQUIRE(step_names(plan) == Names{"rebalance couchbase"});
    CHECK(rebalance_of(plan).ejected_nodes == Names{"ns_1@couchbase-worker2.isnet"});
    CHECK(rebalance_of(plan).known_nodes.size() == 3);
  }
  SECTION("its node is Ready but Couchbase does not answer yet: wait") {
    cluster.cb.cluster.nodes[2].status = "unhealthy";
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(waits_for(plan, "waits for Couchbase on it to answer"));
  }
  SECTION("recovery chosen: the next pass rebalances") {
    cluster.cb.cluster.nodes[2].cluster_membership = "inactiveAdded";
    cluster.cb.cluster.nodes[2].recovery_type = "delta";
    auto plan = cluster.plan();
    CHECK(step_names(plan) == Names{"rebalance couchbase"});
  }
}

TEST_CASE("never two rebalances, at most one disruptive step", "[couchbase]") {
  Cluster cluster;
  cluster.cb.cluster.nodes[2].cluster_membership = "inactiveAdded";  // joined by itself
  cluster.cb.buckets = {bucket("content", 1), bucket("logs", 1)};
  cluster.cb.cluster.balanced = false;
  auto plan = cluster.plan();
  CHECK(rebalances(plan) == 1);
  CHECK(step_names(plan) == Names{"rebalance couchbase"});
}

TEST_CASE("auto-failover settings follow the file", "[couchbase]") {
  Cluster cluster;
  cluster.cb.auto_failover = {true, 30, 0, 3};
  auto plan = cluster.plan();
  REQUIRE(step_names(plan) == Names{"set-auto-failover autoFailover"});
  auto settings = std::get<reconcilers::SetAutoFailover>(plan.steps[0].operation);
  CHECK(settings.timeout_seconds == 120);
  CHECK(settings.max_count == 1);
  SECTION("Community Edition has no max count: none is sent") {
    cluster.cb.auto_failover = {true, 30, 0, std::nullopt};
    settings = std::get<reconcilers::SetAutoFailover>(cluster.plan().steps[0].operation);
    CHECK_FALSE(settings.max_count);
  }
}

TEST_CASE("scale-in: replicas lowered, the last worker rebalanced out, then stopped",
          "[couchbase]") {
  Cluster cluster;
  model::DesiredState desired = three_couchbase_nodes();
  desired.couchbase->nodes.pop_back();

  auto plan = cluster.plan(desired);
  CHECK(step_names(plan) ==
        Names{"set-replicas content", "set-replicas logs", "rebalance couchbase"});
  CHECK(rebalance_of(plan).ejected_nodes.empty());

  cluster.cb.buckets = {bucket("content", 1), bucket("logs", 1)};
  plan = cluster.plan(desired);
  REQUIRE(step_names(plan) == Names{"rebalance couchbase"});
  CHECK(rebalance_of(plan).ejected_nodes == Names{"ns_1@couchbase-worker2.isnet"});

  cluster.cb.cluster.nodes.pop_back();  // out of the cluster
  plan = cluster.plan(desired);
  REQUIRE(step_names(plan) == Names{"scale iservices_couchbase-worker2"});
  CHECK(std::get<reconcilers::ServiceUpdate>(plan.steps[0].operation)
            .spec.at("Mode")
            .at("Replicated")
            .at("Replicas") == 0);
}

TEST_CASE("every db_host lists the Couchbase nodes in order", "[couchbase]") {
  Cluster cluster;
  auto contentapi = make_service({"iservices_contentapi", 3});
  contentapi.env = {{"db_host", "couchbase.isnet"}};
  cluster.swarm.services.push_back(contentapi);
  SECTION("a service the file leaves alone gets the list") {
    auto plan = cluster.plan();
    REQUIRE(step_names(plan) == Names{"update iservices_contentapi"});
    CHECK(plan.steps[0].description.changes[0].after ==
          "couchbase,couchbase-worker,couchbase-worker2");
  }
  SECTION("a db_host the file sets is the placement reconciler's: reported when incomplete") {
    model::DesiredState desired = three_couchbase_nodes();
    desired.services["contentapi"].env = {{"db_host", "couchbase"}};
    auto plan = cluster.plan(desired);
    CHECK(plan.steps.empty());
    CHECK(has_finding(plan, "DbHostIncomplete"));
  }
  SECTION("the Couchbase nodes keep their own db_host") {
    CHECK(reconcilers::db_host_list(*three_couchbase_nodes().couchbase) ==
          "couchbase,couchbase-worker,couchbase-worker2");
    cluster.swarm.services.pop_back();
    CHECK(cluster.plan().steps.empty());
  }
}

TEST_CASE("pinning a Couchbase service never moves its data", "[couchbase]") {
  Cluster cluster;
  cluster.swarm.services[0] = couchbase_service(0);
  cluster.swarm.services[0].constraints.clear();
  SECTION("running on its node: pinned in place (Swarm keeps the task), with the rest") {
    cluster.cb.buckets = {bucket("content", 1), bucket("logs", 2)};
    auto plan = cluster.plan();
    REQUIRE(step_names(plan) ==
            Names{"update iservices_couchbase", "set-replicas content", "rebalance couchbase"});
    CHECK(plan.steps[0].description.reason.find("Swarm keeps it running") != std::string::npos);
  }
  SECTION("while a Couchbase service is being updated nothing else moves") {
    cluster.swarm.services[1].update_status = clients::UpdateStatus{"updating", "in progress"};
    cluster.cb.buckets = {bucket("content", 1), bucket("logs", 2)};
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    CHECK(waits_for(plan, "iservices_couchbase-worker is being updated"));
  }
  SECTION("running on another node: blocked") {
    cluster.swarm.tasks[0] = running_task("iservices_couchbase", "node2", 1);
    auto plan = cluster.plan();
    CHECK(plan.steps.empty());
    REQUIRE(blocked_names(plan) == Names{"update iservices_couchbase"});
    CHECK(plan.blocked[0].reason.find("empty volume") != std::string::npos);
  }
  SECTION("a stopped worker that never joined is pinned freely") {
    cluster.swarm.services[2] = couchbase_service(2, 0);
    cluster.swarm.services[2].constraints.clear();
    cluster.swarm.tasks.pop_back();
    cluster.cb.cluster.nodes.pop_back();
    cluster.swarm.services[0] = couchbase_service(0);
    auto plan = cluster.plan();
    CHECK(step_names(plan).front() == "update iservices_couchbase-worker2");
  }
}

TEST_CASE("an unreachable admin API blocks the topology but not the services", "[couchbase]") {
  Cluster cluster;
  cluster.swarm.services.resize(1);
  cluster.cb.unreachable = "GET /pools/default: connection refused";
  auto plan = cluster.plan();
  CHECK(step_names(plan) ==
        Names{"create iservices_couchbase-worker", "create iservices_couchbase-worker2"});
  CHECK(blocked_names(plan) == Names{"observe couchbase"});
  SECTION("while Swarm rolls the primary's service it is a wait for that restart") {
    cluster.swarm.services[0].update_status = clients::UpdateStatus{"updating", ""};
    plan = cluster.plan();
    CHECK(plan.blocked.empty());
    CHECK(plan.waiting == std::vector<std::string>{
                              "iservices_couchbase restarts (update in progress): the admin REST "
                              "API answers again once it runs"});
  }
}

TEST_CASE("replica caps", "[couchbase]") {
  CHECK(reconcilers::replica_cap(1) == 0);
  CHECK(reconcilers::replica_cap(2) == 1);
  CHECK(reconcilers::replica_cap(4) == 3);
  CHECK(reconcilers::replica_cap(7) == 3);
}

}  // namespace swarmop::testing
