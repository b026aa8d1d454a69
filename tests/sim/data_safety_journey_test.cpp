// The data-safety admission check in apply's loop, on the simulated swarm and Couchbase: a file
// that drains the node holding the fresh install's data and lists the Couchbase nodes elsewhere
// ends blocked, with the data stores still on the node that holds their data and the reasons
// naming the service, the node and the mount (issue #18's reproduction).
#include <catch2/catch.hpp>

#include "apply/converge.hpp"
#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/model/document_loader.hpp"
#include "swarmop/sim/couchbase/fresh_install.hpp"

namespace swarmop::testing {
namespace {

clients::DockerClientPtr docker_at(const std::string& address) {
  auto endpoint = clients::parse_docker_host(address);
  REQUIRE(endpoint);
  return std::make_unique<clients::DockerHttpClient>(
      std::make_unique<clients::CurlTransport>(*endpoint));
}

//! The three-node example moved by one node: node1 drained, node2-4 the core nodes, the
//! Couchbase nodes listed on node2-4. The fresh install keeps Couchbase's and RabbitMQ's data
//! on node1.
model::DesiredState moved_off_node1() {
  auto document =
      model::load_document_file(std::string(SWARMOP_SOURCE_DIR) + "/examples/three-node.yaml");
  REQUIRE(document.ok());
  auto desired = *document.state;
  desired.rabbitmq.reset();
  auto node4 = desired.swarm.nodes.back();
  node4.hostname = "node4";
  node4.role = model::NodeRole::kWorker;
  desired.swarm.nodes.push_back(node4);
  desired.swarm.nodes[0].availability = model::Availability::kDrain;
  const char* hosts[] = {"node2", "node3", "node4"};
  for (std::size_t i = 0; i < desired.couchbase->nodes.size() && i < 3; ++i) {
    desired.couchbase->nodes[i].node = hosts[i];
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
  sim::couchbase::FreshInstall sim(4);
  auto docker = docker_at(sim.manager_address());
  std::vector<clients::Endpoint> endpoints;
  for (const auto& url : sim.couchbase().endpoints()) {
    endpoints.push_back(*clients::parse_http_url(url));
  }
  auto admin = clients::CouchbaseHttpClient::over_curl(endpoints, {"Administrator", "password"});
  const auto desired = moved_off_node1();
  controller::ConvergeOptions options;
  options.timeout = std::chrono::seconds(300);
  options.poll = std::chrono::seconds(1);
  controller::ClusterClients clients{*docker, nullptr, nullptr, admin.get()};
  std::vector<std::string> applied;
  auto result = controller::converge(
      desired, clients, options,
      [&](const controller::StepReport& report) {
        applied.push_back(report.step.reconciler + " " + report.step.action + " " +
                          report.step.object);
      },
      [&](std::chrono::milliseconds pause) { sim.advance(pause); });
  INFO("applied: " << reconcilers::join_text(applied));
  REQUIRE(result.outcome == controller::ConvergeOutcome::kBlocked);
  for (const auto& step : applied) {
    CHECK(step.find("drain node1") == std::string::npos);
    CHECK(step.find("pin iservices_couchbase") == std::string::npos);
  }
  // The blocked steps say why, naming the service, the node and the mount.
  std::vector<std::string> reasons;
  for (const auto& report : result.last_reports) {
    for (const auto& blocked : report.blocked) {
      reasons.push_back(blocked.step.reconciler + " " + blocked.step.action + " " +
                        blocked.step.object + ": " + blocked.reason);
    }
  }
  const auto joined = reconcilers::join_text(reasons, "\n");
  INFO(joined);
  CHECK(joined.find("membership drain node1: data safety: draining node1 moves "
                    "iservices_couchbase") != std::string::npos);
  CHECK(joined.find("bind /var/data/couchbase") != std::string::npos);
  // Nothing started away from its data, and both data stores still run on node1.
  CHECK(sim.invariants().report() == "");
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
