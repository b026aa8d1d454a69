// `swarm-operator demo [FILE]`: the watch controller against the embedded simulated cluster
// (swarm, Couchbase, RabbitMQ) on a fast clock: a fresh install converged to FILE, a node
// crashed and brought back, the controller healing what Swarm leaves behind, and a summary.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <thread>

#include "command.hpp"
#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/model/diagnostic.hpp"
#include "swarmop/model/document_loader.hpp"
#include "swarmop/sim/couchbase/couchbase_simulator.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/invariant_monitor.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"
#include "swarmop/sim/simulated_cluster.hpp"
#include "watch/controller.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

//! The simulated world on a manual clock that a thread moves `speed` times faster than wall
//! time, so Couchbase's 120 s auto-failover timeout and its rebalances pass in seconds.
struct FastWorld {
  sim::SimulatedCluster cluster;
  sim::rabbitmq::RabbitSimulator rabbit;
  sim::couchbase::CouchbaseSimulator couchbase;
  //! The safety invariants, checked after every write and every move of the clock.
  sim::InvariantMonitor invariants;
  std::atomic<bool> running{true};
  std::atomic<std::int64_t> simulated_ms{0};
  std::thread clock;

  FastWorld(int nodes, int speed)
      : cluster(
            options(),
            [nodes](sim::SwarmWorld& world) {
              sim::install_default_world(world, sim::DefaultWorldOptions{nodes, 0, "iservices"});
            }),
        rabbit(cluster.world(), rabbit_options()),
        couchbase(cluster),
        invariants(cluster, probes(couchbase)) {
    clock = std::thread([this, speed] {
      while (running) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        couchbase.advance(std::chrono::milliseconds(10 * speed));
        rabbit.sync();
        simulated_ms += 10 * speed;
      }
    });
  }
  ~FastWorld() {
    running = false;
    clock.join();
    couchbase.stop();
    rabbit.stop();
  }
  static sim::ClusterOptions options() {
    sim::ClusterOptions out;
    out.manual_clock = true;
    out.unix_sockets = false;
    return out;
  }
  static sim::InvariantProbes probes(const sim::couchbase::CouchbaseSimulator& couchbase) {
    sim::InvariantProbes out;
    out.couchbase_topology_change = [&couchbase] { return couchbase.moving_data(); };
    return out;
  }
  static sim::rabbitmq::RabbitOptions rabbit_options() {
    sim::rabbitmq::RabbitOptions out;
    out.partition_handling = "autoheal";  // as the PowerFlow rabbit image sets it
    return out;
  }
};

struct Overview {
  bool converged = false;  //!< every reconciler Synced and Healthy
  std::string lagging;     //!< the first that is not, and why
  std::map<std::string, std::int64_t> steps;
  bool failed_over = false;  //!< the couchbase plan shows a failed-over node
};

Overview overview_of(const watch::Controller& controller) {
  Overview out;
  out.converged = true;
  const auto status = json::parse(controller.status().status_json());
  for (const auto& entry : status.at("reconcilers").as_array()) {
    const std::string name(entry.at("name").as_string());
    out.steps[name] = entry.at("stepsApplied").to_number<std::int64_t>();
    const bool good = entry.at("sync") == "Synced" && entry.at("health") == "Healthy";
    if (!good && out.converged) {
      out.converged = false;
      out.lagging = name + " " + std::string(entry.at("sync").as_string()) + "/" +
                    std::string(entry.at("health").as_string());
    }
    if (name == "couchbase" && entry.at("plan").is_object()) {
      for (const auto& finding : entry.at("plan").at("findings").as_array()) {
        out.failed_over = out.failed_over || finding.at("code") == "FailedOverNodeAway";
      }
    }
  }
  return out;
}

//! Waits until `done` holds for the controller's status, or `deadline` passes.
template <class Done>
bool wait_for(const watch::Controller& controller, std::chrono::seconds deadline, Done done) {
  const auto until = Clock::now() + deadline;
  while (Clock::now() < until) {
    if (done(overview_of(controller))) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done(overview_of(controller));
}

std::string seconds_since(Clock::time_point start) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s",
                std::chrono::duration<double>(Clock::now() - start).count());
  return text;
}

}  // namespace

int run_demo(const po::variables_map& options, Streams& io) {
  const std::string file = options.count("FILE") > 0
                               ? options["FILE"].as<std::vector<std::string>>().front()
                               : std::string("examples/three-node.yaml");
  const auto document = model::load_document_file(file);
  for (const auto& diagnostic : document.diagnostics) {
    io.err << model::format_diagnostic(diagnostic) << '\n';
  }
  if (!document.ok()) {
    io.err << "swarm-operator demo: " << file << " is not valid (run it from the source tree, "
           << "or give a FILE)\n";
    return 1;
  }
  const auto& desired = document.state;
  const int speed = options["speed"].as<int>();
  if (speed < 1 || speed > 100) {
    io.err << "swarm-operator demo: --speed takes 1 to 100\n";
    return 1;
  }
  const int nodes = static_cast<int>(desired->swarm.nodes.size());
  const auto started = Clock::now();
  io.out << "== a simulated fresh install: " << nodes
         << " swarm nodes, every task on node1, one Couchbase and one RabbitMQ node; the "
            "clock runs "
         << speed << "x\n";
  FastWorld world(nodes, speed);

  auto docker =
      std::make_unique<clients::DockerHttpClient>(std::make_unique<clients::CurlTransport>(
          *clients::parse_docker_host(world.cluster.tcp_address("node1"))));
  auto couchbase = clients::CouchbaseHttpClient::over_curl(
      {*clients::parse_http_url(world.couchbase.endpoints().front())},
      {"Administrator", "password"});
  std::vector<std::unique_ptr<clients::HttpTransport>> rabbit_endpoints;
  for (const auto& url : world.rabbit.urls()) {
    rabbit_endpoints.push_back(std::make_unique<clients::CurlTransport>(
        *clients::parse_http_url(url), clients::BasicAuth{"guest", "guest"}));
  }
  auto rabbit = std::make_unique<clients::RabbitHttpClient>(std::move(rabbit_endpoints));

  watch::ControllerOptions settings;
  settings.file = file;
  settings.resync = std::chrono::seconds(5);
  settings.requeue = std::chrono::milliseconds(200);
  settings.listen = "";
  watch::ControllerClients clients{*docker, nullptr, couchbase.get(), rabbit.get(), {}};
  clients.event_clients.push_back(
      std::make_unique<clients::DockerHttpClient>(std::make_unique<clients::CurlTransport>(
          *clients::parse_docker_host(world.cluster.tcp_address("node1")))));
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(io.out, true);
  auto logger = std::make_shared<spdlog::logger>("demo", sink);
  watch::Controller controller(settings, std::move(clients),
                               watch::WatchLog(watch::LogFormat::kText, logger));
  std::atomic<int> exit_code{-1};
  std::thread running([&] { exit_code = controller.run(false); });
  const auto stop = [&] {
    controller.stop();
    running.join();
  };

  io.out << "== the controller converges the cluster to " << file << "\n";
  const bool converged =
      wait_for(controller, std::chrono::seconds(60), [](const Overview& o) { return o.converged; });
  const auto after_converge = overview_of(controller);
  if (!converged) {
    io.out << "== not converged after 60 s: " << after_converge.lagging << "\n";
    stop();
    return 1;
  }
  io.out << "== converged after " << seconds_since(started) << "\n";

  io.out << "== node3 crashes (its Couchbase, RabbitMQ and gui go with it)\n";
  world.cluster.set_node_down("node3", true);
  world.couchbase.tick();
  const bool failed_over = wait_for(controller, std::chrono::seconds(40),
                                    [](const Overview& o) { return o.failed_over; });
  io.out << (failed_over ? "== Couchbase failed node3's node over by itself; the controller "
                           "waits for it to return\n"
                         : "== Couchbase did not fail node3's node over within 40 s\n");
  io.out << "== node3 comes back\n";
  world.cluster.set_node_down("node3", false);
  world.couchbase.tick();
  const bool healed = wait_for(controller, std::chrono::seconds(60),
                               [](const Overview& o) { return o.converged && !o.failed_over; });
  const auto final_overview = overview_of(controller);
  stop();

  io.out << "\n== summary: " << (healed ? "healed" : "NOT healed: " + final_overview.lagging)
         << " after " << seconds_since(started) << " (" << world.simulated_ms / 1000
         << " s of simulated time)\n";
  for (const auto& [name, count] : final_overview.steps) {
    io.out << "   " << name << ": " << count << " step(s), "
           << count - after_converge.steps.at(name) << " of them after the crash\n";
  }
  const auto violations = world.invariants.violations();
  io.out << "== safety invariants (quorum, no data lost, the data where the operator recorded it, "
            "no Couchbase node stopped while it moves data, never two RabbitMQ nodes down): "
         << world.invariants.checks() << " checks, " << violations.size() << " violation(s)\n";
  for (const auto& violation : violations) {
    io.out << "   " << violation.invariant << ": " << violation.detail << "\n";
  }
  return healed && failed_over && violations.empty() && exit_code == 0 ? 0 : 1;
}

}  // namespace swarmop::cli
