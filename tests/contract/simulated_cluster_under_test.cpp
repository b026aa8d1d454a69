#include <thread>

#include "cluster_under_test.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

namespace swarmop::contract {

namespace {

constexpr int kNodes = 5;

// Five hosts like the real harness: node1-3 managers (node1 leads), node4-5 workers.
std::unique_ptr<sim::SimulatedCluster> build_swarm() {
  sim::ClusterOptions options;
  options.manual_clock = true;
  return std::make_unique<sim::SimulatedCluster>(options, [](sim::SwarmWorld& world) {
    for (int k = 1; k <= kNodes; ++k) {
      world.add_host("node" + std::to_string(k), "10.231.0.1" + std::to_string(k));
    }
    world.init_swarm("node1");
    for (int k = 2; k <= kNodes; ++k) {
      world.join_directly("node" + std::to_string(k), k <= 3 ? "manager" : "worker");
    }
  });
}

class SimulatedClusterUnderTest final : public ClusterUnderTest {
 public:
  SimulatedClusterUnderTest() : sim_(build_swarm()) {}

  std::string kind() const override { return "sim"; }
  int node_count() const override { return kNodes; }
  std::string engine_address(int k) const override {
    // Both transports are exercised: managers over unix sockets, workers over TCP.
    const std::string host = "node" + std::to_string(k);
    return k <= 3 ? sim_->unix_address(host) : sim_->tcp_address(host);
  }
  void crash(int k) override { sim_->set_node_down(host(k), true); }
  void stop(int k) override { sim_->set_node_down(host(k), true); }
  void start(int k) override { sim_->set_node_down(host(k), false); }
  void partition(int k) override { sim_->set_partitioned(host(k), true); }
  void heal(int k) override { sim_->set_partitioned(host(k), false); }
  // Simulated time jumps, but the engines' threads (streams, the unix socket proxy) still need
  // a little wall time to act on it.
  void pass_time(std::chrono::milliseconds step) override {
    sim_->advance(step);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::chrono::seconds failure_deadline() const override { return std::chrono::seconds(40); }
  void reset() override {
    sim_->stop();
    sim_ = build_swarm();
  }

 private:
  static std::string host(int k) { return "node" + std::to_string(k); }
  std::unique_ptr<sim::SimulatedCluster> sim_;
};

}  // namespace

std::unique_ptr<ClusterUnderTest> make_simulated_cluster() {
  return std::make_unique<SimulatedClusterUnderTest>();
}

}  // namespace swarmop::contract
