// The fault matrix on the simulated swarm: the same journey (a fresh 7-node install with an
// eighth machine outside the swarm, converged to the manual's "drained managers" deployment:
// joins, promotions, demotions, drains, labels, placement) run once without faults and once per
// row with one fault injected on a seeded schedule into every Docker API the operator calls.
// apply's loop is restarted after an error, as watch mode requeues a failed pass. Each row must
// end in sync, in the same state as the run without faults (nothing written that the file did
// not ask for), with quorum held at every step and every wait, and its errors reported. The
// table it prints is the README's reliability figures. Replay a row's schedule with
// SWARMOP_FAULT_SEED=N.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "apply/converge.hpp"
#include "node_state_text.hpp"
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

using namespace std::chrono_literals;

std::uint64_t base_seed() {
  const char* given = std::getenv("SWARMOP_FAULT_SEED");
  return given != nullptr ? std::strtoull(given, nullptr, 10) : 20261126;
}

//! What a row's fault must show in the figures: calls that failed (writes are never retried
//! blindly, so a failed write always reaches the loop), maybe some (reads are retried inside the
//! client, and only a run of failures reaches the loop), or none (slow answers are absorbed).
enum class Visible { kFailedCalls, kMaybe, kNone };

struct Row {
  std::string name;
  std::string fault;  //!< for the table
  std::optional<sim::FaultRule> rule;
  Visible visible = Visible::kFailedCalls;
  std::chrono::milliseconds client_timeout = 30s;
};

struct Outcome {
  std::string result = "not run";
  double simulated_seconds = 0;
  double wall_seconds = 0;
  int steps = 0;
  std::uint64_t writes = 0;
  std::uint64_t failed_calls = 0;
  int restarts = 0;
  int quorum_losses = 0;
  std::uint64_t faults_hit = 0;
  std::string end_state;
  std::string last_error;
};

class Journey {
 public:
  Journey() {
    sim::ClusterOptions options;
    options.manual_clock = true;
    sim::DefaultWorldOptions world;
    world.nodes = 7;
    world.unjoined = 1;
    cluster_ = std::make_unique<sim::SimulatedCluster>(
        options, [&](sim::SwarmWorld& w) { sim::install_default_world(w, world); });
    invariants_ = std::make_unique<sim::InvariantMonitor>(*cluster_);
    auto document = model::load_document_file(std::string(SWARMOP_SOURCE_DIR) +
                                              "/examples/drained-managers.yaml");
    REQUIRE(document.ok());
    desired_ = *document.state;
    desired_.rabbitmq.reset();
    desired_.couchbase.reset();
    for (auto& node : desired_.swarm.nodes) {
      if (node.engine) {
        node.engine = model::EngineEndpoint{cluster_->tcp_address(node.hostname), std::nullopt};
      }
      if (node.hostname == "node8") {
        node.engine = model::EngineEndpoint{cluster_->unix_address("node8"), std::nullopt};
      }
    }
  }

  Outcome run(const Row& row) {
    Outcome out;
    std::uint64_t rule_id = 0;
    if (row.rule) {
      rule_id = cluster_->faults().add(*row.rule);
    }
    auto node1 = client(cluster_->tcp_address("node1"), row.client_timeout);
    // Through node1 until the file demotes it; then through a drained manager (node4-6).
    clients::ManagerHandoverClient manager(*node1);
    clients::CountingDockerClient counted(manager);
    reconcilers::EngineConnector engines =
        [timeout = row.client_timeout](
            const model::EngineEndpoint& engine) -> model::Expected<clients::DockerClientPtr> {
      return client(engine.endpoint, timeout);
    };
    controller::ClusterClients clients{
        counted, engines, nullptr, nullptr,
        [&manager](clients::DockerClientPtr next, const model::EngineEndpoint&) {
          manager.hand_over(std::move(next));
        }};
    controller::ConvergeOptions options;
    options.timeout = 60s;
    options.poll = 500ms;
    const auto sleep = [&](std::chrono::milliseconds pause) {
      cluster_->advance(pause);
      simulated_ += pause;
      check_quorum(out);
      std::this_thread::sleep_for(2ms);  // the engines' threads serve what became due
    };
    const auto wall_start = std::chrono::steady_clock::now();
    const auto simulated_start = simulated_;
    for (int attempt = 0; attempt < 60; ++attempt) {
      auto result = controller::converge(
          desired_, clients, options,
          [&](const controller::StepReport& report) {
            if (report.error) {
              out.last_error = report.error->describe();
            } else {
              ++out.steps;
            }
            check_quorum(out);
          },
          sleep);
      if (result.outcome == controller::ConvergeOutcome::kInSync) {
        out.result = "in sync";
        break;
      }
      if (result.outcome == controller::ConvergeOutcome::kBlocked) {
        out.result = "blocked";
        break;
      }
      // An error or a timeout: observe again after a pause, as watch's requeue does.
      out.result = "gave up";
      if (result.error) {
        out.last_error = result.error->describe();
      }
      ++out.restarts;
      sleep(1s);
    }
    if (row.rule) {
      out.faults_hit = cluster_->faults().hits(rule_id);
      cluster_->faults().remove(rule_id);
    }
    out.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    out.simulated_seconds = std::chrono::duration<double>(simulated_ - simulated_start).count();
    out.writes = counted.writes();
    for (const auto& [status, count] : counted.errors_by_status()) {
      out.failed_calls += count;
    }
    out.end_state = end_state();
    // The safety invariants, whatever the faults, at every change on the way: quorum kept by
    // the operator's moves, no stateful task started away from its data (the fresh install
    // keeps Couchbase's and RabbitMQ's on node1).
    CHECK(invariants_->report() == "");
    return out;
  }

 private:
  // The production transport with every request's time limit lowered to `timeout` (the
  // client's own is 30 s), so a row can make calls time out without waiting that long.
  class ShortTimeouts final : public clients::HttpTransport {
   public:
    ShortTimeouts(std::unique_ptr<clients::HttpTransport> inner, std::chrono::milliseconds timeout)
        : inner_(std::move(inner)), timeout_(timeout) {}
    model::Expected<clients::HttpResponse> send(const clients::HttpRequest& request) override {
      auto limited = request;
      limited.timeout = std::min(request.timeout, timeout_);
      return inner_->send(limited);
    }
    model::Expected<int> stream(const clients::HttpRequest& request,
                                const std::function<bool(std::string_view)>& on_data,
                                const std::atomic<bool>* cancel) override {
      return inner_->stream(request, on_data, cancel);
    }
    std::string display() const override { return inner_->display(); }

   private:
    std::unique_ptr<clients::HttpTransport> inner_;
    std::chrono::milliseconds timeout_;
  };

  static clients::DockerClientPtr client(const std::string& address,
                                         std::chrono::milliseconds timeout) {
    auto endpoint = clients::parse_docker_host(address);
    REQUIRE(endpoint);
    return std::make_unique<clients::DockerHttpClient>(std::make_unique<ShortTimeouts>(
        std::make_unique<clients::CurlTransport>(*endpoint), timeout));
  }

  // Raft arithmetic from the world itself, not through the API under fault.
  void check_quorum(Outcome& out) const {
    int members = 0;
    int reachable = 0;
    for (const auto& node : cluster_->world().nodes()) {
      if (node.raft_member) {
        ++members;
        reachable += node.reachability == "reachable" ? 1 : 0;
      }
    }
    if (members == 0 || reachable < members / 2 + 1) {
      ++out.quorum_losses;
    }
  }

  // What the journey is about, in one comparable text: each node's role, availability and
  // labels, and where gui and steprunner run.
  std::string end_state() const {
    std::ostringstream out;
    out << node_state_text(cluster_->world());
    for (const char* service : {"iservices_gui", "iservices_steprunner"}) {
      out << service << ":";
      for (const auto& [host, count] : cluster_->world().running_by_host(service)) {
        out << " " << host << "=" << count;
      }
      out << "\n";
    }
    return out.str();
  }

  std::unique_ptr<sim::SimulatedCluster> cluster_;
  std::unique_ptr<sim::InvariantMonitor> invariants_;
  model::DesiredState desired_;
  std::chrono::milliseconds simulated_{0};
};

sim::FaultRule rule(std::string method, std::string path, double probability, std::uint64_t seed) {
  sim::FaultRule out;
  out.method = std::move(method);
  out.path_regex = std::move(path);
  out.probability = probability;
  out.seed = seed;
  return out;
}

std::vector<Row> rows(std::uint64_t seed) {
  std::vector<Row> out;
  out.push_back({"baseline", "none", std::nullopt});
  auto errors = rule("POST", ".*", 0.25, seed + 1);
  errors.status = 500;
  errors.message = "injected: internal error";
  out.push_back({"api-500", "25% of writes answer 500", errors});
  auto reads = rule("GET", "/(nodes|services|tasks)", 0.15, seed + 2);
  reads.status = 503;
  reads.message = "injected: unavailable";
  out.push_back({"read-503", "15% of list reads answer 503", reads, Visible::kMaybe});
  auto drops = rule("", ".*", 0.10, seed + 3);
  drops.drop = true;
  out.push_back({"dropped", "10% of calls: connection closed mid-answer", drops});
  auto conflicts = rule("POST", "/update", 0.30, seed + 4);
  conflicts.status = 500;
  conflicts.message = "rpc error: code = Unknown desc = update out of sequence";
  out.push_back({"conflict", "30% of updates: update out of sequence", conflicts});
  // The client gives up after 1 s; the engine applies the write after 1.5 s anyway: the
  // operator must find it done, not do it twice.
  auto timeouts = rule("POST", ".*", 0.30, seed + 5);
  timeouts.hang = true;
  timeouts.hang_ms = 1500;
  out.push_back(
      {"timeout", "30% of writes time out, then apply", timeouts, Visible::kFailedCalls, 1s});
  auto slow = rule("", ".*", 0.30, seed + 6);
  slow.latency_ms = 150;
  out.push_back({"slow", "30% of calls 150 ms late", slow, Visible::kNone});
  return out;
}

}  // namespace

TEST_CASE("the fault matrix: Docker API faults during a 7-node convergence", "[faults]") {
  const std::uint64_t seed = base_seed();
  std::string baseline_state;
  std::ostringstream table;
  table << "fault matrix, simulated swarm (seed " << seed << ")\n"
        << "| row | fault | outcome | sim s | wall s | steps | writes | failed calls | faults hit "
           "| restarts | quorum lost |\n"
        << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& row : rows(seed)) {
    Journey journey;
    const auto out = journey.run(row);
    char figures[160];
    std::snprintf(figures, sizeof figures, "| %.0f | %.1f | %d | %llu | %llu | %llu | %d | %d |",
                  out.simulated_seconds, out.wall_seconds, out.steps,
                  static_cast<unsigned long long>(out.writes),
                  static_cast<unsigned long long>(out.failed_calls),
                  static_cast<unsigned long long>(out.faults_hit), out.restarts, out.quorum_losses);
    table << "| " << row.name << " | " << row.fault << " | " << out.result << " " << figures
          << "\n";
    INFO("row " << row.name << " (seed " << seed << "): " << out.result
                << "; last error: " << out.last_error);
    CHECK(out.result == "in sync");
    CHECK(out.quorum_losses == 0);
    if (row.rule) {
      // The fault really happened, and was survived; errors that reached the loop were
      // reported, each as a failed call.
      CHECK(out.faults_hit > 0);
      if (row.visible == Visible::kFailedCalls) {
        CHECK(out.failed_calls > 0);
      } else if (row.visible == Visible::kNone) {
        CHECK(out.failed_calls == 0);
      }
      if (out.failed_calls > 0) {
        CHECK_FALSE(out.last_error.empty());
      }
      CHECK(out.end_state == baseline_state);
    } else {
      CHECK(out.failed_calls == 0);
      CHECK(out.steps > 10);
      baseline_state = out.end_state;
    }
  }
  std::cout << table.str() << std::flush;
}

}  // namespace swarmop::testing
