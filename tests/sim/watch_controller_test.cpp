// The watch controller against the simulated swarm (wall clock), through the production Docker
// client: file triggers (rename, as git does), a broken file, drift corrected from the event
// stream with the resync timer far away, a node down, API errors and backoff, stopping in the
// middle of a step, and two controllers sharing one lease.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/invariant_monitor.hpp"
#include "swarmop/sim/simulated_cluster.hpp"
#include "watch/controller.hpp"

namespace swarmop::testing {
namespace {

using namespace std::chrono_literals;

clients::DockerClientPtr docker_at(const std::string& address) {
  return std::make_unique<clients::DockerHttpClient>(
      std::make_unique<clients::CurlTransport>(*clients::parse_docker_host(address)));
}

//! Polls `condition` until it holds or `deadline` passes; true when it held.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds deadline = 15s) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

std::string cluster_file(const std::string& node2_zone, const std::string& node3_zone = "") {
  std::string text =
      "apiVersion: swarm-operator/v1alpha1\n"
      "kind: SwarmCluster\n"
      "metadata: {name: watch-test}\n"
      "spec:\n"
      "  swarm:\n"
      "    nodes:\n"
      "      - {hostname: node1, role: manager}\n"
      "      - {hostname: node2, role: worker, labels: {zone: " +
      node2_zone + "}}\n";
  text += node3_zone.empty()
              ? "      - {hostname: node3, role: worker}\n"
              : "      - {hostname: node3, role: worker, labels: {zone: " + node3_zone + "}}\n";
  return text;
}

//! A controller running on its own thread.
struct RunningController {
  std::unique_ptr<watch::Controller> controller;
  std::thread thread;
  std::atomic<int> exit_code{-1};

  ~RunningController() { stop(); }
  void stop() {
    if (thread.joinable()) {
      controller->stop();
      thread.join();
    }
  }
  boost::json::value status() const {
    return boost::json::parse(controller->status().status_json());
  }
  std::string metrics() const { return controller->status().metrics_text(); }
  bool holds_lease() const { return status().at("lease").at("held").as_bool(); }
  const boost::json::value& reconciler(const boost::json::value& status,
                                       const std::string& name) const {
    for (const auto& entry : status.at("reconcilers").as_array()) {
      if (entry.at("name").as_string() == name) {
        return entry;
      }
    }
    throw std::runtime_error("no reconciler " + name);
  }
};

//! A three-node simulated swarm (the default fresh install) and a desired-state file.
struct WatchedSwarm {
  sim::SimulatedCluster cluster;
  std::filesystem::path dir;
  std::filesystem::path file;
  clients::DockerClientPtr probe;
  sim::InvariantMonitor invariants{cluster};

  WatchedSwarm()
      : cluster(wall_clock(),
                [](sim::SwarmWorld& world) {
                  sim::install_default_world(world, sim::DefaultWorldOptions{3, 0, "iservices"});
                }),
        dir(std::filesystem::temp_directory_path() /
            ("swarmop-watch-" + std::to_string(std::random_device{}()))),
        file(dir / "cluster.yaml"),
        probe(docker_at(cluster.tcp_address("node1"))) {
    std::filesystem::create_directories(dir);
    std::ofstream(file) << cluster_file("a");
  }
  ~WatchedSwarm() {
    // The safety invariants held at every tick, whatever the test did.
    CHECK(invariants.report() == "");
    std::filesystem::remove_all(dir);
  }

  static sim::ClusterOptions wall_clock() {
    sim::ClusterOptions options;
    options.manual_clock = false;
    options.unix_sockets = false;
    return options;
  }

  //! Replaces the file the way git does: a new file renamed over the old one.
  void commit(const std::string& text) {
    const auto temporary = dir / ".cluster.yaml.tmp";
    std::ofstream(temporary) << text;
    std::filesystem::rename(temporary, file);
  }

  std::string zone_of(const std::string& node) {
    auto inspected = probe->inspect_node(node);
    if (!inspected) {
      return "?";
    }
    const auto found = inspected->labels.find("zone");
    return found == inspected->labels.end() ? "" : found->second;
  }

  void set_zone_by_hand(const std::string& node, const std::string& zone) {
    auto inspected = probe->inspect_node(node);
    REQUIRE(inspected);
    auto spec = inspected->spec;
    spec["Labels"].as_object()["zone"] = zone;
    REQUIRE(probe->update_node(*inspected, spec));
  }

  std::unique_ptr<RunningController> start(const std::string& identity,
                                           std::chrono::milliseconds backoff_base = 1000ms,
                                           std::chrono::milliseconds removal_settle = 0ms) {
    watch::ControllerOptions options;
    options.removal_settle = removal_settle;
    options.file = file.string();
    options.resync = 1h;  // far away: anything that happens in a test came from a trigger
    options.requeue = 200ms;
    options.backoff.base = backoff_base;
    options.backoff.cap = backoff_base * 4;
    options.listen = "127.0.0.1:0";
    options.lease.duration = 1500ms;
    options.lease.identity = identity;
    options.shutdown_grace = 10s;
    watch::ControllerClients clients{*manager_for(identity), nullptr, nullptr, nullptr, {}};
    clients.event_clients.push_back(docker_at(cluster.tcp_address("node1")));
    auto running = std::make_unique<RunningController>();
    running->controller = std::make_unique<watch::Controller>(
        options, std::move(clients),
        watch::WatchLog(watch::LogFormat::kText,
                        std::make_shared<spdlog::logger>(
                            "test", std::make_shared<spdlog::sinks::null_sink_mt>())));
    auto* raw = running.get();
    running->thread = std::thread([raw] { raw->exit_code = raw->controller->run(false); });
    REQUIRE(eventually([raw] { return raw->controller->started() || raw->exit_code >= 0; }));
    return running;
  }

  clients::DockerClient* manager_for(const std::string& identity) {
    managers[identity] = docker_at(cluster.tcp_address("node1"));
    return managers[identity].get();
  }
  std::map<std::string, clients::DockerClientPtr> managers;
};

std::uint64_t docker_writes(const std::string& metrics) {
  const std::string key = "swarmop_api_requests_total{target=\"docker\",kind=\"write\"} ";
  const auto at = metrics.find(key);
  return at == std::string::npos ? 0 : std::stoull(metrics.substr(at + key.size()));
}

}  // namespace

TEST_CASE("watch converges, then follows the file when git renames a new one over it", "[watch]") {
  WatchedSwarm swarm;
  auto running = swarm.start("controller-a");
  CHECK(eventually([&] { return swarm.zone_of("node2") == "a"; }));
  CHECK(eventually([&] {
    const auto status = running->status();
    return running->reconciler(status, "labels").at("sync") == "Synced";
  }));

  swarm.commit(cluster_file("b"));
  CHECK(eventually([&] { return swarm.zone_of("node2") == "b"; }));
  const auto status = running->status();
  CHECK(status.at("desiredState").at("valid") == true);
  running->stop();
  CHECK(running->exit_code == 0);
}

TEST_CASE("a file that stops validating changes nothing, and the status says where", "[watch]") {
  WatchedSwarm swarm;
  auto running = swarm.start("controller-a");
  REQUIRE(eventually([&] { return swarm.zone_of("node2") == "a"; }));
  const std::string revision(running->status().at("desiredState").at("revision").as_string());

  swarm.commit(cluster_file("c") + "      - {hostname: node4, role: [\n");
  REQUIRE(eventually([&] { return running->status().at("desiredState").at("valid") == false; }));
  const auto status = running->status();
  const std::string error(status.at("desiredState").at("errors").at(0).as_string());
  INFO(error);
  // FILE:LINE:COLUMN: the unclosed flow sequence is found at the end of the file.
  CHECK(error.find(swarm.file.string() + ":11:1: error: YAML syntax error") == 0);
  CHECK(status.at("desiredState").at("revision").as_string() ==
        revision);  // the last good one stays
  CHECK(swarm.zone_of("node2") == "a");
  CHECK(running->metrics().find("swarmop_desired_state_valid 0") != std::string::npos);

  swarm.commit(cluster_file("d"));
  CHECK(eventually([&] { return swarm.zone_of("node2") == "d"; }));
}

TEST_CASE("drift is corrected from the event stream, long before the resync", "[watch]") {
  WatchedSwarm swarm;
  auto running = swarm.start("controller-a");
  REQUIRE(eventually([&] { return swarm.zone_of("node2") == "a"; }));
  swarm.set_zone_by_hand("node2", "changed-by-hand");
  // The resync is an hour away: only the node update event can bring the controller back.
  CHECK(eventually([&] { return swarm.zone_of("node2") == "a"; }, 10s));
}

TEST_CASE("a node that goes down is reported Degraded, and Healthy once back", "[watch]") {
  WatchedSwarm swarm;
  auto running = swarm.start("controller-a");
  REQUIRE(eventually([&] { return swarm.zone_of("node2") == "a"; }));
  const auto health = [&] {
    const auto status = running->status();
    return std::string(running->reconciler(status, "membership").at("health").as_string());
  };
  REQUIRE(eventually([&] { return health() == "Healthy"; }));
  swarm.cluster.set_node_down("node3", true);
  CHECK(eventually([&] { return health() == "Degraded"; }));
  swarm.cluster.set_node_down("node3", false);
  CHECK(eventually([&] { return health() == "Healthy"; }));
}

TEST_CASE("API errors back off, then the controller recovers", "[watch]") {
  WatchedSwarm swarm;
  sim::FaultRule failing;
  failing.method = "GET";
  failing.path_regex = "/nodes$";
  failing.status = 500;
  failing.count = 20;  // reads are tried 3 times each: several passes fail
  const auto rule = swarm.cluster.faults().add(failing);
  auto running = swarm.start("controller-a", 50ms);
  CHECK(eventually([&] { return swarm.zone_of("node2") == "a"; }));
  CHECK(swarm.cluster.faults().hits(rule) == 20);
  const std::string metrics = running->metrics();
  CHECK(metrics.find("swarmop_pass_errors_total{reconciler=") != std::string::npos);
  // Each failed call is counted by target and status (the client tried every read 3 times).
  CHECK(metrics.find("swarmop_api_errors_total{target=\"docker\",status=\"500\"} ") !=
        std::string::npos);
  CHECK(eventually([&] {
    const auto status = running->status();
    return running->reconciler(status, "labels").at("lastError").is_null();
  }));
}

TEST_CASE("stopping in the middle of a step: it finishes, no new step starts, exit 0", "[watch]") {
  WatchedSwarm swarm;
  std::ofstream(swarm.file) << cluster_file("a", "z");  // two label steps: node2, then node3
  sim::FaultRule slow;
  slow.method = "POST";
  slow.path_regex = "/nodes/.*/update";
  slow.hang = true;
  const auto rule = swarm.cluster.faults().add(slow);
  auto running = swarm.start("controller-a");
  REQUIRE(eventually([&] { return swarm.cluster.faults().hits(rule) >= 1; }));
  running->controller->stop();          // what SIGTERM does
  swarm.cluster.faults().remove(rule);  // the write in flight now completes
  running->thread.join();
  CHECK(running->exit_code == 0);
  CHECK(swarm.zone_of("node2") == "a");  // the step in flight finished
  CHECK(swarm.zone_of("node3") == "");   // and no new one started
}

TEST_CASE("two controllers, one lease: only the holder writes, the other takes over", "[watch]") {
  WatchedSwarm swarm;
  auto first = swarm.start("controller-a");
  REQUIRE(eventually([&] { return first->holds_lease(); }));
  auto second = swarm.start("controller-b");
  REQUIRE(eventually([&] { return swarm.zone_of("node2") == "a"; }));
  REQUIRE(eventually([&] {
    const auto status = second->status();
    return second->reconciler(status, "labels").at("sync") == "Synced";
  }));
  swarm.set_zone_by_hand("node2", "drift-1");
  REQUIRE(eventually([&] { return swarm.zone_of("node2") == "a"; }));
  CHECK_FALSE(second->holds_lease());
  CHECK(second->status().at("lease").at("holder") == "controller-a");
  CHECK(docker_writes(second->metrics()) == 0);  // it observed, it never wrote
  CHECK(docker_writes(first->metrics()) > 0);

  first->stop();  // releases the lease
  REQUIRE(eventually([&] { return second->holds_lease(); }, 5s));
  swarm.set_zone_by_hand("node2", "drift-2");
  CHECK(eventually([&] { return swarm.zone_of("node2") == "a"; }));
  CHECK(docker_writes(second->metrics()) > 0);
}

TEST_CASE("a removal waits until the file content has stood --removal-settle", "[watch]") {
  WatchedSwarm swarm;
  swarm.cluster.set_node_down("node3", true);
  REQUIRE(eventually([&] {
    auto node = swarm.probe->inspect_node("node3");
    return node && node->state == "down";
  }));
  // node3 is down and no longer listed: with prune its entry is removed, a step that cannot be
  // undone, so it waits until this content has stood 3 s.
  swarm.commit(
      "apiVersion: swarm-operator/v1alpha1\n"
      "kind: SwarmCluster\n"
      "metadata: {name: watch-test}\n"
      "spec:\n"
      "  swarm:\n"
      "    prune: true\n"
      "    nodes:\n"
      "      - {hostname: node1, role: manager}\n"
      "      - {hostname: node2, role: worker, labels: {zone: a}}\n");
  const auto written = std::chrono::steady_clock::now();
  auto running = swarm.start("controller-a", 1000ms, 3000ms);
  const auto waits_for_settle = [&] {
    const auto status = running->status();
    const auto& plan = running->reconciler(status, "membership").at("plan");
    if (!plan.is_object()) {
      return false;
    }
    for (const auto& item : plan.at("waiting").as_array()) {
      const std::string message(item.at("message").as_string());
      if (message.find("remove node node3 takes a member away for good") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  const bool waited = eventually(waits_for_settle);
  INFO("membership: " << boost::json::serialize(
           running->reconciler(running->status(), "membership")));
  REQUIRE(waited);
  CHECK(swarm.probe->inspect_node("node3"));  // still there while it waits
  REQUIRE(eventually([&] { return !swarm.probe->inspect_node("node3"); }));
  const auto removed_after = std::chrono::steady_clock::now() - written;
  INFO("removed " << std::chrono::duration_cast<std::chrono::milliseconds>(removed_after).count()
                  << " ms after the file was written");
  CHECK(removed_after >= 3s);
}

}  // namespace swarmop::testing
