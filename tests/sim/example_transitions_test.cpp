// Named journeys between the examples, on the simulators with both data stores: every example
// converges from a fresh install (every task on node1, one Couchbase and one RabbitMQ node with
// their data there), and from each example converged, apply's loop takes the cluster to every
// other example, ending in sync or blocked with a reason. The invariant monitor watches every
// change of every journey: quorum, no data lost, the data where the operator recorded it, no
// Couchbase node stopped while it moves data, never two rabbit nodes down.
#include <catch2/catch.hpp>
#include <iostream>

#include "journey_world.hpp"
#include "swarmop/model/document_loader.hpp"

namespace swarmop::testing {
namespace {

// Enough hosts for the largest example (drained-managers: eight nodes).
constexpr int kHosts = 8;
const char* const kExamples[] = {"single-node.yaml", "three-node.yaml", "three-plus-workers.yaml",
                                 "cross-datacenter.yaml", "drained-managers.yaml"};

model::DesiredState example(const std::string& name) {
  auto document = model::load_document_file(std::string(SWARMOP_SOURCE_DIR) + "/examples/" + name);
  REQUIRE(document.ok());
  return *document.state;
}

std::string outcome_text(const controller::ConvergeResult& result) {
  switch (result.outcome) {
    case controller::ConvergeOutcome::kInSync:
      return "in sync";
    case controller::ConvergeOutcome::kBlocked:
      return "blocked";
    case controller::ConvergeOutcome::kTimeout:
      return "timeout";
    case controller::ConvergeOutcome::kStopped:
      return "stopped";
    case controller::ConvergeOutcome::kError:
      return "error: " + (result.error ? result.error->describe() : std::string("?"));
  }
  return "?";
}

//! Applies `file`; returns its outcome, the steps and what blocked into `log`.
controller::ConvergeResult apply_file(JourneyWorld& world, const std::string& file, int& steps,
                                      std::string& log) {
  log += "apply " + file + "\n";
  auto result =
      world.apply(world.localised(example(file)), [&](const controller::StepReport& report) {
        if (!report.error) {
          ++steps;
          log += "  " + report.step.reconciler + " " + report.step.action + " " +
                 report.step.object + "\n";
        }
      });
  log += "  -> " + outcome_text(result) + "\n" + JourneyWorld::blocked_text(result);
  return result;
}

}  // namespace

TEST_CASE("every example converges from a fresh install with its data stores", "[sim][journeys]") {
  for (const char* file : kExamples) {
    JourneyWorld world(kHosts);
    int steps = 0;
    std::string log;
    const auto result = apply_file(world, file, steps, log);
    INFO(log);
    CHECK(result.outcome == controller::ConvergeOutcome::kInSync);
    CHECK(world.invariants().report() == "");
    std::cout << "fresh install -> " << file << ": " << outcome_text(result) << ", " << steps
              << " steps\n";
  }
}

TEST_CASE("from each example converged to every other: settled, every invariant kept",
          "[sim][journeys]") {
  for (const char* from : kExamples) {
    for (const char* to : kExamples) {
      if (std::string(from) == to) {
        continue;
      }
      JourneyWorld world(kHosts);
      int steps = 0;
      std::string log;
      const auto first = apply_file(world, from, steps, log);
      steps = 0;
      const auto second = apply_file(world, to, steps, log);
      INFO(from << " -> " << to << "\n" << log);
      CHECK(first.outcome == controller::ConvergeOutcome::kInSync);
      CHECK(JourneyWorld::settled(second));
      CHECK(world.invariants().report() == "");
      std::cout << from << " -> " << to << ": " << outcome_text(second) << ", " << steps
                << " steps\n";
    }
  }
}

}  // namespace swarmop::testing
