// The data-safety admission check in apply's loop, on the simulated swarm, Couchbase and
// RabbitMQ: a file that drains the node holding the fresh install's data and lists the Couchbase
// and RabbitMQ nodes elsewhere ends blocked, with both data stores still on the node that holds
// their data and the reasons naming the service, the node and the mount (issue #18's
// reproduction).
#include <catch2/catch.hpp>

#include "journey_world.hpp"
#include "swarmop/model/document_loader.hpp"

namespace swarmop::testing {
namespace {

//! The three-node example moved by one node: node1 drained, node2-4 the core nodes, the
//! Couchbase and RabbitMQ nodes listed on node2-4. The fresh install keeps Couchbase's and
//! RabbitMQ's data on node1.
model::DesiredState moved_off_node1() {
  auto document =
      model::load_document_file(std::string(SWARMOP_SOURCE_DIR) + "/examples/three-node.yaml");
  REQUIRE(document.ok());
  auto desired = *document.state;
  auto node4 = desired.swarm.nodes.back();
  node4.hostname = "node4";
  node4.role = model::NodeRole::kWorker;
  desired.swarm.nodes.push_back(node4);
  desired.swarm.nodes[0].availability = model::Availability::kDrain;
  const char* hosts[] = {"node2", "node3", "node4"};
  for (std::size_t i = 0; i < desired.couchbase->nodes.size() && i < 3; ++i) {
    desired.couchbase->nodes[i].node = hosts[i];
  }
  for (std::size_t i = 0; i < desired.rabbitmq->nodes.size() && i < 3; ++i) {
    desired.rabbitmq->nodes[i].node = hosts[i];
  }
  return desired;
}

std::string hostname_of(const std::vector<clients::DockerNode>& nodes, const std::string& id) {
  for (const auto& node : nodes) {
    if (node.id == id) {
      return node.hostname;
    }
  }
  return "?";
}

}  // namespace

TEST_CASE("a file that would move the data stores off their data ends blocked, data in place",
          "[sim][data-safety]") {
  JourneyWorld world(4);
  std::vector<std::string> applied;
  auto result = world.apply(moved_off_node1(), [&](const controller::StepReport& report) {
    applied.push_back(report.step.reconciler + " " + report.step.action + " " + report.step.object);
  });
  INFO("applied: " << reconcilers::join_text(applied));
  REQUIRE(result.outcome == controller::ConvergeOutcome::kBlocked);
  for (const auto& step : applied) {
    CHECK(step.find("drain node1") == std::string::npos);
    CHECK(step.find("pin iservices_couchbase") == std::string::npos);
    CHECK(step.find("pin iservices_rabbitmq") == std::string::npos);
  }
  // The blocked steps say why, naming the service, the node and the mount.
  const auto reasons = JourneyWorld::blocked_text(result);
  INFO(reasons);
  CHECK(reasons.find("membership drain node1: data safety: draining node1 moves "
                     "iservices_couchbase") != std::string::npos);
  CHECK(reasons.find("bind /var/data/couchbase") != std::string::npos);
  CHECK(reasons.find("iservices_rabbitmq") != std::string::npos);
  // No invariant broke on the way (nothing started away from its data), and both data stores
  // still run on node1.
  CHECK(world.invariants().report() == "");
  auto docker = JourneyWorld::docker_at(world.sim().manager_address());
  auto nodes = docker->list_nodes();
  auto services = docker->list_services();
  auto tasks = docker->list_tasks({{}, {}, {"running"}});
  REQUIRE(nodes);
  REQUIRE(services);
  REQUIRE(tasks);
  for (const auto& name : {"iservices_couchbase", "iservices_rabbitmq"}) {
    std::string id;
    for (const auto& service : *services) {
      if (service.name == name) {
        id = service.id;
      }
    }
    std::vector<std::string> where;
    for (const auto& task : *tasks) {
      if (task.service_id == id) {
        where.push_back(hostname_of(*nodes, task.node_id) + ":" + task.state);
      }
    }
    INFO(name);
    CHECK(where == std::vector<std::string>{"node1:running"});
  }
}

}  // namespace swarmop::testing
