// apply's loop against the simulated swarm through the production Docker client: whole
// journeys between the manual's deployment types, with quorum checked after every step.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "apply/converge.hpp"
#include "apply/plan_text.hpp"
#include "swarmop/clients/counting_docker_client.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/manager_handover_client.hpp"
#include "swarmop/model/document_loader.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/invariant_monitor.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

namespace swarmop::testing {
namespace {

clients::DockerClientPtr client_at(const std::string& address) {
  auto endpoint = clients::parse_docker_host(address);
  REQUIRE(endpoint);
  return std::make_unique<clients::DockerHttpClient>(
      std::make_unique<clients::CurlTransport>(*endpoint));
}

reconcilers::EngineConnector engine_connector() {
  return [](const model::EngineEndpoint& engine) -> model::Expected<clients::DockerClientPtr> {
    return client_at(engine.endpoint);
  };
}

//! An example's swarm part: these journeys exercise the swarm reconcilers only.
model::DesiredState example(const std::string& name) {
  auto document = model::load_document_file(std::string(SWARMOP_SOURCE_DIR) + "/examples/" + name);
  REQUIRE(document.ok());
  auto desired = *document.state;
  desired.rabbitmq.reset();
  desired.couchbase.reset();
  return desired;
}

//! A simulated cluster from the default fresh install (every task on node1).
struct FreshInstall {
  std::unique_ptr<sim::SimulatedCluster> cluster;
  //! The safety invariants, checked after every write and every move of the clock.
  std::unique_ptr<sim::InvariantMonitor> invariants;

  FreshInstall(int joined, int unjoined) {
    sim::ClusterOptions options;
    options.manual_clock = true;
    sim::DefaultWorldOptions world;
    world.nodes = joined;
    world.unjoined = unjoined;
    cluster = std::make_unique<sim::SimulatedCluster>(
        options, [&](sim::SwarmWorld& w) { sim::install_default_world(w, world); });
    invariants = std::make_unique<sim::InvariantMonitor>(*cluster);
  }

  //! Raft arithmetic from the world itself, not from the API the operator reads.
  bool has_quorum() const {
    int members = 0;
    int reachable = 0;
    for (const auto& node : cluster->world().nodes()) {
      if (node.raft_member) {
        ++members;
        reachable += node.reachability == "reachable" ? 1 : 0;
      }
    }
    return members > 0 && reachable >= members / 2 + 1;
  }

  //! Converges with simulated time standing in for the waits; checks quorum after each step.
  controller::ConvergeResult converge(
      const model::DesiredState& desired, clients::DockerClient& manager, int& quorum_failures,
      std::function<void(clients::DockerClientPtr, const model::EngineEndpoint&)> use_manager =
          nullptr) {
    controller::ConvergeOptions options;
    options.timeout = std::chrono::seconds(60);
    options.poll = std::chrono::milliseconds(500);
    controller::ClusterClients clients{manager, engine_connector(), nullptr, nullptr,
                                       std::move(use_manager)};
    auto result = controller::converge(
        desired, clients, options,
        [&](const controller::StepReport& report) {
          INFO(report.step.action << " " << report.step.object);
          // A step refused at the moment of sending (unsafe) ends the loop as blocked.
          CHECK((!report.error || report.error->code == model::ErrorCode::kUnsafe));
          if (!has_quorum()) {
            ++quorum_failures;
          }
        },
        [&](std::chrono::milliseconds pause) {
          cluster->advance(pause);
          // The engines' threads get a moment to serve what the new time made due.
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        });
    // The safety invariants held at every change on the way: quorum, and no stateful task (the
    // fresh install's Couchbase and RabbitMQ keep their data on node1) started away from its
    // data.
    CHECK(invariants->report() == "");
    CHECK(invariants->checks() > static_cast<std::size_t>(result.steps_applied));
    return result;
  }

  std::map<std::string, const sim::Node*> nodes_by_host(const std::vector<sim::Node>& nodes) {
    std::map<std::string, const sim::Node*> out;
    for (const auto& node : nodes) {
      out[node.hostname] = &node;
    }
    return out;
  }
};

std::string remaining(const controller::ConvergeResult& result) {
  std::ostringstream out;
  controller::print_plan_text(result.last_reports, out);
  return out.str();
}

}  // namespace

TEST_CASE("a fresh 7-node install converges to the drained-managers example", "[converge]") {
  // The manual's way: node1-3 stay where the data is and become workers, node4-6 are promoted
  // and drained, node8 (a machine outside the swarm) joins. apply talks through node1, the only
  // manager of the fresh install, and moves to one of node4-6 before it demotes node1.
  FreshInstall fresh(7, 1);
  auto desired = example("drained-managers.yaml");
  for (auto& node : desired.swarm.nodes) {
    if (node.engine) {
      node.engine = model::EngineEndpoint{fresh.cluster->tcp_address(node.hostname), std::nullopt};
    }
    if (node.hostname == "node8") {
      node.engine = model::EngineEndpoint{fresh.cluster->unix_address("node8"), std::nullopt};
    }
  }
  auto node1 = client_at(fresh.cluster->tcp_address("node1"));
  clients::ManagerHandoverClient manager(*node1);
  clients::CountingDockerClient counted(manager);
  int quorum_failures = 0;
  auto result = fresh.converge(desired, counted, quorum_failures,
                               [&](clients::DockerClientPtr next, const model::EngineEndpoint&) {
                                 manager.hand_over(std::move(next));
                               });
  INFO(remaining(result));
  CHECK(quorum_failures == 0);
  REQUIRE(result.outcome == controller::ConvergeOutcome::kInSync);
  CHECK(result.steps_applied > 10);
  CHECK(manager.display() != node1->display());  // handed over before node1's demotion

  const auto nodes = fresh.cluster->world().nodes();
  auto by_host = fresh.nodes_by_host(nodes);
  REQUIRE(by_host.size() == 8);
  for (const std::string host : {"node4", "node5", "node6"}) {
    CHECK(by_host[host]->role == "manager");
    CHECK(by_host[host]->availability == "drain");
  }
  for (const std::string host : {"node1", "node2", "node3"}) {
    CHECK(by_host[host]->role == "worker");
    CHECK(by_host[host]->availability == "active");
    CHECK(by_host[host]->labels.at("types") == "master");
  }
  CHECK(by_host["node8"]->labels.at("types") == "worker");
  // gui one per core node; steprunners five per worker node; nothing on a drained manager; the
  // data stores where their data is.
  CHECK(fresh.cluster->world().running_by_host("iservices_gui") ==
        std::map<std::string, int>{{"node1", 1}, {"node2", 1}, {"node3", 1}});
  CHECK(fresh.cluster->world().running_by_host("iservices_steprunner") ==
        std::map<std::string, int>{{"node7", 5}, {"node8", 5}});
  for (const char* store : {"iservices_couchbase", "iservices_rabbitmq"}) {
    CHECK(fresh.cluster->world().running_by_host(store) ==
          std::map<std::string, int>{{"node1", 1}});
  }

  SECTION("a second pass makes no writes and a fixed number of reads") {
    clients::CountingDockerClient again(manager);
    auto second = fresh.converge(desired, again, quorum_failures);
    CHECK(second.outcome == controller::ConvergeOutcome::kInSync);
    CHECK(second.steps_applied == 0);
    CHECK(again.writes() == 0);
    CHECK(again.reads() == 3);  // nodes, services, tasks
  }
}

TEST_CASE("demoting the manager apply talks through without another to move to is blocked",
          "[converge]") {
  FreshInstall fresh(7, 1);
  auto desired = example("drained-managers.yaml");
  for (auto& node : desired.swarm.nodes) {
    node.engine.reset();  // no other manager's engine: nowhere to move
  }
  desired.swarm.nodes.pop_back();  // node8, outside the swarm, cannot be joined without it
  auto node1 = client_at(fresh.cluster->tcp_address("node1"));
  clients::ManagerHandoverClient manager(*node1);
  int quorum_failures = 0;
  auto result = fresh.converge(desired, manager, quorum_failures,
                               [&](clients::DockerClientPtr next, const model::EngineEndpoint&) {
                                 manager.hand_over(std::move(next));
                               });
  const auto text = remaining(result);
  INFO(text);
  REQUIRE(result.outcome == controller::ConvergeOutcome::kBlocked);
  CHECK(text.find("talks to the swarm through node1's engine") != std::string::npos);
  CHECK(text.find("spec.swarm.nodes[].engine") != std::string::npos);
  const auto nodes = fresh.cluster->world().nodes();
  auto by_host = fresh.nodes_by_host(nodes);
  CHECK(by_host["node1"]->role == "manager");  // never cut off
  CHECK(by_host["node4"]->role == "manager");
}

TEST_CASE("the three-node example goes back down to a single node, keeping quorum", "[converge]") {
  FreshInstall fresh(3, 0);
  auto manager = client_at(fresh.cluster->tcp_address("node1"));
  int quorum_failures = 0;
  auto up = fresh.converge(example("three-node.yaml"), *manager, quorum_failures);
  REQUIRE(up.outcome == controller::ConvergeOutcome::kInSync);
  CHECK(fresh.cluster->world().running_by_host("iservices_gui") ==
        std::map<std::string, int>{{"node1", 1}, {"node2", 1}, {"node3", 1}});

  auto down = example("single-node.yaml");
  down.swarm.prune = true;
  for (const std::string host : {"node2", "node3"}) {
    model::NodeSpec leaving;
    leaving.hostname = host;
    leaving.present = false;
    leaving.engine = model::EngineEndpoint{fresh.cluster->unix_address(host), std::nullopt};
    down.swarm.nodes.push_back(leaving);
  }
  auto result = fresh.converge(down, *manager, quorum_failures);
  INFO(remaining(result));
  CHECK(quorum_failures == 0);
  REQUIRE(result.outcome == controller::ConvergeOutcome::kInSync);
  std::vector<std::string> actions;
  for (const auto& step : result.applied) {
    actions.push_back(step.action + " " + step.object);
  }
  // Demotions come after the drains, and removal only after each node left.
  auto position = [&](const std::string& action) {
    return std::find(actions.begin(), actions.end(), action) - actions.begin();
  };
  CHECK(position("drain node2") < position("leave node2"));
  CHECK(position("demote node2") < position("leave node2"));
  CHECK(position("leave node2") < position("remove node2"));
  CHECK(position("remove node3") < static_cast<long>(actions.size()));

  const auto nodes = fresh.cluster->world().nodes();
  REQUIRE(nodes.size() == 1);
  CHECK(nodes[0].hostname == "node1");
  CHECK(nodes[0].role == "manager");
  CHECK(fresh.cluster->world().running_by_host("iservices_gui") ==
        std::map<std::string, int>{{"node1", 1}});
}

}  // namespace swarmop::testing
