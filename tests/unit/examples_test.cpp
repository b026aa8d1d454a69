#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "swarmop/model/document_loader.hpp"

using namespace swarmop::model;

namespace {

LoadedDocument load_example(const std::string& name) {
  return load_document_file(std::string(SWARMOP_SOURCE_DIR) + "/examples/" + name);
}

std::size_t managers(const DesiredState& state) {
  return static_cast<std::size_t>(
      std::count_if(state.swarm.nodes.begin(), state.swarm.nodes.end(),
                    [](const NodeSpec& n) { return n.role == NodeRole::kManager; }));
}

}  // namespace

TEST_CASE("every example is valid with no warnings", "[unit][examples]") {
  std::size_t count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SWARMOP_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".yaml") {
      continue;
    }
    ++count;
    const LoadedDocument doc = load_document_file(entry.path().string());
    for (const auto& d : doc.diagnostics) {
      UNSCOPED_INFO(format_diagnostic(d));
    }
    CHECK(doc.ok());
    CHECK(doc.diagnostics.empty());
  }
  CHECK(count == 5);
}

TEST_CASE("the examples implement the manual's deployment types", "[unit][examples]") {
  const auto single = load_example("single-node.yaml");
  REQUIRE(single.ok());
  CHECK(single.state->swarm.nodes.size() == 1);

  const auto three = load_example("three-node.yaml");
  REQUIRE(three.ok());
  CHECK(managers(*three.state) == 3);
  const ServiceSpec& gui = three.state->services.at("gui");
  CHECK(gui.replicas == 3u);
  CHECK(gui.max_replicas_per_node == 1u);
  CHECK(gui.constraints->at(0).to_string() == "node.labels.types == master");
  REQUIRE(three.state->couchbase);
  CHECK(three.state->couchbase->nodes.size() == 3);
  CHECK(three.state->couchbase->nodes[0].service == "couchbase");
  for (const BucketSpec& bucket : three.state->couchbase->buckets) {
    CHECK(bucket.replicas == 2);
  }
  REQUIRE(three.state->rabbitmq);
  CHECK(three.state->rabbitmq->stop_grace_periods.front() >
        three.state->rabbitmq->stop_grace_periods.back());

  const auto workers = load_example("three-plus-workers.yaml");
  REQUIRE(workers.ok());
  CHECK(managers(*workers.state) == 3);
  const ServiceSpec& steprunner = workers.state->services.at("steprunner");
  CHECK(steprunner.max_replicas_per_node == 5u);
  CHECK(steprunner.constraints->at(0).to_string() == "node.labels.types == worker");

  const auto drained = load_example("drained-managers.yaml");
  REQUIRE(drained.ok());
  for (const NodeSpec& node : drained.state->swarm.nodes) {
    if (node.role == NodeRole::kManager) {
      CHECK(node.availability == Availability::kDrain);
    }
  }
  CHECK(managers(*drained.state) == 3);
  CHECK(drained.state->swarm.nodes.size() >= 6);

  const auto dcs = load_example("cross-datacenter.yaml");
  REQUIRE(dcs.ok());
  std::set<std::string> datacenters;
  for (const NodeSpec& node : dcs.state->swarm.nodes) {
    if (node.role == NodeRole::kManager) {
      datacenters.insert(node.datacenter.value_or(""));
    }
  }
  CHECK(datacenters.size() == 3);
}
