#include <catch2/catch.hpp>

#include "swarmop/model/document_loader.hpp"

using namespace swarmop::model;

namespace {

// A document with the given nodes and extra spec sections; returns the diagnostics' messages
// (without file and position) so each rule can be checked in isolation.
std::vector<std::string> findings(const std::string& nodes, const std::string& rest = "") {
  const std::string text =
      "apiVersion: swarm-operator/v1alpha1\nkind: SwarmCluster\nmetadata: {name: t}\n"
      "spec:\n  swarm:\n    nodes:\n" +
      nodes + rest;
  std::vector<std::string> out;
  for (const auto& d : load_document_text(text, "t.yaml").diagnostics) {
    out.push_back(std::string(d.severity == Severity::kError ? "error: " : "warning: ") +
                  d.message);
  }
  return out;
}

const std::string kThreeManagers =
    "      - {hostname: node1, role: manager, labels: {types: master}}\n"
    "      - {hostname: node2, role: manager, labels: {types: master}}\n"
    "      - {hostname: node3, role: manager, labels: {types: master}}\n";

bool contains(const std::vector<std::string>& all, std::string_view needle) {
  return std::any_of(all.begin(), all.end(),
                     [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

}  // namespace

TEST_CASE("three managers is the quiet baseline", "[unit][semantic]") {
  CHECK(findings(kThreeManagers).empty());
  CHECK(findings("      - {hostname: node1, role: manager}\n").empty());
}

TEST_CASE("manager counts follow raft quorum", "[unit][semantic]") {
  CHECK(findings("      - {hostname: node1}\n") ==
        std::vector<std::string>{"error: spec.swarm.nodes: no node has role manager; a swarm "
                                 "needs at least one manager"});
  CHECK(contains(findings("      - {hostname: node1, role: manager}\n"
                          "      - {hostname: node2, role: manager}\n"),
                 "error: spec.swarm.nodes: 2 managers: losing either one loses quorum"));
  CHECK(contains(findings(kThreeManagers + "      - {hostname: node4, role: manager}\n"),
                 "warning: spec.swarm.nodes: 4 managers: an even count tolerates no more "
                 "failures than 3 and needs 3 for quorum"));
  CHECK(contains(findings("      - {hostname: node1, role: manager}\n"
                          "      - {hostname: node2}\n      - {hostname: node3}\n"),
                 "warning: spec.swarm.nodes: 1 manager for 3 nodes"));
}

TEST_CASE("managers over exactly two datacenters are warned about", "[unit][semantic]") {
  auto two = findings(
      "      - {hostname: node1, role: manager, datacenter: a}\n"
      "      - {hostname: node2, role: manager, datacenter: a}\n"
      "      - {hostname: node3, role: manager, datacenter: b}\n");
  CHECK(contains(two, "managers span exactly 2 datacenters"));
  auto three = findings(
      "      - {hostname: node1, role: manager, datacenter: a}\n"
      "      - {hostname: node2, role: manager, datacenter: b}\n"
      "      - {hostname: node3, role: manager, datacenter: c}\n");
  CHECK(three.empty());
}

TEST_CASE("duplicate hostnames are errors", "[unit][semantic]") {
  CHECK(contains(findings(kThreeManagers + "      - {hostname: node2}\n"),
                 "error: spec.swarm.nodes[3].hostname: duplicate hostname \"node2\" (also "
                 "spec.swarm.nodes[1])"));
}

TEST_CASE("replicas must be placeable", "[unit][semantic]") {
  const std::string gui =
      "  services:\n    gui: {replicas: %R, maxReplicasPerNode: 1, "
      "constraints: [node.labels.types == master]}\n";
  const auto with = [&](int replicas) {
    std::string text = gui;
    text.replace(text.find("%R"), 2, std::to_string(replicas));
    return text;
  };
  CHECK(findings(kThreeManagers, with(3)).empty());
  CHECK(contains(findings(kThreeManagers, with(4)),
                 "error: spec.services.gui.replicas: 4 replicas cannot be placed: 3 eligible "
                 "active node(s) (node1, node2, node3) x maxReplicasPerNode 1 = 3"));
  // Draining a master takes it out of the count.
  const std::string drained =
      "      - {hostname: node1, role: manager, labels: {types: master}, availability: drain}\n"
      "      - {hostname: node2, role: manager, labels: {types: master}}\n"
      "      - {hostname: node3, role: manager, labels: {types: master}}\n";
  CHECK(contains(findings(drained, with(3)), "2 eligible active node(s) (node2, node3)"));
  CHECK(findings(drained, with(2)).empty());
}

TEST_CASE("a constraint nothing satisfies is an error", "[unit][semantic]") {
  const std::string nodes =
      kThreeManagers + "      - {hostname: node4, labels: {types: worker}, availability: drain}\n";
  CHECK(contains(findings(nodes,
                          "  services:\n    steprunner: {replicas: 2, constraints: "
                          "[node.labels.types == worker]}\n"),
                 "error: spec.services.steprunner.replicas: 2 replica(s) cannot be placed: no "
                 "active node in spec.swarm.nodes satisfies node.labels.types == worker"));
  // Zero replicas place nothing, so nothing is wrong.
  CHECK(findings(nodes,
                 "  services:\n    steprunner: {replicas: 0, constraints: "
                 "[node.labels.types == worker]}\n")
            .empty());
}

TEST_CASE("constraints must reference declared nodes and labels", "[unit][semantic]") {
  auto f = findings(kThreeManagers,
                    "  services:\n    redis: {constraints: [node.hostname == node9, "
                    "node.labels.zone == a, node.labels.a == b=c]}\n");
  CHECK(contains(f, "error: spec.services.redis.constraints[0]: node \"node9\" is not declared"));
  CHECK(contains(f,
                 "error: spec.services.redis.constraints[1]: no node in spec.swarm.nodes "
                 "declares label \"zone\""));
  CHECK(contains(f,
                 "error: spec.services.redis.constraints[2]: invalid constraint "
                 "\"node.labels.a == b=c\": value 'b=c' is invalid"));
}

TEST_CASE("data-store nodes must be pinned to declared, schedulable nodes", "[unit][semantic]") {
  const std::string nodes = kThreeManagers + "      - {hostname: node4, availability: drain}\n";
  auto f = findings(nodes,
                    "  couchbase:\n    nodes:\n"
                    "      - {service: couchbase, node: node1}\n"
                    "      - {service: couchbase-worker, node: node4}\n"
                    "      - {service: couchbase-worker2, node: node9}\n"
                    "      - {service: couchbase, node: node2}\n");
  CHECK(contains(f,
                 "error: spec.couchbase.nodes[1].node: couchbase-worker is pinned to node4, "
                 "which is drained"));
  CHECK(contains(f, "error: spec.couchbase.nodes[2].node: \"node9\" is not declared"));
  CHECK(contains(f, "error: spec.couchbase.nodes[3].service: duplicate service \"couchbase\""));
}

TEST_CASE("a service section may not pin a data-store node elsewhere", "[unit][semantic]") {
  auto f = findings(kThreeManagers,
                    "  services:\n    couchbase: {constraints: [node.hostname == node2]}\n"
                    "  couchbase:\n    nodes: [{service: couchbase, node: node1}]\n");
  CHECK(contains(f,
                 "error: spec.services.couchbase.constraints: pins the service to node2 but "
                 "spec.couchbase.nodes[0] pins it to node1"));
}

TEST_CASE("couchbase replica and failover advice", "[unit][semantic]") {
  auto f = findings(kThreeManagers,
                    "  couchbase:\n    nodes:\n      - {service: couchbase, node: node1}\n"
                    "      - {service: couchbase-worker, node: node2}\n"
                    "    buckets: {content: {replicas: 2}, logs: {replicas: 1}}\n"
                    "    autoFailover: {enabled: true, timeout: 2s}\n");
  CHECK(contains(f,
                 "warning: spec.couchbase.buckets.content.replicas: 2 replicas need 3 "
                 "Couchbase nodes but 2 are declared; the operator will set 1"));
  CHECK_FALSE(contains(f, "buckets.logs"));
  CHECK(contains(f,
                 "error: spec.couchbase.autoFailover.timeout: 2s is outside what Couchbase "
                 "accepts (5s to 1h)"));
  CHECK(contains(f,
                 "warning: spec.couchbase.autoFailover.enabled: Couchbase fails over "
                 "automatically only with 3 or more nodes"));
}

TEST_CASE("more than four couchbase nodes cannot be fully replicated", "[unit][semantic]") {
  std::string nodes = kThreeManagers;
  std::string cb = "  couchbase:\n    nodes:\n";
  for (int i = 1; i <= 5; ++i) {
    if (i > 3) {
      nodes += "      - {hostname: node" + std::to_string(i) + "}\n";
    }
    cb += "      - {service: cb" + std::to_string(i) + ", node: node" + std::to_string(i) + "}\n";
  }
  CHECK(contains(findings(nodes, cb), "warning: spec.couchbase.nodes: 5 Couchbase nodes"));
}

TEST_CASE("rabbitmq policy and grace period advice", "[unit][semantic]") {
  CHECK(contains(findings(kThreeManagers,
                          "  rabbitmq:\n    nodes: [{service: rabbitmq, node: "
                          "node1}]\n    haPolicy: {}\n"),
                 "warning: spec.rabbitmq.haPolicy: one RabbitMQ node has nothing to mirror to"));
  const std::string three =
      "  rabbitmq:\n    nodes:\n      - {service: rabbitmq, node: node1}\n"
      "      - {service: rabbitmq2, node: node2}\n      - {service: rabbitmq3, node: node3}\n";
  CHECK(findings(kThreeManagers, three + "    stopGracePeriods: [30s, 20s, 10s]\n").empty());
  CHECK(contains(findings(kThreeManagers, three + "    stopGracePeriods: [20s, 20s]\n"),
                 "warning: spec.rabbitmq.stopGracePeriods[1]: node 2 waits 20s, not less than "
                 "node 1's 20s"));
  CHECK(contains(findings(kThreeManagers, three + "    stopGracePeriods: [20s, 10s, 10s, 5s]\n"),
                 "error: spec.rabbitmq.stopGracePeriods: 4 periods for 3 RabbitMQ nodes"));
  CHECK(contains(findings(kThreeManagers, three + "    haPolicy: {mode: exactly, params: 5}\n"),
                 "warning: spec.rabbitmq.haPolicy.params: 5 copies asked for but only 3 nodes"));
}

TEST_CASE("a service cannot be both a couchbase and a rabbitmq node", "[unit][semantic]") {
  CHECK(contains(findings(kThreeManagers,
                          "  couchbase:\n    nodes: [{service: data, node: node1}]\n"
                          "  rabbitmq:\n    nodes: [{service: data, node: node2}]\n"),
                 "error: spec.rabbitmq.nodes[0].service: \"data\" is also a Couchbase node"));
}

TEST_CASE("spread over a label no node has does nothing", "[unit][semantic]") {
  CHECK(contains(findings(kThreeManagers,
                          "  services:\n    gui: {preferences: [{spread: "
                          "node.labels.datacenter}]}\n"),
                 "warning: spec.services.gui.preferences[0]: no node declares label "
                 "\"datacenter\""));
}

TEST_CASE("absurd quantities are errors, never silently replaced", "[unit][semantic]") {
  const std::string digits(400, '9');
  auto f =
      findings(kThreeManagers, "  services:\n    gui: {stopGracePeriod: " + digits +
                                   "s, restartDelay: 100000h, "
                                   "resources: {limits: {cpus: '" +
                                   digits + "', memory: " + digits +
                                   "M}}}\n"
                                   "  couchbase:\n    nodes: [{service: couchbase, node: node1}]\n"
                                   "    autoFailover: {timeout: 100000h}\n");
  CHECK(contains(f, "error: spec.services.gui.stopGracePeriod: " + digits + "s is out of range"));
  CHECK(contains(f,
                 "error: spec.services.gui.restartDelay: 100000h is out of range for a "
                 "duration (at most 10 years)"));
  CHECK(contains(f, "error: spec.services.gui.resources.limits.cpus: " + digits +
                        " is out of range for a cpus"));
  CHECK(contains(f, "error: spec.services.gui.resources.limits.memory: " + digits +
                        "M is out of range for a size"));
  CHECK(contains(f, "error: spec.couchbase.autoFailover.timeout: 100000h is out of range"));
}

TEST_CASE("engine labels and hostname case follow Swarm", "[unit][semantic]") {
  // Engine labels are set in each daemon's configuration, not in this file: unknown, not false.
  CHECK(findings(kThreeManagers,
                 "  services:\n    db: {replicas: 1, constraints: "
                 "[engine.labels.storage == ssd]}\n")
            .empty());
  // Swarm compares hostnames without case.
  CHECK(findings(kThreeManagers,
                 "  services:\n    db: {replicas: 1, constraints: "
                 "[node.hostname == NODE1]}\n")
            .empty());
}
