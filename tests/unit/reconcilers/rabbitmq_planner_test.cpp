#include "swarmop/reconcilers/rabbitmq_planner.hpp"

#include <catch2/catch.hpp>

#include "swarm_builders.hpp"

namespace swarmop::testing {
namespace {

using reconcilers::plan_rabbitmq;
using Names = std::vector<std::string>;

model::DesiredState three_rabbits() {
  model::DesiredState desired;
  model::RabbitmqSpec rabbit;
  rabbit.nodes = {{"rabbitmq", "node1", std::nullopt},
                  {"rabbitmq2", "node2", std::nullopt},
                  {"rabbitmq3", "node3", std::nullopt}};
  rabbit.stop_grace_periods = {std::chrono::seconds(20), std::chrono::seconds(10),
                               std::chrono::seconds(10)};
  desired.rabbitmq = rabbit;
  return desired;
}

clients::DockerService rabbit_service(int number, std::uint64_t replicas = 1) {
  const std::string suffix = number == 1 ? "" : std::to_string(number);
  auto service = make_service({"iservices_rabbitmq" + suffix,
                               replicas,
                               {"node.hostname == node" + std::to_string(number)}});
  auto& container = service.spec["TaskTemplate"].as_object()["ContainerSpec"].as_object();
  container["Hostname"] = "rabbit_node" + std::to_string(number) + ".isnet";
  container["StopGracePeriod"] = number == 1 ? 20'000'000'000LL : 10'000'000'000LL;
  container["Mounts"] = boost::json::array{
      {{"Type", "volume"}, {"Source", "rabbitdb"}, {"Target", "/var/lib/rabbitmq"}}};
  service.spec["TaskTemplate"].as_object()["Networks"] = boost::json::array{
      {{"Target", "iservices_default"},
       {"Aliases", boost::json::array{"rabbit", "rabbit_node1.isnet", "rabbitmq"}}}};
  return service;
}

clients::RabbitNode rabbit_node(int number, bool running = true) {
  clients::RabbitNode node;
  node.name = "rabbit@rabbit_node" + std::to_string(number) + ".isnet";
  node.running = running;
  node.partitions = std::vector<std::string>{};
  return node;
}

//! A healthy three-node cluster with the ha-all policy in place.
struct Cluster {
  reconcilers::SwarmObservation swarm;
  reconcilers::RabbitObservation rabbit;
  Cluster() {
    swarm.services = {rabbit_service(1), rabbit_service(2), rabbit_service(3)};
    rabbit.overview.rabbitmq_version = "3.10.8";
    rabbit.nodes = {rabbit_node(1), rabbit_node(2), rabbit_node(3)};
    rabbit.policies = {reconcilers::desired_policy(model::HaPolicy{})};
  }
};

clients::RabbitQueue queue(const std::string& name, std::vector<std::string> mirrors,
                           std::vector<std::string> synced) {
  clients::RabbitQueue q;
  q.vhost = "/";
  q.name = name;
  q.type = "classic";
  q.policy = "ha-all";
  q.mirror_nodes = std::move(mirrors);
  q.synchronised_mirror_nodes = std::move(synced);
  q.state = "running";
  return q;
}

}  // namespace

TEST_CASE("a healthy mirrored cluster is in sync", "[rabbitmq]") {
  Cluster cluster;
  cluster.rabbit.queues = {
      queue("tasks", {"rabbit@rabbit_node2.isnet"}, {"rabbit@rabbit_node2.isnet"})};
  auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
  CHECK(plan.steps.empty());
  CHECK(plan.blocked.empty());
  CHECK(plan.waiting.empty());
}

TEST_CASE("missing rabbit node services are created from the primary, stopped", "[rabbitmq]") {
  Cluster cluster;
  cluster.swarm.services = {rabbit_service(1)};
  cluster.rabbit.nodes = {rabbit_node(1)};
  auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
  REQUIRE(step_names(plan) == Names{"create iservices_rabbitmq2", "create iservices_rabbitmq3"});
  const auto& spec = std::get<reconcilers::CreateService>(plan.steps[0].operation).spec;
  const auto& task = spec.at("TaskTemplate").as_object();
  CHECK(spec.at("Name") == "iservices_rabbitmq2");
  CHECK(task.at("ContainerSpec").at("Hostname") == "rabbit_node2.isnet");
  CHECK(task.at("ContainerSpec").at("Mounts").at(0).at("Source") == "rabbitdb2");
  CHECK(task.at("ContainerSpec").at("StopGracePeriod") == 10'000'000'000LL);
  CHECK(task.at("Networks").at(0).at("Aliases") ==
        boost::json::array{"rabbitmq2", "rabbit_node2.isnet"});
  CHECK(task.at("Placement").at("Constraints") == boost::json::array{"node.hostname == node2"});
  CHECK(spec.at("Mode").at("Replicated").at("Replicas") == 0);
  CHECK(task.at("UnknownFieldKept") == true);  // everything else copied unchanged
}

TEST_CASE("rabbit nodes start one at a time, each after the one before runs", "[rabbitmq]") {
  Cluster cluster;
  cluster.swarm.services = {rabbit_service(1), rabbit_service(2, 0), rabbit_service(3, 0)};
  cluster.rabbit.nodes = {rabbit_node(1)};
  auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
  CHECK(step_names(plan) == Names{"update iservices_rabbitmq2"});
  CHECK(std::get<reconcilers::ServiceUpdate>(plan.steps[0].operation)
            .spec.at("Mode")
            .at("Replicated")
            .at("Replicas") == 1);
  REQUIRE(plan.waiting.size() >= 1);
  CHECK(plan.waiting.back().find("iservices_rabbitmq3 starts once rabbit node 2") !=
        std::string::npos);
}

TEST_CASE("a rabbit node restart waits until every other node runs", "[rabbitmq]") {
  Cluster cluster;
  // Both unpinned: fixing each restarts it, so only one goes at a time.
  cluster.swarm.services[1] = rabbit_service(2);
  cluster.swarm.services[1].constraints.clear();
  cluster.swarm.services[2].constraints.clear();
  SECTION("all running: one restart") {
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(step_names(plan) == Names{"update iservices_rabbitmq2"});
    REQUIRE(plan.waiting.size() == 1);
    CHECK(plan.waiting[0].find("another rabbit node restarts first") != std::string::npos);
  }
  SECTION("a node down: no restart at all") {
    cluster.rabbit.nodes[0].running = false;
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(plan.steps.empty());
    CHECK(plan.waiting.size() >= 2);
  }
}

TEST_CASE("the ha-all policy is written only when it differs", "[rabbitmq]") {
  Cluster cluster;
  SECTION("absent: created") {
    cluster.rabbit.policies.clear();
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    REQUIRE(step_names(plan) == Names{"put-policy ha-all"});
    const auto& policy = std::get<reconcilers::PutPolicy>(plan.steps[0].operation).policy;
    CHECK(policy.definition.at("ha-mode") == "all");
    CHECK(policy.definition.at("ha-sync-mode") == "manual");
    CHECK(policy.pattern == ".*");
  }
  SECTION("changed by hand: corrected") {
    cluster.rabbit.policies[0].definition["ha-sync-mode"] = "automatic";
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    REQUIRE(step_names(plan) == Names{"put-policy ha-all"});
    CHECK(plan.steps[0].description.changes.size() == 1);
  }
  SECTION("one node: none needed") {
    auto desired = three_rabbits();
    desired.rabbitmq->nodes.resize(1);
    cluster.rabbit.policies.clear();
    auto plan = plan_rabbitmq(desired, cluster.swarm, cluster.rabbit);
    CHECK(plan.steps.empty());
    CHECK(has_finding(plan, "SingleNode"));
  }
  SECTION("RabbitMQ 4: no ha-* keys, said so") {
    cluster.rabbit.overview.rabbitmq_version = "4.0.2";
    cluster.rabbit.policies.clear();
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(plan.steps.empty());
    CHECK(has_finding(plan, "ClassicMirroringRemoved"));
  }
  SECTION("a higher-priority policy shadowing it is reported") {
    cluster.rabbit.queues = {queue("tasks", {}, {})};
    cluster.rabbit.queues[0].policy = "ttl-only";
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(has_finding(plan, "PolicyShadowed"));
  }
}

TEST_CASE("unsynchronised mirrors are synced one queue at a time, and only when safe",
          "[rabbitmq]") {
  Cluster cluster;
  const std::string n2 = "rabbit@rabbit_node2.isnet";
  const std::string n3 = "rabbit@rabbit_node3.isnet";
  cluster.rabbit.queues = {queue("a", {n2, n3}, {n2}), queue("b", {n2, n3}, {n3})};
  SECTION("all running") {
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(step_names(plan) == Names{"sync a", "sync b"});
  }
  SECTION("a sync is running: wait") {
    cluster.rabbit.queues[1].state = "syncing";
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(plan.steps.empty());
    CHECK(plan.waiting == Names{"queue b is synchronising its mirrors"});
  }
  SECTION("a node down: blocked") {
    cluster.rabbit.nodes[2].running = false;
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(step_names(plan).empty());
    REQUIRE(plan.blocked.size() == 2);
    CHECK(plan.blocked[0].reason.find("rabbit@rabbit_node3.isnet is down") != std::string::npos);
  }
  SECTION("a partition open: blocked and reported") {
    cluster.rabbit.nodes[0].partitions = std::vector<std::string>{n3};
    auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(step_names(plan).empty());
    CHECK(has_finding(plan, "NetworkPartition"));
    CHECK(plan.blocked.size() == 2);
  }
  SECTION("syncMirrors off: nothing") {
    auto desired = three_rabbits();
    desired.rabbitmq->sync_mirrors = false;
    CHECK(plan_rabbitmq(desired, cluster.swarm, cluster.rabbit).steps.empty());
  }
}

TEST_CASE("an unreachable management API blocks the policy, not the services", "[rabbitmq]") {
  Cluster cluster;
  cluster.swarm.services = {rabbit_service(1)};
  cluster.swarm.tasks = {running_task("iservices_rabbitmq", "node1", 1)};
  cluster.rabbit = {};
  cluster.rabbit.unreachable = "connection refused";
  auto plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
  CHECK(step_names(plan) == Names{"create iservices_rabbitmq2", "create iservices_rabbitmq3"});
  REQUIRE(plan.blocked.size() == 1);
  CHECK(plan.blocked[0].reason.find("connection refused") != std::string::npos);
  SECTION("while Swarm restarts a node service it is a wait, naming the restart") {
    cluster.swarm.services[0].update_status = clients::UpdateStatus{"updating", ""};
    plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(plan.blocked.empty());
    CHECK(plan.waiting == std::vector<std::string>{
                              "iservices_rabbitmq restarts (update in progress): the management "
                              "API answers again once it runs"});
  }
  SECTION("a task not running yet is a restart too") {
    cluster.swarm.tasks[0].state = "starting";
    plan = plan_rabbitmq(three_rabbits(), cluster.swarm, cluster.rabbit);
    CHECK(plan.blocked.empty());
    CHECK(plan.waiting == std::vector<std::string>{
                              "iservices_rabbitmq restarts (0 of 1 tasks running): the management "
                              "API answers again once it runs"});
  }
}

}  // namespace swarmop::testing
