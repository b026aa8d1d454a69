#include "swarmop/reconcilers/placement_planner.hpp"

#include <catch2/catch.hpp>

#include "swarm_builders.hpp"

namespace swarmop::testing {
namespace {

using reconcilers::plan_placement;
using Names = std::vector<std::string>;

const std::map<std::string, std::string> kWorker{{"types", "worker"}};

reconcilers::SwarmObservation steprunners_on(std::vector<std::string> hosts) {
  reconcilers::SwarmObservation observed;
  observed.nodes = {make_node({"node1", "manager", "ready", "active", {}, true}),
                    make_node({"node4", "worker", "ready", "active", kWorker}),
                    make_node({"node5", "worker", "ready", "active", kWorker})};
  observed.services = {
      make_service({"iservices_steprunner", hosts.size(), {"node.labels.types==worker"}, 5})};
  std::uint64_t slot = 0;
  for (const auto& host : hosts) {
    observed.tasks.push_back(running_task("iservices_steprunner", host, ++slot));
  }
  return observed;
}

model::DesiredState spread_steprunners(std::uint64_t replicas) {
  model::DesiredState desired;
  model::ServiceSpec spec;
  spec.replicas = replicas;
  spec.max_replicas_per_node = 5;
  spec.spread = true;
  desired.services["steprunner"] = spec;
  return desired;
}

}  // namespace

TEST_CASE("one update carries every managed field and keeps the rest of the spec", "[placement]") {
  model::DesiredState desired;
  model::ServiceSpec spec;
  spec.replicas = 3;
  spec.max_replicas_per_node = 1;
  spec.restart_delay = std::chrono::seconds(30);
  spec.stop_grace_period = std::chrono::seconds(20);
  spec.env = {{"db_host", "couchbase,couchbase-worker"}};
  spec.resources = model::Resources{model::ResourceAmounts{1.5, 1 << 30}, std::nullopt};
  desired.services["gui"] = spec;
  reconcilers::SwarmObservation observed;
  observed.services = {make_service({"iservices_gui", 1})};
  auto plan = plan_placement(desired, observed);
  REQUIRE(step_names(plan) == Names{"update iservices_gui"});
  const auto& update = std::get<reconcilers::ServiceUpdate>(plan.steps[0].operation);
  CHECK(update.version == 11);
  const auto& task = update.spec.at("TaskTemplate");
  CHECK(update.spec.at("Mode").at("Replicated").at("Replicas") == 3);
  CHECK(task.at("Placement").at("MaxReplicas") == 1);
  CHECK(task.at("RestartPolicy").at("Delay") == 30'000'000'000LL);
  CHECK(task.at("ContainerSpec").at("StopGracePeriod") == 20'000'000'000LL);
  CHECK(task.at("ContainerSpec").at("Env") ==
        boost::json::array{"A=1", "db_host=couchbase,couchbase-worker"});
  CHECK(task.at("Resources").at("Limits").at("NanoCPUs") == 1'500'000'000LL);
  CHECK(task.at("UnknownFieldKept") == true);
  CHECK(update.spec.at("Labels").at("com.docker.stack.namespace") == "iservices");
  CHECK(plan.steps[0].description.changes.size() == 7);

  SECTION("a spec that already matches plans nothing") {
    observed.services[0].spec = update.spec;
    observed.services[0].replicas = 3;
    observed.services[0].max_replicas = 1;
    auto again = plan_placement(desired, observed);
    CHECK(again.steps.empty());
  }
}

TEST_CASE("an uneven spread service gets one force-update", "[placement]") {
  auto desired = spread_steprunners(6);
  SECTION("5 and 1 after a node came back: force-update") {
    auto observed = steprunners_on({"node4", "node4", "node4", "node4", "node4", "node5"});
    auto plan = plan_placement(desired, observed);
    REQUIRE(step_names(plan) == Names{"force-update iservices_steprunner"});
    CHECK(plan.steps[0].description.reason.find("node4 5, node5 1") != std::string::npos);
    const auto& update = std::get<reconcilers::ServiceUpdate>(plan.steps[0].operation);
    CHECK(update.spec.at("TaskTemplate").at("ForceUpdate") == 1);
  }
  SECTION("3 and 3: in sync") {
    auto plan = plan_placement(
        desired, steprunners_on({"node4", "node4", "node4", "node5", "node5", "node5"}));
    CHECK(plan.steps.empty());
  }
  SECTION("4 and 3: within one of even, in sync") {
    auto plan = plan_placement(
        spread_steprunners(7),
        steprunners_on({"node4", "node4", "node4", "node4", "node5", "node5", "node5"}));
    CHECK(plan.steps.empty());
  }
  SECTION("not again while the rollout runs") {
    auto observed = steprunners_on({"node4", "node4", "node4", "node4", "node4", "node5"});
    observed.services[0].update_status = clients::UpdateStatus{"updating", "update in progress"};
    auto plan = plan_placement(desired, observed);
    CHECK(plan.steps.empty());
    CHECK(plan.waiting.size() == 1);
  }
  SECTION("not again before the engine has started the last one") {
    // Right after a force-update write the engine has not yet set UpdateStatus: the tasks still
    // carry the old ForceUpdate, and a second force-update would be a wasted redeploy.
    auto observed = steprunners_on({"node4", "node4", "node4", "node4", "node4", "node5"});
    observed.services[0].force_update = 1;
    auto plan = plan_placement(desired, observed);
    CHECK(plan.steps.empty());
    CHECK(plan.waiting.size() == 1);
  }
  SECTION("not after a rollout paused: reported") {
    auto observed = steprunners_on({"node4", "node4", "node4", "node4", "node4", "node5"});
    observed.services[0].update_status = clients::UpdateStatus{"paused", "update paused"};
    auto plan = plan_placement(desired, observed);
    CHECK(plan.steps.empty());
    CHECK(has_finding(plan, "UpdateNotCompleted"));
  }
  SECTION("a pending task is reported with the engine's reason and nothing is forced") {
    auto observed = steprunners_on({"node4", "node4", "node4", "node4", "node4", "node5"});
    auto pending = running_task("iservices_steprunner", "", 7, "pending");
    pending.err = "no suitable node (max replicas per node limit exceed)";
    observed.tasks.push_back(pending);
    desired.services["steprunner"].replicas.reset();  // scaled by hand: not managed here
    auto plan = plan_placement(desired, observed);
    CHECK(plan.steps.empty());
    REQUIRE(has_finding(plan, "TaskPending"));
    CHECK(plan.findings[0].message.find("max replicas per node limit exceed") != std::string::npos);
  }
}

TEST_CASE("a service short of its replicas waits while Swarm can still place them", "[placement]") {
  // gui, one per master: node1 crashed and came back, and Swarm has not put its task back yet.
  model::DesiredState desired;
  model::ServiceSpec spec;
  spec.replicas = 3;
  spec.max_replicas_per_node = 1;
  desired.services["gui"] = spec;
  const std::map<std::string, std::string> master{{"types", "master"}};
  reconcilers::SwarmObservation observed;
  observed.nodes = {make_node({"node1", "manager", "ready", "active", master, true}),
                    make_node({"node2", "manager", "ready", "active", master}),
                    make_node({"node3", "manager", "ready", "active", master})};
  observed.services = {make_service({"iservices_gui", 3, {"node.labels.types==master"}, 1})};
  observed.services[0].spec.at("Mode").at("Replicated").as_object()["Replicas"] = 3;
  observed.tasks = {running_task("iservices_gui", "node2", 1),
                    running_task("iservices_gui", "node3", 2)};
  SECTION("a pending task with room on a node: wait, naming the engine's reason") {
    auto pending = running_task("iservices_gui", "", 3, "pending");
    pending.err = "no suitable node (max replicas per node limit exceed)";
    observed.tasks.push_back(pending);
    auto plan = plan_placement(desired, observed);
    CHECK(plan.steps.empty());
    REQUIRE(plan.waiting.size() == 1);
    CHECK(plan.waiting[0].find("2 of 3 tasks running") != std::string::npos);
    CHECK(plan.waiting[0].find("max replicas per node limit exceed") != std::string::npos);
  }
  SECTION("no task yet (restart delay): wait") {
    auto plan = plan_placement(desired, observed);
    REQUIRE(plan.waiting.size() == 1);
    CHECK(plan.waiting[0].find("has not started the rest") != std::string::npos);
  }
  SECTION("no room: the node is down, so a finding and no wait (it would only time out)") {
    observed.nodes[0] = make_node({"node1", "manager", "down", "active", master});
    auto pending = running_task("iservices_gui", "", 3, "pending");
    pending.err = "no suitable node (max replicas per node limit exceed)";
    observed.tasks.push_back(pending);
    auto plan = plan_placement(desired, observed);
    CHECK(plan.waiting.empty());
    CHECK(has_finding(plan, "TaskPending"));
  }
  SECTION("the engine lacks the resources: no wait") {
    auto pending = running_task("iservices_gui", "", 3, "pending");
    pending.err = "no suitable node (insufficient resources on 3 nodes)";
    observed.tasks.push_back(pending);
    CHECK(plan_placement(desired, observed).waiting.empty());
  }
  SECTION("a restart policy that does not restart: no wait for tasks Swarm will not start") {
    observed.services[0].spec.at("TaskTemplate").as_object()["RestartPolicy"] =
        boost::json::object{{"Condition", "on-failure"}};
    CHECK(plan_placement(desired, observed).waiting.empty());
  }
  SECTION("all three running: in sync") {
    observed.tasks.push_back(running_task("iservices_gui", "node1", 3));
    auto plan = plan_placement(desired, observed);
    CHECK(plan.waiting.empty());
    CHECK(plan.steps.empty());
  }
}

TEST_CASE("a node over a lowered max-replicas limit gets a force-update", "[placement]") {
  model::DesiredState desired;
  model::ServiceSpec spec;
  spec.max_replicas_per_node = 2;
  desired.services["steprunner"] = spec;
  auto observed = steprunners_on({"node4", "node4", "node4", "node5"});
  observed.services[0].max_replicas = 2;
  observed.services[0].spec.at("TaskTemplate").at("Placement").as_object()["MaxReplicas"] = 2;
  auto plan = plan_placement(desired, observed);
  REQUIRE(step_names(plan) == Names{"force-update iservices_steprunner"});
  CHECK(plan.steps[0].description.reason.find("node4 runs 3") != std::string::npos);
}

TEST_CASE("a service the file lists but the swarm lacks is blocked", "[placement]") {
  model::DesiredState desired;
  desired.services["gui"] = model::ServiceSpec{};
  auto plan = plan_placement(desired, reconcilers::SwarmObservation{});
  CHECK(blocked_names(plan) == Names{"update iservices_gui"});
  CHECK(plan.blocked[0].reason.find("docker stack deploy") != std::string::npos);
}

}  // namespace swarmop::testing
