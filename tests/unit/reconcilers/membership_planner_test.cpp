#include "swarmop/reconcilers/membership_planner.hpp"

#include <catch2/catch.hpp>

#include "swarm_builders.hpp"

namespace swarmop::testing {
namespace {

using model::NodeRole;
using reconcilers::plan_membership;
using Names = std::vector<std::string>;

model::DesiredState desired_of(std::vector<model::NodeSpec> nodes) {
  model::DesiredState desired;
  desired.swarm.nodes = std::move(nodes);
  return desired;
}

reconcilers::SwarmObservation observed_of(std::vector<NodeShape> nodes) {
  reconcilers::SwarmObservation observed;
  for (const auto& node : nodes) {
    observed.nodes.push_back(make_node(node));
  }
  return observed;
}

const reconcilers::NodeUpdate& node_update(const reconcilers::SwarmStep& step) {
  return std::get<reconcilers::NodeUpdate>(step.operation);
}

}  // namespace

TEST_CASE("membership promotes before it demotes and demotes the leader last", "[membership]") {
  auto desired = desired_of(
      {desired_node("node1", NodeRole::kWorker), desired_node("node2", NodeRole::kManager),
       desired_node("node3", NodeRole::kManager), desired_node("node4", NodeRole::kWorker)});
  auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true},
                               {"node2"},
                               {"node3"},
                               {"node4", "manager"}});
  auto plan = plan_membership(desired, observed);
  CHECK(step_names(plan) ==
        Names{"promote node2", "promote node3", "demote node4", "demote node1"});
  CHECK(plan.blocked.empty());
  // Each write sends the full spec as read, with the version it was read at.
  const auto& promote = node_update(plan.steps[0]);
  CHECK(promote.node_id == "id-node2");
  CHECK(promote.hostname == "node2");  // its failure names the node: "update node node2: ..."
  CHECK(promote.version == 7);
  CHECK(promote.spec.at("Role") == "manager");
  CHECK(promote.spec.at("Name") == "kept-as-read");
}

TEST_CASE("a demotion that would lose quorum is blocked with the arithmetic", "[membership]") {
  auto desired = desired_of({desired_node("node1", NodeRole::kManager),
                             desired_node("node2", NodeRole::kWorker),
                             desired_node("node3", NodeRole::kManager)});
  SECTION("a down manager still counts: blocked") {
    auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true},
                                 {"node2", "manager"},
                                 {"node3", "manager", "down"}});
    auto plan = plan_membership(desired, observed);
    CHECK(plan.steps.empty());
    REQUIRE(blocked_names(plan) == Names{"demote node2"});
    CHECK(plan.blocked[0].reason.find("1 of 2 managers reachable, a majority needs 2") !=
          std::string::npos);
    CHECK(has_finding(plan, "NodeDown"));
    CHECK(has_finding(plan, "ManagerUnreachable"));
  }
  SECTION("every manager reachable: allowed") {
    auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true},
                                 {"node2", "manager"},
                                 {"node3", "manager"}});
    auto plan = plan_membership(desired, observed);
    CHECK(step_names(plan) == Names{"demote node2"});
    CHECK(plan.blocked.empty());
  }
}

TEST_CASE("demoting a down manager keeps quorum when the rest are a majority", "[membership]") {
  model::DesiredState desired = desired_of({desired_node("node1", NodeRole::kManager),
                                            desired_node("node2", NodeRole::kManager),
                                            desired_node("node3", NodeRole::kManager)});
  desired.swarm.prune = true;
  auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true},
                               {"node2", "manager"},
                               {"node3", "manager"},
                               {"node4", "manager", "down"},
                               {"node5", "manager", "down"}});
  // 3 of 5 reachable. Demote node4: 3 of 4 (needs 3), then node5: 3 of 3.
  auto plan = plan_membership(desired, observed);
  CHECK(step_names(plan) == Names{"demote node4", "demote node5", "remove node4", "remove node5"});
  CHECK(has_finding(plan, "EvenManagerCount") == false);
}

TEST_CASE("without quorum nothing is planned", "[membership]") {
  auto desired = desired_of(
      {desired_node("node1", NodeRole::kManager), desired_node("node2", NodeRole::kManager),
       desired_node("node3", NodeRole::kManager), desired_node("node4", NodeRole::kWorker, {})});
  desired.swarm.nodes[3].availability = model::Availability::kDrain;
  auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true},
                               {"node2", "manager", "down"},
                               {"node3", "manager", "down"},
                               {"node4"}});
  auto plan = plan_membership(desired, observed);
  CHECK(plan.steps.empty());
  REQUIRE(plan.blocked.size() == 1);
  CHECK(plan.blocked[0].reason.find("no quorum (1 of 3 managers reachable") != std::string::npos);
}

TEST_CASE("a manager promoted a moment ago is waited for, not taken for a lost quorum",
          "[membership]") {
  auto desired = desired_of({desired_node("node1", NodeRole::kManager),
                             desired_node("node2", NodeRole::kManager),
                             desired_node("node3", NodeRole::kManager)});
  auto observed = observed_of(
      {{"node1", "manager", "ready", "active", {}, true}, {"node2", "manager"}, {"node3"}});
  // The leader has not probed node2 yet: a real swarm reports its reachability as unknown.
  observed.nodes[1].manager_reachability = "unknown";
  auto plan = plan_membership(desired, observed);
  CHECK(plan.steps.empty());
  CHECK(plan.blocked.empty());
  REQUIRE(plan.waiting.size() == 1);
  CHECK(plan.waiting[0].find("node2") != std::string::npos);
  SECTION("a down manager is no such excuse") {
    observed.nodes[1].state = "down";
    plan = plan_membership(desired, observed);
    CHECK(plan.waiting.empty());
    CHECK(plan.blocked.size() == 1);
  }
}

TEST_CASE("no other membership change while a promoted manager joins raft", "[membership]") {
  // Raft counts a promoted manager before it has joined: from one manager to two, both must
  // answer for a commit, and a second promotion sent then stalled a real swarm ("context
  // deadline exceeded"). Here quorum holds (3 of 4 reachable), so it is a wait, not a block.
  auto desired = desired_of(
      {desired_node("node1", NodeRole::kManager), desired_node("node2", NodeRole::kManager),
       desired_node("node3", NodeRole::kManager), desired_node("node4", NodeRole::kManager),
       desired_node("node5", NodeRole::kManager)});
  auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true},
                               {"node2", "manager"},
                               {"node3", "manager"},
                               {"node4", "manager"},
                               {"node5"}});
  observed.nodes[3].manager_reachability.reset();  // no ManagerStatus yet
  auto plan = plan_membership(desired, observed);
  CHECK(plan.steps.empty());
  CHECK(plan.blocked.empty());
  REQUIRE(plan.waiting.size() == 1);
  CHECK(plan.waiting[0].find("node4 joining raft") != std::string::npos);
  SECTION("once it is reachable, the next promotion follows") {
    observed.nodes[3].manager_reachability = "reachable";
    plan = plan_membership(desired, observed);
    REQUIRE(plan.steps.size() == 1);
    CHECK(plan.steps[0].description.action == "promote");
    CHECK(plan.steps[0].description.object == "node5");
  }
}

TEST_CASE("the last manager is never demoted", "[membership]") {
  auto desired = desired_of({desired_node("node1", NodeRole::kWorker)});
  auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true}});
  auto plan = plan_membership(desired, observed);
  CHECK(plan.steps.empty());
  REQUIRE(blocked_names(plan) == Names{"demote node1"});
  CHECK(plan.blocked[0].reason.find("last manager") != std::string::npos);
}

TEST_CASE("a down node is not promoted", "[membership]") {
  auto desired = desired_of(
      {desired_node("node1", NodeRole::kManager), desired_node("node2", NodeRole::kManager)});
  auto observed =
      observed_of({{"node1", "manager", "ready", "active", {}, true}, {"node2", "worker", "down"}});
  auto plan = plan_membership(desired, observed);
  CHECK(plan.steps.empty());
  CHECK(blocked_names(plan) == Names{"promote node2"});
  CHECK(plan.blocked[0].reason.find("cannot vote") != std::string::npos);
}

TEST_CASE("a drain that leaves a service without room is blocked with its name", "[membership]") {
  const std::map<std::string, std::string> master{{"types", "master"}};
  auto desired = desired_of({desired_node("node1", NodeRole::kManager, master),
                             desired_node("node2", NodeRole::kWorker, master),
                             desired_node("node3", NodeRole::kWorker, master)});
  desired.swarm.nodes[0].availability = model::Availability::kDrain;
  auto observed = observed_of({{"node1", "manager", "ready", "active", master, true},
                               {"node2", "worker", "ready", "active", master},
                               {"node3", "worker", "ready", "active", master}});
  observed.services.push_back(make_service({"iservices_gui", 3, {"node.labels.types==master"}, 1}));
  observed.services.push_back(make_service({"iservices_redis", 1, {}, 0}));
  SECTION("three masters, three gui replicas, max one each: blocked") {
    auto plan = plan_membership(desired, observed);
    CHECK(plan.steps.empty());
    REQUIRE(blocked_names(plan) == Names{"drain node1"});
    CHECK(plan.blocked[0].reason.find("iservices_gui") != std::string::npos);
    CHECK(plan.blocked[0].reason.find("iservices_redis") == std::string::npos);
  }
  SECTION("a fourth master gives room: allowed") {
    observed.nodes.push_back(make_node({"node4", "worker", "ready", "active", master}));
    desired.swarm.nodes.push_back(desired_node("node4", NodeRole::kWorker, master));
    auto plan = plan_membership(desired, observed);
    CHECK(step_names(plan) == Names{"drain node1"});
    CHECK(node_update(plan.steps[0]).spec.at("Availability") == "drain");
  }
}

TEST_CASE("missing nodes join through their engine with the right role", "[membership]") {
  auto desired = desired_of(
      {desired_node("node1", NodeRole::kManager), desired_node("node2", NodeRole::kManager),
       desired_node("node3", NodeRole::kWorker), desired_node("node4", NodeRole::kWorker),
       desired_node("node5", NodeRole::kWorker)});
  for (int i = 1; i < 4; ++i) {
    desired.swarm.nodes[i].engine =
        model::EngineEndpoint{"unix:///run/node" + std::to_string(i + 1) + ".sock", {}};
  }
  auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true}});
  observed.engines["node2"] = {true, "", "inactive", "", ""};
  observed.engines["node3"] = {true, "", "pending", "", ""};
  observed.engines["node4"] = {false, "connection refused", "", "", ""};
  auto plan = plan_membership(desired, observed);
  REQUIRE(step_names(plan) == Names{"join node2"});
  CHECK(std::get<reconcilers::JoinNode>(plan.steps[0].operation).role == "manager");
  CHECK(plan.waiting == Names{"node3 is joining the swarm"});
  CHECK(blocked_names(plan) == Names{"join node4", "join node5"});
  CHECK(plan.blocked[0].reason.find("connection refused") != std::string::npos);
  CHECK(plan.blocked[1].reason.find("no engine endpoint") != std::string::npos);
}

TEST_CASE("nodes the file does not list are reported, and removed only when down with prune",
          "[membership]") {
  auto desired = desired_of({desired_node("node1", NodeRole::kManager)});
  auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true},
                               {"node2", "worker", "ready"},
                               {"node3", "worker", "down"}});
  auto plan = plan_membership(desired, observed);
  CHECK(plan.steps.empty());
  CHECK(has_finding(plan, "NodeNotListed"));
  CHECK(has_finding(plan, "PruneOff"));
  desired.swarm.prune = true;
  plan = plan_membership(desired, observed);
  CHECK(step_names(plan) == Names{"remove node3"});
  CHECK(std::get<reconcilers::RemoveNode>(plan.steps[0].operation).node_id == "id-node3");
}

TEST_CASE("a node declared present: false is drained, demoted and leaves", "[membership]") {
  auto desired = desired_of(
      {desired_node("node1", NodeRole::kManager), desired_node("node2", NodeRole::kManager),
       desired_node("node3", NodeRole::kManager), desired_node("node4", NodeRole::kManager)});
  desired.swarm.nodes[3].present = false;
  desired.swarm.nodes[3].engine = model::EngineEndpoint{"unix:///run/node4.sock", {}};
  auto observed = observed_of({{"node1", "manager", "ready", "active", {}, true},
                               {"node2", "manager"},
                               {"node3", "manager"},
                               {"node4", "manager"}});
  observed.engines["node4"] = {true, "", "active", "id-node4", ""};
  auto plan = plan_membership(desired, observed);
  CHECK(step_names(plan) == Names{"drain node4", "demote node4", "leave node4"});
  SECTION("once it has left, the plan waits for the entry to go down, then prunes it") {
    desired.swarm.prune = true;
    auto left = observed_of({{"node1", "manager", "ready", "active", {}, true},
                             {"node2", "manager"},
                             {"node3", "manager"},
                             {"node4", "worker", "ready", "drain"}});
    left.engines["node4"] = {true, "", "inactive", "", ""};
    plan = plan_membership(desired, left);
    CHECK(plan.steps.empty());
    CHECK(plan.waiting.size() == 1);
    left.nodes[3].state = "down";
    plan = plan_membership(desired, left);
    CHECK(step_names(plan) == Names{"remove node4"});
  }
}

TEST_CASE("membership reports the manual's warnings from what it observes", "[membership]") {
  auto desired = desired_of({desired_node("node1", NodeRole::kManager)});
  auto plan =
      plan_membership(desired, observed_of({{"node1", "manager", "ready", "active", {}, true}}));
  CHECK(has_finding(plan, "FewerThanThreeManagers"));
  CHECK(plan.steps.empty());
  auto four = observed_of({{"node1", "manager", "ready", "active", {}, true},
                           {"node2", "manager"},
                           {"node3", "manager"},
                           {"node4", "manager"}});
  plan = plan_membership(desired, four);
  CHECK(has_finding(plan, "EvenManagerCount"));
}

}  // namespace swarmop::testing
