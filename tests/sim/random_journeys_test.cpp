// Seeded random journeys on the simulators: from a fresh install with its data stores, apply's
// loop takes a sequence of desired-state files drawn from the examples and random valid
// mutations of them (roles, availability, labels, Couchbase and RabbitMQ nodes and pins, bucket
// replicas, gui replicas), with random faults between and during them (a crashed host, Docker API
// errors, a failing rebalance). The safety invariants are checked after every change on the way
// (the simulators' invariant monitor), and every journey must end in sync or blocked with a reason.
//
// SWARMOP_JOURNEY_SEEDS=N runs seeds 1..N (default 3, the CI share); SWARMOP_JOURNEY_SEED=S
// replays one. scripts/random-journeys.sh runs many and prints the figures.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <random>

#include "journey_world.hpp"
#include "swarmop/model/document_loader.hpp"

namespace swarmop::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kHosts = 5;
const char* const kExamples[] = {"single-node.yaml", "three-node.yaml", "three-plus-workers.yaml"};

std::string example_path(const std::string& name) {
  return std::string(SWARMOP_SOURCE_DIR) + "/examples/" + name;
}

//! One random change to a document; the caller keeps it only if the result validates.
std::string mutate(YAML::Node& doc, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto spec = doc["spec"];
  auto nodes = spec["swarm"]["nodes"];
  switch (pick(7)) {
    case 0: {
      const auto replicas = 1 + pick(3);
      spec["services"]["gui"]["replicas"] = replicas;
      return "gui replicas " + std::to_string(replicas);
    }
    case 1: {
      auto node = nodes[pick(nodes.size())];
      const std::string availability = pick(2) == 0 ? "drain" : "active";
      node["availability"] = availability;
      return node["hostname"].as<std::string>() + " " + availability;
    }
    case 2: {
      auto node = nodes[pick(nodes.size())];
      const std::string role = pick(2) == 0 ? "manager" : "worker";
      node["role"] = role;
      return node["hostname"].as<std::string>() + " " + role;
    }
    case 3: {
      auto node = nodes[pick(nodes.size())];
      const std::string type = pick(2) == 0 ? "master" : "worker";
      node["labels"]["types"] = type;
      return node["hostname"].as<std::string>() + " types=" + type;
    }
    case 4: {
      const char* store = pick(2) == 0 ? "couchbase" : "rabbitmq";
      auto listed = spec[store]["nodes"];
      if (!listed || listed.size() < 2) {
        return "";
      }
      const auto keep = 1 + pick(listed.size());
      YAML::Node kept(YAML::NodeType::Sequence);
      for (std::size_t i = 0; i < keep; ++i) {
        kept.push_back(listed[i]);
      }
      spec[store]["nodes"] = kept;
      return std::string(store) + " nodes " + std::to_string(keep);
    }
    case 5: {
      const char* store = pick(2) == 0 ? "couchbase" : "rabbitmq";
      auto listed = spec[store]["nodes"];
      if (!listed || listed.size() == 0) {
        return "";
      }
      auto entry = listed[pick(listed.size())];
      const std::string host = "node" + std::to_string(1 + pick(kHosts));
      entry["node"] = host;
      return entry["service"].as<std::string>() + " pinned to " + host;
    }
    default: {
      auto buckets = spec["couchbase"]["buckets"];
      if (!buckets) {
        return "";
      }
      const auto replicas = pick(3);
      for (auto bucket : buckets) {
        bucket.second["replicas"] = replicas;
      }
      return "bucket replicas " + std::to_string(replicas);
    }
  }
}

//! A desired state drawn from the examples, with up to three random valid changes.
model::DesiredState draw_file(std::mt19937_64& rng, std::string& what) {
  for (;;) {
    const std::string name = kExamples[rng() % std::size(kExamples)];
    auto doc = YAML::LoadFile(example_path(name));
    what = name;
    const auto changes = rng() % 4;
    for (std::size_t i = 0; i < changes; ++i) {
      auto trial = YAML::Clone(doc);
      const auto change = mutate(trial, rng);
      if (change.empty()) {
        continue;
      }
      const auto text = YAML::Dump(trial);
      if (model::load_document_text(text, name).ok()) {
        doc = trial;
        what += ", " + change;
      }
    }
    auto loaded = model::load_document_text(YAML::Dump(doc), name);
    if (!loaded.ok()) {
      continue;
    }
    auto desired = *loaded.state;
    bool fits = true;
    for (const auto& node : desired.swarm.nodes) {
      fits = fits && node.hostname.size() == 5 && node.hostname[4] >= '1' &&
             node.hostname[4] <= '0' + kHosts;
    }
    if (fits) {
      return desired;
    }
  }
}

struct JourneyFigures {
  int files = 0;
  int steps = 0;
  int faults = 0;
  int blocked = 0;
};

//! One seeded journey; returns what it did. Every failed check names the seed.
JourneyFigures run_journey(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  JourneyWorld world(kHosts, seed);
  JourneyFigures figures;
  std::string log;
  const int files = 2 + static_cast<int>(rng() % 3);
  for (int file = 0; file < files; ++file) {
    std::string what;
    const auto desired = world.localised(draw_file(rng, what));
    ++figures.files;
    // The fault of this file, if any: a crashed host (back after a while), Docker API errors
    // on writes, the next rebalance failing midway, or a RabbitMQ node's server stopping.
    std::string crashed;
    std::chrono::milliseconds back_after{0};
    std::uint64_t rule = 0;
    std::string stopped_rabbit;
    switch (rng() % 5) {
      case 1:
        crashed = "node" + std::to_string(2 + rng() % (kHosts - 1));
        back_after = std::chrono::seconds(20 + rng() % 200);
        world.sim().cluster().set_node_down(crashed, true);
        what += "; " + crashed + " crashes for " + std::to_string(back_after.count() / 1000) + " s";
        ++figures.faults;
        break;
      case 2: {
        sim::FaultRule errors;
        errors.method = "POST";
        errors.path_regex = "/(services|nodes)/.*/update";
        errors.status = 503;
        errors.probability = 0.3;
        errors.count = 5;
        errors.seed = seed;
        rule = world.sim().cluster().faults().add(errors);
        what += "; Docker API 503s on writes";
        ++figures.faults;
        break;
      }
      case 3:
        world.sim().couchbase().fail_next_rebalance();
        what += "; the next rebalance fails";
        ++figures.faults;
        break;
      case 4: {
        const auto names = world.rabbit().node_names();
        stopped_rabbit = names[rng() % names.size()];
        back_after = std::chrono::seconds(10 + rng() % 60);
        world.rabbit().stop_node(stopped_rabbit);
        what += "; " + stopped_rabbit + " stops for " + std::to_string(back_after.count() / 1000) +
                " s";
        ++figures.faults;
        break;
      }
      default:
        break;
    }
    log += "file " + std::to_string(file + 1) + ": " + what + "\n";
    std::chrono::milliseconds faulted_for{0};
    const auto heal = [&] {
      if (!crashed.empty()) {
        world.sim().cluster().set_node_down(crashed, false);
        crashed.clear();
      }
      if (!stopped_rabbit.empty()) {
        world.rabbit().start_node(stopped_rabbit);
        stopped_rabbit.clear();
      }
    };
    const auto result = world.apply(
        desired,
        [&](const controller::StepReport& report) {
          if (!report.error) {
            ++figures.steps;
            log += "  " + report.step.reconciler + " " + report.step.action + " " +
                   report.step.object + "\n";
          }
        },
        [&](std::chrono::milliseconds pause) {
          faulted_for += pause;
          if (faulted_for >= back_after) {
            heal();
          }
        });
    heal();
    if (rule != 0) {
      world.sim().cluster().faults().remove(rule);
    }
    log += JourneyWorld::blocked_text(result);
    INFO("replay: SWARMOP_JOURNEY_SEED=" << seed << " build/tests/random_journeys_sim_test\n"
                                         << log);
    const bool settled = JourneyWorld::settled(result);
    CHECK(settled);
    figures.blocked += result.outcome == controller::ConvergeOutcome::kBlocked ? 1 : 0;
    CHECK(world.invariants().report() == "");
    if (!settled || !world.invariants().report().empty()) {
      break;
    }
  }
  return figures;
}

std::vector<std::uint64_t> seeds_to_run() {
  if (const char* one = std::getenv("SWARMOP_JOURNEY_SEED")) {
    return {std::stoull(one)};
  }
  std::uint64_t count = 3;
  if (const char* many = std::getenv("SWARMOP_JOURNEY_SEEDS")) {
    count = std::stoull(many);
  }
  std::vector<std::uint64_t> out;
  for (std::uint64_t seed = 1; seed <= count; ++seed) {
    out.push_back(seed);
  }
  return out;
}

}  // namespace

TEST_CASE("seeded random journeys keep every safety invariant and end settled", "[sim][journeys]") {
  JourneyFigures total;
  const auto seeds = seeds_to_run();
  for (const auto seed : seeds) {
    const auto figures = run_journey(seed);
    total.files += figures.files;
    total.steps += figures.steps;
    total.faults += figures.faults;
    total.blocked += figures.blocked;
  }
  // One line for scripts/random-journeys.sh and the CI log.
  std::cout << "random journeys: " << seeds.size() << " journeys, " << total.files << " files, "
            << total.steps << " steps, " << total.faults << " faults, " << total.blocked
            << " blocked ends\n";
}

}  // namespace swarmop::testing
