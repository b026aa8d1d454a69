// Issue #7's numbers, printed: the API calls and the simulated time of the full three-node
// Couchbase scale-out (the simulated fresh install converged to examples/three-node.yaml), and
// the reads of an in-sync RabbitMQ pass as the number of queues grows. Counts, not timings:
// they do not depend on the machine. Run: build/bench/swarmop_data_bench
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "apply/converge.hpp"
#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/clients/counting_couchbase_client.hpp"
#include "swarmop/clients/counting_docker_client.hpp"
#include "swarmop/clients/counting_rabbitmq_client.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/model/document_loader.hpp"
#include "swarmop/reconcilers/rabbitmq_io.hpp"
#include "swarmop/reconcilers/swarm_io.hpp"
#include "swarmop/sim/couchbase/fresh_install.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

namespace swarmop::bench {
namespace {

using Clock = std::chrono::steady_clock;

clients::DockerClientPtr docker_at(const std::string& address) {
  return std::make_unique<clients::DockerHttpClient>(
      std::make_unique<clients::CurlTransport>(*clients::parse_docker_host(address)));
}

model::DesiredState three_node_example() {
  auto document =
      model::load_document_file(std::string(SWARMOP_SOURCE_DIR) + "/examples/three-node.yaml");
  if (!document.ok()) {
    std::fprintf(stderr, "examples/three-node.yaml does not load\n");
    std::exit(2);
  }
  return *document.state;
}

bool couchbase_scale_out() {
  sim::couchbase::FreshInstall fresh(3);
  auto docker = docker_at(fresh.manager_address());
  clients::CountingDockerClient counted_docker(*docker);
  auto couchbase = clients::CouchbaseHttpClient::over_curl(
      {*clients::parse_http_url(fresh.couchbase().endpoints().front())},
      {"Administrator", "password"});
  clients::CountingCouchbaseClient counted_couchbase(*couchbase);
  auto desired = three_node_example();
  desired.rabbitmq.reset();

  controller::ConvergeOptions options;
  options.timeout = std::chrono::minutes(5);
  options.poll = std::chrono::seconds(1);
  controller::ClusterClients clients{counted_docker, nullptr, nullptr, &counted_couchbase};
  std::map<std::string, int> steps;
  std::vector<std::string> couchbase_steps;
  const auto started = Clock::now();
  const auto result = controller::converge(
      desired, clients, options,
      [&](const controller::StepReport& report) {
        ++steps[report.step.reconciler];
        if (report.step.reconciler == "couchbase") {
          char at[32];
          std::snprintf(at, sizeof at, "%4.0f s  ",
                        std::chrono::duration<double>(fresh.simulated()).count());
          couchbase_steps.push_back(at + report.step.action + " " + report.step.object);
        }
      },
      [&](std::chrono::milliseconds pause) { fresh.advance(pause); });
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);

  std::printf("Couchbase scale-out: simulated fresh install -> examples/three-node.yaml\n");
  std::printf(
      "  (the swarm part too: node roles, labels, placement; polls every 1 s of "
      "simulated time while waiting)\n");
  std::printf("  %-28s %s\n", "outcome",
              result.outcome == controller::ConvergeOutcome::kInSync ? "in sync" : "NOT IN SYNC");
  std::printf("  couchbase steps, at simulated time:\n");
  for (const auto& line : couchbase_steps) {
    std::printf("    %s\n", line.c_str());
  }
  for (const auto& [reconciler, count] : steps) {
    std::printf("  %-28s %d\n", ("steps: " + reconciler).c_str(), count);
  }
  std::printf("  %-28s %.0f s\n", "simulated time",
              std::chrono::duration<double>(fresh.simulated()).count());
  std::printf("  %-28s %lld ms\n", "wall time", static_cast<long long>(wall.count()));
  std::printf("  %-28s %llu reads, %llu writes\n", "Docker API calls",
              static_cast<unsigned long long>(counted_docker.reads()),
              static_cast<unsigned long long>(counted_docker.writes()));
  std::printf("  %-28s %llu reads, %llu writes\n\n", "Couchbase API calls",
              static_cast<unsigned long long>(counted_couchbase.reads()),
              static_cast<unsigned long long>(counted_couchbase.writes()));
  return result.outcome == controller::ConvergeOutcome::kInSync;
}

//! Reads of one in-sync RabbitMQ observation for 10, 100 and 1,000 queues; true when constant.
bool rabbitmq_reads_per_pass() {
  sim::SimulatedCluster cluster(sim::ClusterOptions{}, [](sim::SwarmWorld& world) {
    sim::install_default_world(world, sim::DefaultWorldOptions{3, 0, "iservices"});
    sim::rabbitmq::add_rabbit_services(world, 3);
  });
  sim::rabbitmq::RabbitSimulator rabbit(cluster.world());
  for (int i = 0; i < 100 && rabbit.node_names().size() < 3; ++i) {
    cluster.advance(std::chrono::seconds(1));
    rabbit.sync();
  }
  std::vector<std::unique_ptr<clients::HttpTransport>> endpoints;
  for (const auto& url : rabbit.urls()) {
    endpoints.push_back(std::make_unique<clients::CurlTransport>(
        *clients::parse_http_url(url), clients::BasicAuth{"guest", "guest"}));
  }
  auto client = std::make_unique<clients::RabbitHttpClient>(std::move(endpoints));
  const auto policy = reconcilers::desired_policy(model::HaPolicy{});
  if (!client->put_policy(policy)) {
    std::fprintf(stderr, "could not write the ha-all policy\n");
    return false;
  }
  httplib::Client http(rabbit.urls().front());
  http.set_basic_auth("guest", "guest");

  std::printf("RabbitMQ in-sync pass (3 nodes, ha-all in place): reads by queue count\n");
  std::printf("  %8s %8s %8s %14s\n", "queues", "reads", "writes", "HA steps");
  std::vector<std::uint64_t> reads;
  int declared = 0;
  for (const int queues : {10, 100, 1000}) {
    for (; declared < queues; ++declared) {
      http.Put("/api/queues/%2F/q" + std::to_string(declared), "{\"durable\":true}",
               "application/json");
    }
    rabbit.sync();
    clients::CountingRabbitClient counted(*client);
    const auto observed = reconcilers::observe_rabbitmq(counted, "/");
    std::size_t unsynchronised = 0;
    for (const auto& queue : observed.queues) {
      unsynchronised += queue.unsynchronised_mirrors().empty() ? 0 : 1;
    }
    reads.push_back(counted.reads());
    std::printf("  %8zu %8llu %8llu %14s\n", observed.queues.size(),
                static_cast<unsigned long long>(counted.reads()),
                static_cast<unsigned long long>(counted.writes()),
                unsynchronised == 0 ? "none" : "SYNC NEEDED");
  }
  rabbit.stop();
  const bool constant = reads[0] == reads[1] && reads[1] == reads[2];
  std::printf(
      "%s  reads per in-sync pass constant (%llu, %llu, %llu): one list call for the "
      "queues, not one per queue\n",
      constant ? "PASS" : "FAIL", static_cast<unsigned long long>(reads[0]),
      static_cast<unsigned long long>(reads[1]), static_cast<unsigned long long>(reads[2]));
  return constant;
}

}  // namespace
}  // namespace swarmop::bench

int main() {
  const bool converged = swarmop::bench::couchbase_scale_out();
  const bool constant = swarmop::bench::rabbitmq_reads_per_pass();
  return converged && constant ? 0 : 1;
}
