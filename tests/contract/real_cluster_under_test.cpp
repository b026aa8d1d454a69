#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

#include "cluster_under_test.hpp"
#include "swarmop/clients/docker_spec_edit.hpp"

namespace swarmop::contract {

namespace {

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read the swarm harness env file " + path);
  }
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t equals = line.find('=');
    if (equals != std::string::npos && line[0] != '#') {
      out[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }
  return out;
}

// A real swarm brought up by tests/harness/swarm/swarm-up.sh; faults go through swarm-node.sh.
class RealClusterUnderTest final : public ClusterUnderTest {
 public:
  explicit RealClusterUnderTest(const std::string& env_file) : env_(read_env_file(env_file)) {
    nodes_ = std::stoi(env_.at("SWARM_NODES"));
  }

  std::string kind() const override { return "real"; }
  int node_count() const override { return nodes_; }
  std::string engine_address(int k) const override {
    return env_.at("SW" + std::to_string(k) + "_HOST");
  }
  void crash(int k) override { harness("crash", k); }
  void stop(int k) override { harness("stop", k); }
  void start(int k) override { harness("start", k); }
  void partition(int k) override { harness("partition", k); }
  void heal(int k) override { harness("heal", k); }
  void pass_time(std::chrono::milliseconds step) override { std::this_thread::sleep_for(step); }
  std::chrono::seconds failure_deadline() const override { return std::chrono::seconds(45); }

  void reset() override {
    for (int k = 1; k <= nodes_; ++k) {
      harness("heal", k);
      harness("start", k);  // a no-op for a running node
    }
    auto manager = client_for(engine_address(1));
    if (auto services = manager->list_services()) {
      for (const auto& service : *services) {
        if (service.name.rfind("contract-", 0) == 0) {
          (void)manager->remove_service(service.id);
        }
      }
    }
    // Every node ready again, with its role, active, and without the tests' labels.
    const bool settled = wait_until(
        [&] {
          auto nodes = manager->list_nodes();
          if (!nodes) {
            return false;
          }
          bool all_good = true;
          for (const auto& node : *nodes) {
            if (node.state != "ready") {
              // A stale entry left by a leave/re-join test: remove it (demote first if needed).
              if (node.state == "down" && node.role == "manager") {
                (void)manager->update_node(node,
                                           clients::spec_edit::with_role(node.spec, "worker"));
              } else if (node.state == "down") {
                (void)manager->remove_node(node.id, false);
              }
              all_good = false;
              continue;
            }
            restore(*manager, node, all_good);
          }
          return all_good && static_cast<int>(nodes->size()) == nodes_;
        },
        std::chrono::seconds(90));
    if (!settled) {
      throw std::runtime_error("the real swarm did not return to its initial state in 90 s");
    }
  }

 private:
  void restore(clients::DockerClient& manager, const clients::DockerNode& node, bool& all_good) {
    const int k = std::stoi(node.hostname.substr(4));
    const std::string role = env_.at("SW" + std::to_string(k) + "_ROLE");
    std::vector<std::string> test_labels;
    for (const auto& [key, _] : node.labels) {
      if (key.rfind("contract.", 0) == 0) {
        test_labels.push_back(key);
      }
    }
    if (node.role == role && node.availability == "active" && test_labels.empty()) {
      return;
    }
    auto spec = clients::spec_edit::with_labels(
        clients::spec_edit::with_availability(clients::spec_edit::with_role(node.spec, role),
                                              "active"),
        {}, test_labels);
    (void)manager.update_node(node, spec);
    all_good = false;
  }

  void harness(const std::string& action, int k) const {
    const std::string command =
        "SWARMOP_SWARM_BASE='" + env_.at("SWARM_BASE") + "' '" + std::string(SWARMOP_SOURCE_DIR) +
        "/tests/harness/swarm/swarm-node.sh' " + action + " " + std::to_string(k) + " >/dev/null";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("swarm-node.sh " + action + " " + std::to_string(k) + " failed");
    }
  }

  std::map<std::string, std::string> env_;
  int nodes_ = 0;
};

}  // namespace

std::unique_ptr<ClusterUnderTest> make_real_cluster(const std::string& env_file) {
  return std::make_unique<RealClusterUnderTest>(env_file);
}

}  // namespace swarmop::contract
