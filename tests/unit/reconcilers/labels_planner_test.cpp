#include "swarmop/reconcilers/labels_planner.hpp"

#include <catch2/catch.hpp>

#include "swarm_builders.hpp"

namespace swarmop::testing {
namespace {

using model::NodeRole;
using reconcilers::kManagedLabelsKey;
using reconcilers::plan_labels;
using Names = std::vector<std::string>;

model::ServiceSpec constrained(std::vector<std::string> texts) {
  model::ServiceSpec spec;
  std::vector<model::Constraint> constraints;
  for (const auto& text : texts) {
    constraints.push_back(*model::parse_constraint(text));
  }
  spec.constraints = constraints;
  return spec;
}

}  // namespace

TEST_CASE("labels are added before the constraints that need them", "[labels]") {
  model::DesiredState desired;
  desired.swarm.nodes = {desired_node("node1", NodeRole::kManager, {{"types", "master"}}),
                         desired_node("node2", NodeRole::kWorker, {{"types", "worker"}})};
  desired.services["gui"] = constrained({"node.labels.types == master"});
  reconcilers::SwarmObservation observed;
  observed.nodes = {make_node({"node1", "manager", "ready", "active", {}, true}),
                    make_node({"node2"})};
  observed.services = {make_service({"iservices_gui", 3})};
  auto plan = plan_labels(desired, observed);
  CHECK(step_names(plan) ==
        Names{"set-labels node1", "set-labels node2", "set-placement iservices_gui"});
  const auto& labels = std::get<reconcilers::NodeUpdate>(plan.steps[0].operation).spec;
  CHECK(labels.at("Labels").at("types") == "master");
  CHECK(labels.at("Labels").at(kManagedLabelsKey) == "types");
  const auto& service = std::get<reconcilers::ServiceUpdate>(plan.steps[2].operation).spec;
  CHECK(service.at("TaskTemplate").at("Placement").at("Constraints") ==
        boost::json::array{"node.labels.types == master"});
  CHECK(service.at("TaskTemplate").at("UnknownFieldKept") == true);
}

TEST_CASE("equal constraints written differently are in sync", "[labels]") {
  model::DesiredState desired;
  desired.services["gui"] = constrained({"node.labels.types == master"});
  reconcilers::SwarmObservation observed;
  observed.nodes = {make_node({"node1", "manager", "ready", "active", {{"types", "master"}}})};
  observed.services = {make_service({"iservices_gui", 3, {"node.labels.types==master"}})};
  auto plan = plan_labels(desired, observed);
  CHECK(plan.steps.empty());
  CHECK(plan.blocked.empty());
}

TEST_CASE("a constraint no Ready, active node satisfies is blocked with the nodes' labels",
          "[labels]") {
  model::DesiredState desired;
  desired.services["gui"] = constrained({"node.labels.types == master"});
  reconcilers::SwarmObservation observed;
  observed.nodes = {make_node({"node1", "manager", "ready", "drain", {{"types", "master"}}}),
                    make_node({"node2", "worker", "ready", "active", {{"types", "worker"}}}),
                    make_node({"node3", "worker", "down", "active", {{"types", "master"}}})};
  observed.services = {make_service({"iservices_gui", 3})};
  auto plan = plan_labels(desired, observed);
  CHECK(plan.steps.empty());
  REQUIRE(blocked_names(plan) == Names{"set-placement iservices_gui"});
  const std::string& reason = plan.blocked[0].reason;
  CHECK(reason.find("node.labels.types == master") != std::string::npos);
  CHECK(reason.find("node2 (worker: types=worker)") != std::string::npos);
  SECTION("a label the same plan adds makes it satisfiable") {
    desired.swarm.nodes = {desired_node("node2", NodeRole::kWorker, {{"types", "master"}})};
    plan = plan_labels(desired, observed);
    CHECK(step_names(plan) == Names{"set-labels node2", "set-placement iservices_gui"});
    CHECK(plan.blocked.empty());
  }
}

TEST_CASE("only label keys the operator owns are removed", "[labels]") {
  model::DesiredState desired;
  desired.swarm.nodes = {desired_node("node1", NodeRole::kManager, {})};
  reconcilers::SwarmObservation observed;
  observed.nodes = {
      make_node({"node1",
                 "manager",
                 "ready",
                 "active",
                 {{"types", "master"}, {"owner", "ops"}, {kManagedLabelsKey, "types"}},
                 true})};
  auto plan = plan_labels(desired, observed);
  REQUIRE(step_names(plan) == Names{"remove-labels node1"});
  const auto& labels =
      std::get<reconcilers::NodeUpdate>(plan.steps[0].operation).spec.at("Labels").as_object();
  CHECK(labels.contains("types") == false);
  CHECK(labels.at("owner") == "ops");  // set by a person: never touched
  CHECK(labels.at(kManagedLabelsKey) == "");
}

TEST_CASE("a label is removed only after the constraints that need it are dropped", "[labels]") {
  model::DesiredState desired;
  desired.swarm.nodes = {desired_node("node1", NodeRole::kManager, {})};
  reconcilers::SwarmObservation observed;
  observed.nodes = {make_node({"node1",
                               "manager",
                               "ready",
                               "active",
                               {{"types", "master"}, {kManagedLabelsKey, "types"}},
                               true})};
  observed.services = {make_service({"iservices_gui", 1, {"node.labels.types==master"}})};
  observed.tasks = {running_task("iservices_gui", "node1", 1)};
  SECTION("the file drops the constraint too: constraint first, then the label") {
    desired.services["gui"] = model::ServiceSpec{};
    desired.services["gui"].constraints = std::vector<model::Constraint>{};
    auto plan = plan_labels(desired, observed);
    CHECK(step_names(plan) == Names{"set-placement iservices_gui", "remove-labels node1"});
  }
  SECTION("a constraint the file does not manage still needs it: blocked") {
    auto plan = plan_labels(desired, observed);
    CHECK(plan.steps.empty());
    REQUIRE(blocked_names(plan) == Names{"remove-labels node1"});
    CHECK(plan.blocked[0].reason.find("iservices_gui") != std::string::npos);
  }
}

}  // namespace swarmop::testing
