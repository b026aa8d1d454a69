#include "swarmop/model/document_loader.hpp"

#include <catch2/catch.hpp>

#include "support/hostile_files.hpp"

using namespace swarmop::model;
using swarmop::testing::returns_promptly_on_fifo;
using swarmop::testing::ScratchDir;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> formatted(const LoadedDocument& document) {
  std::vector<std::string> out;
  for (const auto& d : document.diagnostics) {
    out.push_back(format_diagnostic(d));
  }
  return out;
}

constexpr const char* kHeader =
    "apiVersion: swarm-operator/v1alpha1\nkind: SwarmCluster\nmetadata: {name: t}\n";

}  // namespace

TEST_CASE("a minimal document gets every schema default", "[unit][loader]") {
  auto doc =
      load_document_text(std::string(kHeader) +
                             "spec:\n  swarm:\n    nodes: [{hostname: node1, role: manager}]\n"
                             "  rabbitmq:\n    nodes:\n      - {service: rabbitmq, node: node1}\n"
                             "      - {service: rabbitmq2, node: node1}\n"
                             "  couchbase:\n    nodes: [{service: couchbase, node: node1}]\n",
                         "min.yaml");
  INFO(formatted(doc).size());
  REQUIRE(doc.ok());
  const DesiredState& state = *doc.state;
  CHECK(state.stack == "iservices");
  CHECK_FALSE(state.swarm.prune);
  REQUIRE(state.swarm.nodes.size() == 1);
  CHECK(state.swarm.nodes[0].availability == Availability::kActive);
  REQUIRE(state.rabbitmq);
  CHECK(state.rabbitmq->ha_policy.name == "ha-all");
  CHECK(state.rabbitmq->ha_policy.pattern == ".*");
  CHECK(state.rabbitmq->ha_policy.sync_mode == HaSyncMode::kManual);
  CHECK_FALSE(state.rabbitmq->ha_policy_declared);
  CHECK(state.rabbitmq->sync_mirrors);
  // The manual's grace periods when the file gives none: node 1 longest.
  CHECK(state.rabbitmq->stop_grace_periods == std::vector<Duration>{20s, 10s});
  REQUIRE(state.couchbase);
  CHECK(state.couchbase->auto_failover.enabled);
  CHECK(state.couchbase->auto_failover.timeout == 120s);
  CHECK(state.couchbase->auto_rebalance);
  // Two rabbit nodes on one host is allowed but warned about.
  CHECK(formatted(doc) == std::vector<std::string>{
                              "min.yaml:10:36: warning: spec.rabbitmq.nodes[1].node: two RabbitMQ "
                              "nodes on node1 (also nodes[0]): losing that host loses both"});
}

TEST_CASE("service fields decode into values", "[unit][loader]") {
  auto doc = load_document_text(
      std::string(kHeader) +
          "spec:\n  swarm:\n    nodes: [{hostname: node1, role: manager, labels: {types: master, "
          "rack: 7, ssd: true}}]\n"
          "  services:\n    gui:\n      replicas: 1\n      maxReplicasPerNode: 1\n"
          "      constraints: [node.labels.types == master]\n      spread: true\n"
          "      stopGracePeriod: 20s\n      restartDelay: 1m30s\n"
          "      env: {additional_worker_args: --x, debug: false, workers: 4}\n"
          "      resources: {limits: {cpus: 2, memory: 2G}, reservations: {cpus: '0.5', memory: "
          "512M}}\n",
      "svc.yaml");
  REQUIRE(doc.ok());
  const auto& node = doc.state->swarm.nodes[0];
  CHECK(node.labels ==
        std::map<std::string, std::string>{{"rack", "7"}, {"ssd", "true"}, {"types", "master"}});
  const ServiceSpec& gui = doc.state->services.at("gui");
  CHECK(gui.replicas == 1u);
  CHECK(gui.max_replicas_per_node == 1u);
  REQUIRE(gui.constraints);
  CHECK(gui.constraints->at(0).to_string() == "node.labels.types == master");
  CHECK(gui.spread);
  CHECK(gui.stop_grace_period == Duration(20s));
  CHECK(gui.restart_delay == Duration(90s));
  CHECK(gui.env.at("debug") == "false");
  CHECK(gui.env.at("workers") == "4");
  REQUIRE(gui.resources);
  CHECK(gui.resources->limits->cpus == 2.0);
  CHECK(gui.resources->limits->memory_bytes == 2LL << 30);
  CHECK(gui.resources->reservations->cpus == 0.5);
  CHECK(gui.resources->reservations->memory_bytes == 512LL << 20);
}

TEST_CASE("every schema error is reported at once, with positions", "[unit][loader]") {
  auto doc = load_document_text(std::string(kHeader) +
                                    "spec:\n  swarm:\n    nodes:\n      - hostname: node1\n"
                                    "        role: boss\n        availabilty: drain\n"
                                    "  servics: {}\n",
                                "bad.yaml");
  CHECK_FALSE(doc.ok());
  CHECK(formatted(doc) ==
        std::vector<std::string>{
            "bad.yaml:8:15: error: spec.swarm.nodes[0].role: \"boss\" is not one of: manager, "
            "worker",
            "bad.yaml:9:9: error: spec.swarm.nodes[0].availabilty: unknown field \"availabilty\" "
            "in spec.swarm.nodes[0]; did you mean \"availability\"?",
            "bad.yaml:10:3: error: spec.servics: unknown field \"servics\" in spec; did you mean "
            "\"services\"?"});
  REQUIRE(doc.json);  // the YAML parsed, so the JSON view exists for external validators
  CHECK(doc.json->at("spec").at("swarm").at("nodes").at(0).at("role") == "boss");
}

TEST_CASE("a missing file is a clear error", "[unit][loader]") {
  auto doc = load_document_file("/nonexistent/cluster.yaml");
  CHECK(formatted(doc) ==
        std::vector<std::string>{
            "/nonexistent/cluster.yaml: error: cannot open: No such file or directory"});
}

TEST_CASE("a directory is not a document", "[unit][loader]") {
  auto doc = load_document_file("/tmp");
  CHECK_FALSE(doc.ok());
  CHECK(formatted(doc) ==
        std::vector<std::string>{"/tmp: error: is a directory, not a regular file"});
}

// Issue #22: validate and plan hung on a FIFO (an ifstream waits for a writer) and read a link
// to /dev/zero until memory ran out.
TEST_CASE("a FIFO or a link to a device is refused at once, unread", "[unit][loader]") {
  ScratchDir dir;
  const auto fifo = dir.fifo("fifo.yaml");
  LoadedDocument from_fifo;
  CHECK(returns_promptly_on_fifo(fifo, [&] { from_fifo = load_document_file(fifo); }));
  CHECK(formatted(from_fifo) ==
        std::vector<std::string>{fifo + ": error: is a FIFO (named pipe), not a regular file"});
  const auto zero = dir.link("zero.yaml", "/dev/zero");
  CHECK(formatted(load_document_file(zero)) ==
        std::vector<std::string>{zero + ": error: is a character device, not a regular file"});
}

TEST_CASE("a declared gui whose placement the file leaves open gets one per core node",
          "[unit][loader]") {
  const std::string nodes =
      "spec:\n"
      "  swarm:\n"
      "    nodes:\n"
      "      - {hostname: node1, role: manager, labels: {types: master}}\n"
      "      - {hostname: node2, role: manager, labels: {types: master}}\n"
      "      - {hostname: node3, role: manager, labels: {types: master}}\n"
      "      - {hostname: node4, role: worker, labels: {types: worker}}\n";
  SECTION("gui: {} on three core nodes") {
    auto loaded =
        load_document_text(std::string(kHeader) + nodes + "  services:\n    gui: {}\n", "gui.yaml");
    REQUIRE(loaded.ok());
    const auto& gui = loaded.state->services.at("gui");
    CHECK(gui.replicas == 3u);
    CHECK(gui.max_replicas_per_node == 1u);
    REQUIRE(gui.constraints);
    CHECK(gui.constraints->size() == 1);
    CHECK(gui.constraints->front().to_string() == "node.labels.types == master");
  }
  SECTION("a file that places gui itself is taken as written") {
    auto loaded = load_document_text(
        std::string(kHeader) + nodes + "  services:\n    gui: {replicas: 2, spread: true}\n",
        "gui.yaml");
    REQUIRE(loaded.ok());
    const auto& gui = loaded.state->services.at("gui");
    CHECK(gui.replicas == 2u);
    CHECK_FALSE(gui.max_replicas_per_node);
    CHECK_FALSE(gui.constraints);
  }
  SECTION("no core node: gui stays as written, and other services get nothing") {
    auto loaded = load_document_text(std::string(kHeader) +
                                         "spec:\n  swarm:\n    nodes:\n"
                                         "      - {hostname: node1, role: manager}\n"
                                         "  services:\n    gui: {}\n    contentapi: {}\n",
                                     "gui.yaml");
    REQUIRE(loaded.ok());
    CHECK_FALSE(loaded.state->services.at("gui").replicas);
    CHECK_FALSE(loaded.state->services.at("gui").constraints);
    CHECK_FALSE(loaded.state->services.at("contentapi").replicas);
  }
}

// Found by fuzz/fuzz_desired_state (docs/fuzzing.md): reading this file timed out under the
// sanitizers (six std::regex matches for each of the 100,000 values read before the limit).
TEST_CASE("the alias-bomb corpus file is refused at the expansion limit", "[unit][loader]") {
  const std::string path =
      std::string(SWARMOP_SOURCE_DIR) + "/tests/corpus/invalid/yaml/alias-bomb.yaml";
  auto doc = load_document_file(path);
  CHECK_FALSE(doc.ok());
  CHECK_FALSE(doc.state);
  CHECK(formatted(doc) ==
        std::vector<std::string>{path +
                                 ":3:15: error: document has more than 100000 values after alias "
                                 "expansion; refusing to expand it"});
}
