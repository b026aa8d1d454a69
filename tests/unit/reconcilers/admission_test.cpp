#include "swarmop/reconcilers/admission.hpp"

#include <catch2/catch.hpp>

#include "swarm_builders.hpp"
#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/reconcilers/data_store_members.hpp"
#include "swarmop/reconcilers/labels_planner.hpp"
#include "swarmop/reconcilers/membership_planner.hpp"

namespace swarmop::testing {
namespace {

namespace json = boost::json;
using reconcilers::Admission;
using reconcilers::describe_step;

const std::map<std::string, std::string> kMaster{{"types", "master"}};

//! A fresh install's data store: iservices_couchbase with its bind mount, running on node1,
//! unpinned (the compose file has no constraint for it).
reconcilers::SwarmObservation couchbase_on_node1() {
  reconcilers::SwarmObservation observed;
  observed.nodes = {make_node({"node1", "manager", "ready", "active", kMaster, true}),
                    make_node({"node2", "manager", "ready", "active", kMaster}),
                    make_node({"node3", "manager", "ready", "active", kMaster})};
  auto couchbase = make_service({"iservices_couchbase", 1});
  couchbase.spec.at("TaskTemplate").at("ContainerSpec").as_object()["Mounts"] = json::array{
      json::object{{"Type", "bind"}, {"Source", "/var/data/couchbase"}, {"Target", "/opt/cb"}}};
  auto gui = make_service({"iservices_gui", 1});
  observed.services = {couchbase, gui};
  observed.tasks = {running_task("iservices_couchbase", "node1", 1),
                    running_task("iservices_gui", "node1", 1)};
  return observed;
}

reconcilers::NodeUpdate node_update(const clients::DockerNode& node, const std::string& role,
                                    const std::string& availability,
                                    const std::map<std::string, std::string>& labels) {
  json::object spec = node.spec;
  spec["Role"] = role;
  spec["Availability"] = availability;
  json::object label_object;
  for (const auto& [key, value] : labels) {
    label_object[key] = value;
  }
  spec["Labels"] = label_object;
  return {node.id, node.hostname, node.version, spec};
}

reconcilers::ServiceUpdate service_update(const clients::DockerService& service,
                                          json::object spec) {
  return {service.id, service.version, std::move(spec)};
}

json::object with_constraints(json::object spec, std::vector<std::string> constraints) {
  json::array list;
  for (auto& c : constraints) {
    list.emplace_back(c);
  }
  spec.at("TaskTemplate").at("Placement").as_object()["Constraints"] = list;
  return spec;
}

}  // namespace

TEST_CASE("data homes: a local mount's data is on the one node its tasks ran on",
          "[admission][unit]") {
  auto observed = couchbase_on_node1();
  model::DesiredState desired;
  SECTION("one node in the history: that node, not recorded") {
    auto homes = reconcilers::find_data_homes(desired, observed);
    REQUIRE(homes.size() == 1);  // gui has no mount
    const auto& home = homes.at("iservices_couchbase");
    CHECK(home.nodes == std::vector<std::string>{"node1"});
    CHECK_FALSE(home.recorded);
    CHECK(home.mounts_text() == "bind /var/data/couchbase");
  }
  SECTION("tasks on two nodes and no record: ambiguous") {
    auto old = running_task("iservices_couchbase", "node2", 1, "shutdown");
    old.desired_state = "shutdown";
    observed.task_history.push_back(old);
    const auto home = reconcilers::find_data_homes(desired, observed).at("iservices_couchbase");
    CHECK(home.nodes.empty());
    CHECK(home.ambiguous == std::vector<std::string>{"node1", "node2"});
  }
  SECTION("the operator's record wins over where the task runs now") {
    observed.services[0].spec["Labels"].as_object()[reconcilers::kDataNodeLabel] = "node2";
    const auto home = reconcilers::find_data_homes(desired, observed).at("iservices_couchbase");
    CHECK(home.recorded);
    CHECK(home.nodes == std::vector<std::string>{"node2"});
    CHECK(home.running_away == std::vector<std::string>{"node1"});
  }
  SECTION("a volume of another driver is shared storage: not stateful") {
    observed.services[0].spec.at("TaskTemplate").at("ContainerSpec").as_object()["Mounts"] =
        json::array{json::object{{"Type", "volume"},
                                 {"Source", "cbdata"},
                                 {"VolumeOptions", {{"DriverConfig", {{"Name", "nfs-csi"}}}}}}};
    CHECK(reconcilers::find_data_homes(desired, observed).empty());
  }
  SECTION("the file settles ambiguous evidence, and a record still wins over the file") {
    auto old = running_task("iservices_couchbase", "node2", 1, "shutdown");
    old.desired_state = "shutdown";
    observed.task_history.push_back(old);
    desired.services["couchbase"].data_node = "node2";
    auto home = reconcilers::find_data_homes(desired, observed).at("iservices_couchbase");
    CHECK(home.from_file);
    CHECK(home.ambiguous.empty());
    CHECK(home.nodes == std::vector<std::string>{"node2"});
    CHECK(home.running_away == std::vector<std::string>{"node1"});
    observed.services[0].spec["Labels"].as_object()[reconcilers::kDataNodeLabel] = "node1";
    home = reconcilers::find_data_homes(desired, observed).at("iservices_couchbase");
    CHECK(home.recorded);
    CHECK_FALSE(home.from_file);
    CHECK(home.nodes == std::vector<std::string>{"node1"});
  }
  SECTION("a Couchbase node's dataNode counts like a service's") {
    desired.couchbase.emplace();
    desired.couchbase->nodes.push_back({"couchbase", "node1", std::nullopt, "node3"});
    const auto home = reconcilers::find_data_homes(desired, observed).at("iservices_couchbase");
    CHECK(home.data_store);
    CHECK(home.from_file);
    CHECK(home.nodes == std::vector<std::string>{"node3"});
  }
  SECTION("a service the file marks as shared storage is not stateful") {
    desired.services["couchbase"].shared_storage = true;
    CHECK(reconcilers::find_data_homes(desired, observed).empty());
  }
  SECTION("read-only mounts, sockets and global services hold no data that could move") {
    observed.services[0].spec.at("TaskTemplate").at("ContainerSpec").as_object()["Mounts"] =
        json::array{json::object{{"Type", "bind"},
                                 {"Source", "/var/run/docker.sock"},
                                 {"Target", "/var/run/docker.sock"}},
                    json::object{{"Type", "volume"}, {"Source", "desired"}, {"ReadOnly", true}}};
    CHECK(reconcilers::find_data_homes(desired, observed).empty());
    auto global = couchbase_on_node1();
    global.services[0].mode = "global";
    CHECK(reconcilers::find_data_homes(desired, global).empty());
  }
  SECTION("a task rejected before it ran leaves no data on its node") {
    auto rejected = running_task("iservices_couchbase", "node3", 1, "rejected");
    rejected.desired_state = "shutdown";
    observed.task_history.push_back(rejected);
    CHECK(reconcilers::find_data_homes(desired, observed).at("iservices_couchbase").nodes ==
          std::vector<std::string>{"node1"});
  }
}

TEST_CASE("admission refuses node changes that move a stateful task off its data",
          "[admission][unit]") {
  auto observed = couchbase_on_node1();
  model::DesiredState desired;
  const Admission admission(desired, observed);
  const auto& node1 = observed.nodes[0];
  const auto& node2 = observed.nodes[1];
  SECTION("draining the node with the data") {
    auto refused = admission.refuse(node_update(node1, "manager", "drain", kMaster));
    REQUIRE(refused);
    CHECK(refused->find("draining node1") != std::string::npos);
    CHECK(refused->find("iservices_couchbase") != std::string::npos);
    CHECK(refused->find("bind /var/data/couchbase") != std::string::npos);
  }
  SECTION("pausing it") {
    CHECK(admission.refuse(node_update(node1, "manager", "pause", kMaster)));
  }
  SECTION("draining it when the file marks the service's storage as shared") {
    model::DesiredState shared;
    shared.services["couchbase"].shared_storage = true;
    CHECK_FALSE(
        Admission(shared, observed).refuse(node_update(node1, "manager", "drain", kMaster)));
  }
  SECTION("draining another node is fine") {
    CHECK_FALSE(admission.refuse(node_update(node2, "manager", "drain", kMaster)));
  }
  SECTION("a label change that makes the constraints exclude the node") {
    observed.services[0].constraints = {"node.labels.types==master"};
    const Admission pinned(desired, observed);
    auto refused = pinned.refuse(node_update(node1, "manager", "active", {{"types", "worker"}}));
    REQUIRE(refused);
    CHECK(refused->find("no longer meets") != std::string::npos);
    CHECK_FALSE(pinned.refuse(
        node_update(node1, "manager", "active", {{"types", "master"}, {"zone", "a"}})));
  }
  SECTION("a demotion when the service is constrained to managers") {
    observed.services[0].constraints = {"node.role==manager"};
    const Admission managers(desired, observed);
    CHECK(managers.refuse(node_update(node1, "worker", "active", kMaster)));
  }
  SECTION("leaving or removing the node") {
    CHECK(admission.refuse(reconcilers::LeaveSwarm{"node1"}));
    CHECK(admission.refuse(reconcilers::RemoveNode{node1.id}));
    CHECK_FALSE(admission.refuse(reconcilers::LeaveSwarm{"node3"}));
  }
  SECTION("a service scaled to zero has no task to move") {
    observed.services[0].spec["Mode"] = json::object{{"Replicated", {{"Replicas", 0}}}};
    const Admission scaled_down(desired, observed);
    CHECK_FALSE(scaled_down.refuse(node_update(node1, "manager", "drain", kMaster)));
  }
}

TEST_CASE("admission refuses service updates that let a stateful task start elsewhere",
          "[admission][unit]") {
  auto observed = couchbase_on_node1();
  model::DesiredState desired;
  const Admission admission(desired, observed);
  const auto& couchbase = observed.services[0];
  SECTION("a pin to another node (the file lists it on node2)") {
    auto refused = admission.refuse(
        service_update(couchbase, with_constraints(couchbase.spec, {"node.hostname == node2"})));
    REQUIRE(refused);
    CHECK(refused->find("exclude node1") != std::string::npos);
  }
  SECTION("a pin to its own node: allowed, and nothing restarts") {
    CHECK_FALSE(admission.refuse(
        service_update(couchbase, with_constraints(couchbase.spec, {"node.hostname == node1"}))));
  }
  SECTION("a constraint its node still meets: Swarm leaves the task where it is") {
    CHECK_FALSE(admission.refuse(service_update(
        couchbase, with_constraints(couchbase.spec, {"node.labels.types == master"}))));
  }
  SECTION("an env change restarts it while unpinned: refused, naming the nodes") {
    auto spec = clients::spec_edit::with_env(couchbase.spec, {{"db_host", "couchbase"}});
    auto refused = admission.refuse(service_update(couchbase, spec));
    REQUIRE(refused);
    CHECK(refused->find("node2, node3") != std::string::npos);
    CHECK(refused->find("Pin it to node1") != std::string::npos);
  }
  SECTION("the same env change with the pin in the same update: allowed") {
    auto spec = clients::spec_edit::with_env(
        with_constraints(couchbase.spec, {"node.hostname == node1"}), {{"db_host", "couchbase"}});
    CHECK_FALSE(admission.refuse(service_update(couchbase, spec)));
  }
  SECTION("a force-update of an unpinned stateful service") {
    CHECK(admission.refuse(
        service_update(couchbase, clients::spec_edit::with_force_update_bumped(couchbase.spec))));
  }
  SECTION("scaling an unpinned stateful service back up from zero: it could start elsewhere") {
    auto stopped = couchbase;
    stopped.spec = clients::spec_edit::with_replicas(couchbase.spec, 0);
    observed.services[0] = stopped;
    const Admission scaled(desired, observed);
    auto refused =
        scaled.refuse(service_update(stopped, clients::spec_edit::with_replicas(stopped.spec, 1)));
    REQUIRE(refused);
    CHECK(refused->find("this update starts again iservices_couchbase") != std::string::npos);
    auto pinned = with_constraints(stopped.spec, {"node.hostname == node1"});
    observed.services[0].spec = pinned;
    observed.services[0].constraints = {"node.hostname == node1"};
    CHECK_FALSE(Admission(desired, observed)
                    .refuse(service_update(observed.services[0],
                                           clients::spec_edit::with_replicas(pinned, 1))));
  }
  SECTION("a stateless service moves freely") {
    const auto& gui = observed.services[1];
    CHECK_FALSE(admission.refuse(
        service_update(gui, clients::spec_edit::with_force_update_bumped(gui.spec))));
  }
  SECTION("labels and replicas do not move it") {
    auto spec = couchbase.spec;
    spec["Labels"].as_object()[reconcilers::kDataNodeLabel] = "node1";
    CHECK_FALSE(admission.refuse(service_update(couchbase, spec)));
  }
}

TEST_CASE("the labels reconciler records the node holding a stateful service's data",
          "[admission][unit]") {
  auto observed = couchbase_on_node1();
  model::DesiredState desired;
  SECTION("one node in the history, running there: recorded, nothing else changes") {
    auto plan = reconcilers::plan_labels(desired, observed);
    REQUIRE(step_names(plan) == std::vector<std::string>{"record-data-node iservices_couchbase"});
    const auto& update = std::get<reconcilers::ServiceUpdate>(plan.steps[0].operation);
    CHECK(update.spec.at("Labels").at(reconcilers::kDataNodeLabel) == "node1");
    CHECK(update.spec.at("Labels").at("com.docker.stack.namespace") == "iservices");
    CHECK(update.spec.at("TaskTemplate") == observed.services[0].spec.at("TaskTemplate"));
    SECTION("the write passes the admission check") {
      reconcilers::vet_plan(plan, Admission(desired, observed));
      CHECK(plan.steps.size() == 1);
    }
  }
  SECTION("recorded already: nothing to do") {
    observed.services[0].spec["Labels"].as_object()[reconcilers::kDataNodeLabel] = "node1";
    CHECK(reconcilers::plan_labels(desired, observed).steps.empty());
  }
  SECTION("ran on two nodes: reported, not guessed") {
    auto old = running_task("iservices_couchbase", "node2", 1, "shutdown");
    old.desired_state = "shutdown";
    observed.task_history.push_back(old);
    auto plan = reconcilers::plan_labels(desired, observed);
    CHECK(plan.steps.empty());
    CHECK(has_finding(plan, "DataNodeUnknown"));
  }
  SECTION("ran on two nodes, the file says where: recorded from the file") {
    auto old = running_task("iservices_couchbase", "node2", 1, "shutdown");
    old.desired_state = "shutdown";
    observed.task_history.push_back(old);
    desired.services["couchbase"].data_node = "node1";
    auto plan = reconcilers::plan_labels(desired, observed);
    CHECK_FALSE(has_finding(plan, "DataNodeUnknown"));
    REQUIRE(step_names(plan) == std::vector<std::string>{"record-data-node iservices_couchbase"});
    const auto& update = std::get<reconcilers::ServiceUpdate>(plan.steps[0].operation);
    CHECK(update.spec.at("Labels").at(reconcilers::kDataNodeLabel) == "node1");
  }
  SECTION("not running now: no record until it runs where it ran") {
    observed.tasks[0].state = "pending";
    observed.tasks[0].node_id.clear();
    auto past = running_task("iservices_couchbase", "node1", 1, "failed");
    past.desired_state = "shutdown";
    observed.task_history.push_back(past);
    CHECK(reconcilers::plan_labels(desired, observed).steps.empty());
  }
}

TEST_CASE("a data store node's data home is recorded only once its store counts it a member",
          "[admission][unit]") {
  auto observed = couchbase_on_node1();
  model::DesiredState desired;
  desired.couchbase.emplace();
  desired.couchbase->nodes.push_back({"couchbase", "node1", std::nullopt});
  reconcilers::CouchbaseObservation couchbase;
  clients::CouchbaseNode member;
  member.hostname = "couchbase.isnet:8091";
  member.cluster_membership = "active";
  couchbase.cluster.nodes = {member};
  const reconcilers::CouchbaseObservation* seen = &couchbase;
  const auto records = [&] {
    auto plan = reconcilers::plan_labels(desired, observed);
    reconcilers::hold_unconfirmed_records(
        plan, desired, observed, [&] { return seen; },
        [] { return static_cast<const reconcilers::RabbitObservation*>(nullptr); });
    return step_names(plan);
  };
  const std::vector<std::string> recorded{"record-data-node iservices_couchbase"};
  SECTION("an active member: recorded") {
    CHECK(records() == recorded);
  }
  SECTION("added but not rebalanced in: not yet") {
    couchbase.cluster.nodes[0].cluster_membership = "inactiveAdded";
    CHECK(records().empty());
  }
  SECTION("a store that does not answer, or is not observed: not yet") {
    couchbase.unreachable = "connection refused";
    CHECK(records().empty());
    seen = nullptr;
    CHECK(records().empty());
  }
  SECTION("a service that is no data store node of the file: its history is enough") {
    desired.couchbase.reset();
    seen = nullptr;
    CHECK(records() == recorded);
  }
}

TEST_CASE("vet_plan blocks the refused step and the steps planned after it", "[admission][unit]") {
  auto observed = couchbase_on_node1();
  model::DesiredState desired;
  desired.swarm.nodes = {desired_node("node1", model::NodeRole::kManager, kMaster),
                         desired_node("node2", model::NodeRole::kManager, kMaster),
                         desired_node("node3", model::NodeRole::kManager, kMaster)};
  desired.swarm.nodes[0].availability = model::Availability::kDrain;
  desired.swarm.nodes[1].availability = model::Availability::kDrain;
  auto plan = reconcilers::plan_membership(desired, observed);
  REQUIRE(step_names(plan).size() == 2);  // drain node1, drain node2
  reconcilers::vet_plan(plan, Admission(desired, observed));
  CHECK(plan.steps.empty());
  REQUIRE(plan.blocked.size() == 2);
  CHECK(plan.blocked[0].step.object == "node1");
  CHECK(plan.blocked[0].reason.rfind("data safety: draining node1", 0) == 0);
  CHECK(plan.blocked[1].reason.find("waits for the blocked step") != std::string::npos);
}

TEST_CASE("one disruptive step at a time: other reconcilers wait while a data store is busy",
          "[admission][unit]") {
  auto observed = couchbase_on_node1();
  model::DesiredState desired;
  Admission admission(desired, observed);
  int asked = 0;
  admission.set_activity_source([&] {
    ++asked;
    return std::vector<reconcilers::DataStoreActivity>{
        {reconcilers::kCouchbase, "a Couchbase rebalance is running (40%)"}};
  });
  const auto& node2 = observed.nodes[1];
  const auto drain = node_update(node2, "manager", "drain", kMaster);
  SECTION("a drain of a node without data waits, and says for what") {
    auto verdict = admission.vet(describe_step("membership", "drain", "node", "node2", ""), drain);
    REQUIRE(verdict);
    CHECK(verdict->wait);
    CHECK(verdict->reason.find("rebalance is running (40%)") != std::string::npos);
  }
  SECTION("the busy store's own reconciler orders its own steps") {
    CHECK_FALSE(admission.vet(describe_step("couchbase", "drain", "node", "node2", ""), drain));
  }
  SECTION("a label change is not disruptive, and the data stores are not even asked") {
    CHECK_FALSE(admission.vet(describe_step("labels", "set-labels", "node", "node2", ""),
                              node_update(node2, "manager", "active", {{"types", "x"}})));
    CHECK(asked == 0);
  }
  SECTION("a data-safety refusal is a block, not a wait") {
    auto verdict = admission.vet(describe_step("membership", "drain", "node", "node1", ""),
                                 node_update(observed.nodes[0], "manager", "drain", kMaster));
    REQUIRE(verdict);
    CHECK_FALSE(verdict->wait);
  }
  SECTION("vet_plan turns a wait into a waiting line and keeps nothing to send") {
    desired.swarm.nodes = {desired_node("node1", model::NodeRole::kManager, kMaster),
                           desired_node("node2", model::NodeRole::kManager, kMaster),
                           desired_node("node3", model::NodeRole::kManager, kMaster)};
    desired.swarm.nodes[1].availability = model::Availability::kDrain;
    auto plan = reconcilers::plan_membership(desired, observed);
    REQUIRE(plan.steps.size() == 1);
    reconcilers::vet_plan(plan, admission);
    CHECK(plan.steps.empty());
    CHECK(plan.blocked.empty());
    REQUIRE(plan.waiting.size() == 1);
    CHECK(plan.waiting[0].find("drain node node2") == 0);
    CHECK(asked == 1);
  }
}

TEST_CASE("data store activity: rebalances, stopped rabbit nodes, syncing queues, unknown",
          "[admission][unit]") {
  reconcilers::CouchbaseObservation couchbase;
  CHECK_FALSE(reconcilers::couchbase_activity(couchbase));
  clients::CouchbaseTask rebalance;
  rebalance.type = "rebalance";
  rebalance.status = "running";
  rebalance.progress = 12.4;
  couchbase.tasks.push_back(rebalance);
  REQUIRE(reconcilers::couchbase_activity(couchbase));
  CHECK(reconcilers::couchbase_activity(couchbase)->what.find("(12%)") != std::string::npos);
  couchbase.unreachable = "connection refused";
  CHECK(reconcilers::couchbase_activity(couchbase)->what.find("not known") != std::string::npos);

  reconcilers::RabbitObservation rabbit;
  rabbit.nodes = {{"rabbit@node1", "disc", true, {}, false, false},
                  {"rabbit@node2", "disc", true, {}, false, false}};
  CHECK_FALSE(reconcilers::rabbitmq_activity(rabbit));
  rabbit.queues.push_back({});
  rabbit.queues.back().name = "tasks";
  rabbit.queues.back().state = "syncing";
  CHECK(reconcilers::rabbitmq_activity(rabbit)->what.find("tasks") != std::string::npos);
  rabbit.nodes[1].running = false;
  CHECK(reconcilers::rabbitmq_activity(rabbit)->what.find("rabbit@node2 not running") !=
        std::string::npos);
  CHECK(reconcilers::data_store_activity(&couchbase, &rabbit).size() == 2);
}

}  // namespace swarmop::testing
