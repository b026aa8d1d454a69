#include <catch2/catch.hpp>
#include <set>

#include "sim_fixtures.hpp"

using namespace swarmop::sim;
using swarmop::sim::testing::service_spec;
using swarmop::sim::testing::TestWorld;

namespace {

// Five nodes like the reference lab: node1-3 managers labelled master, node4-5 workers.
TestWorld reference_lab() {
  TestWorld lab(3, 2, WorldOptions{.heartbeat_delay = std::chrono::seconds(12)});
  for (const char* master : {"node1", "node2", "node3"}) {
    lab.set_labels(master, {{"types", "master"}});
  }
  for (const char* worker : {"node4", "node5"}) {
    lab.set_labels(worker, {{"types", "worker"}});
  }
  return lab;
}

}  // namespace

TEST_CASE("tasks honour constraints and MaxReplicas, the rest pend with the engine's reason",
          "[sim][scheduler]") {
  auto lab = reference_lab();
  lab.world->create_service_directly(service_spec("gui", 4, {"node.labels.types==master"}, 1));
  const auto running = lab.world->running_by_host("gui");
  CHECK(running == std::map<std::string, int>{{"node1", 1}, {"node2", 1}, {"node3", 1}});
  const auto pending = lab.world->pending_tasks("gui");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].slot == 4);
  CHECK(pending[0].message == "pending task scheduling");
  CHECK(pending[0].err ==
        "no suitable node (max replicas per node limit exceed; scheduling constraints not "
        "satisfied on 2 nodes)");
}

TEST_CASE("spreads over eligible nodes by fewest tasks of the service", "[sim][scheduler]") {
  TestWorld lab(1, 2);
  lab.world->create_service_directly(service_spec("web", 6));
  CHECK(lab.world->running_by_host("web") ==
        std::map<std::string, int>{{"node1", 2}, {"node2", 2}, {"node3", 2}});
}

TEST_CASE("a down node's tasks are replaced when it is declared down, and never move back",
          "[sim][scheduler]") {
  auto lab = reference_lab();
  lab.world->create_service_directly(
      service_spec("steprunner", 6, {"node.labels.types==worker"}, 5));
  CHECK(lab.world->running_by_host("steprunner") ==
        std::map<std::string, int>{{"node4", 3}, {"node5", 3}});
  const auto version_before = lab.node_version("node5");

  lab.world->set_engine_up("node5", false);
  lab.advance(11);
  CHECK(lab.world->inspect_node("node5").body.at("Status").at("State") == "ready");
  lab.advance(1);
  const auto node5 = lab.world->inspect_node("node5").body;
  CHECK(node5.at("Status").at("State") == "down");
  CHECK(node5.at("Status").at("Message") == "heartbeat failure");
  CHECK(lab.node_version("node5") > version_before);  // a system write bumps the version
  CHECK(lab.world->running_by_host("steprunner") == std::map<std::string, int>{{"node4", 5}});
  const auto pending = lab.world->pending_tasks("steprunner");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].err ==
        "no suitable node (scheduling constraints not satisfied on 3 nodes; 1 node not available "
        "for new tasks; max replicas per node limit exceed)");

  lab.world->set_engine_up("node5", true);
  lab.advance(1);
  // Only the pending task lands on the returning node: 5/1, for good.
  CHECK(lab.world->running_by_host("steprunner") ==
        std::map<std::string, int>{{"node4", 5}, {"node5", 1}});
  lab.advance(60);
  CHECK(lab.world->running_by_host("steprunner") ==
        std::map<std::string, int>{{"node4", 5}, {"node5", 1}});

  SECTION("a ForceUpdate rebalances, updating then completed over simulated time") {
    auto reply = lab.update_spec(
        "steprunner", [](auto& spec) { spec["TaskTemplate"].as_object()["ForceUpdate"] = 1; });
    REQUIRE(reply.status == 200);
    CHECK(lab.world->inspect_service("steprunner").body.at("UpdateStatus").at("State") ==
          "updating");
    lab.advance(200);
    const auto service = lab.world->inspect_service("steprunner").body;
    CHECK(service.at("UpdateStatus").at("State") == "completed");
    CHECK(service.at("UpdateStatus").at("Message") == "update completed");
    CHECK(lab.world->running_by_host("steprunner") ==
          std::map<std::string, int>{{"node4", 3}, {"node5", 3}});
  }
}

TEST_CASE("drain moves tasks away, pause places no new ones", "[sim][scheduler]") {
  TestWorld lab(1, 2);
  lab.world->create_service_directly(service_spec("web", 3));
  lab.set_availability("node3", "drain");
  CHECK(lab.world->running_by_host("web") ==
        std::map<std::string, int>{{"node1", 2}, {"node2", 1}});
  lab.set_availability("node2", "pause");
  lab.set_availability("node3", "active");
  auto reply = lab.update_spec("web", [](auto& spec) {
    spec["Mode"].as_object()["Replicated"].as_object()["Replicas"] = 5;
  });
  REQUIRE(reply.ok());
  // Scaling is no rolling update, and nothing goes to the paused node.
  CHECK(lab.world->inspect_service("web").body.as_object().if_contains("UpdateStatus") == nullptr);
  CHECK(lab.world->running_by_host("web") ==
        std::map<std::string, int>{{"node1", 2}, {"node2", 1}, {"node3", 2}});
}

TEST_CASE("lowering MaxReplicas moves nothing until a ForceUpdate", "[sim][scheduler]") {
  auto lab = reference_lab();
  lab.world->create_service_directly(
      service_spec("steprunner", 6, {"node.labels.types==worker"}, 5));
  lab.world->set_engine_up("node5", false);
  lab.advance(12);
  lab.world->set_engine_up("node5", true);
  lab.advance(1);
  REQUIRE(lab.world->running_by_host("steprunner") ==
          std::map<std::string, int>{{"node4", 5}, {"node5", 1}});

  auto reply = lab.update_spec("steprunner", [](auto& spec) {
    spec["TaskTemplate"].as_object()["Placement"].as_object()["MaxReplicas"] = 2;
  });
  REQUIRE(reply.ok());
  lab.advance(60);
  CHECK(lab.world->inspect_service("steprunner").body.as_object().if_contains("UpdateStatus") ==
        nullptr);
  CHECK(lab.world->running_by_host("steprunner") ==
        std::map<std::string, int>{{"node4", 5}, {"node5", 1}});

  reply = lab.update_spec("steprunner",
                          [](auto& spec) { spec["TaskTemplate"].as_object()["ForceUpdate"] = 1; });
  REQUIRE(reply.ok());
  lab.advance(300);
  CHECK(lab.world->running_by_host("steprunner") ==
        std::map<std::string, int>{{"node4", 2}, {"node5", 2}});
  const auto pending = lab.world->pending_tasks("steprunner");
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].err ==
        "no suitable node (scheduling constraints not satisfied on 3 nodes; max replicas per "
        "node limit exceed)");
  // Replacements cannot be placed: the update stays in progress.
  CHECK(lab.world->inspect_service("steprunner").body.at("UpdateStatus").at("State") == "updating");
}

TEST_CASE("a constraint change replaces only tasks on nodes that no longer qualify",
          "[sim][scheduler]") {
  auto lab = reference_lab();
  lab.world->create_service_directly(service_spec("gui", 3, {"node.labels.types!=master"}));
  const auto before = lab.world->tasks();
  auto reply = lab.update_spec("gui", [](auto& spec) {
    spec["TaskTemplate"].as_object()["Placement"].as_object()["Constraints"] =
        boost::json::array{"node.labels.types==worker"};
  });
  REQUIRE(reply.ok());
  lab.advance(100);
  CHECK(lab.world->inspect_service("gui").body.as_object().if_contains("UpdateStatus") == nullptr);
  CHECK(lab.world->tasks().size() == before.size());  // every task still qualified

  reply = lab.update_spec("gui", [](auto& spec) {
    spec["TaskTemplate"].as_object()["Placement"].as_object()["Constraints"] =
        boost::json::array{"node.labels.types==master"};
  });
  REQUIRE(reply.ok());
  CHECK(lab.world->inspect_service("gui").body.at("UpdateStatus").at("State") == "updating");
  lab.advance(100);
  CHECK(lab.world->inspect_service("gui").body.at("UpdateStatus").at("State") == "completed");
  const auto running = lab.world->running_by_host("gui");
  CHECK(running.count("node4") == 0);
  CHECK(running.count("node5") == 0);
}

TEST_CASE("an identical spec update bumps the version, resets UpdateStatus, replaces nothing",
          "[sim][scheduler]") {
  TestWorld lab(1, 1);
  lab.world->create_service_directly(service_spec("gui", 2));
  REQUIRE(lab.update_spec("gui",
                          [](auto& spec) { spec["TaskTemplate"].as_object()["ForceUpdate"] = 1; })
              .ok());
  lab.advance(100);
  REQUIRE(lab.world->inspect_service("gui").body.at("UpdateStatus").at("State") == "completed");
  const auto tasks = lab.world->tasks().size();
  const auto version = lab.service_version("gui");
  REQUIRE(lab.update_spec("gui", [](auto&) {}).ok());
  CHECK(lab.service_version("gui") > version);
  CHECK(lab.world->inspect_service("gui").body.as_object().if_contains("UpdateStatus") == nullptr);
  CHECK(lab.world->tasks().size() == tasks);
}

TEST_CASE("a ForceUpdate redeploys one task at a time: grace plus monitor per task",
          "[sim][scheduler]") {
  TestWorld lab(3, 0);
  lab.world->create_service_directly(service_spec("gui", 3, {}, 1));
  const auto old_ids = [&] {
    std::set<std::string> ids;
    for (const auto& t : lab.world->tasks()) {
      ids.insert(t.id);
    }
    return ids;
  }();
  REQUIRE(lab.update_spec("gui",
                          [](auto& spec) { spec["TaskTemplate"].as_object()["ForceUpdate"] = 1; })
              .ok());
  // 3 tasks x 2 s grace + 2 x 5 s monitor = 16 s.
  lab.advance(15);
  CHECK(lab.world->inspect_service("gui").body.at("UpdateStatus").at("State") == "updating");
  lab.advance(1.5);
  CHECK(lab.world->inspect_service("gui").body.at("UpdateStatus").at("State") == "completed");
  int replaced = 0;
  for (const auto& t : lab.world->tasks()) {
    if (t.desired_state == "running") {
      CHECK_FALSE(old_ids.contains(t.id));
      CHECK(t.spec.at("ForceUpdate") == 1);
      ++replaced;
    }
  }
  CHECK(replaced == 3);
  CHECK(lab.world->running_by_host("gui") ==
        std::map<std::string, int>{{"node1", 1}, {"node2", 1}, {"node3", 1}});
}

TEST_CASE("removing a label under a running task: rejected by the constraint enforcer",
          "[sim][scheduler]") {
  auto lab = reference_lab();
  lab.world->create_service_directly(service_spec("gui", 3, {"node.labels.types==master"}, 1));
  lab.set_labels("node2", {});
  bool rejected = false;
  for (const auto& t : lab.world->tasks()) {
    if (t.state == "rejected") {
      rejected = true;
      CHECK(t.desired_state == "shutdown");
      CHECK(t.message == "task rejected by constraint enforcer");
      CHECK(t.err == "assigned node no longer meets constraints");
    }
  }
  CHECK(rejected);
  CHECK(lab.world->pending_tasks("gui").empty());  // the replacement waits RestartPolicy.Delay
  lab.advance(1);
  const auto pending = lab.world->pending_tasks("gui");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].err ==
        "no suitable node (scheduling constraints not satisfied on 3 nodes; max replicas per "
        "node limit exceed)");
  lab.set_labels("node2", {{"types", "master"}});
  CHECK(lab.world->running_by_host("gui").at("node2") == 1);
}
