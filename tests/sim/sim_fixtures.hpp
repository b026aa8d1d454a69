#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "swarmop/sim/swarm_world.hpp"

//! Small builders shared by the simulator's tests.
namespace swarmop::sim::testing {

//! A world on a manual clock: node1..node<managers> managers (node1 leads), then workers.
struct TestWorld {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<SwarmWorld> world;

  explicit TestWorld(int managers, int workers, WorldOptions options = {}) {
    world = std::make_unique<SwarmWorld>(clock, options);
    for (int i = 1; i <= managers + workers; ++i) {
      world->add_host("node" + std::to_string(i));
    }
    world->init_swarm("node1");
    for (int i = 2; i <= managers + workers; ++i) {
      world->join_directly("node" + std::to_string(i), i <= managers ? "manager" : "worker");
    }
  }
  void advance(double seconds) {
    clock->advance(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
    world->tick();
  }
  std::string node_id(const std::string& hostname) const { return world->host(hostname)->node_id; }
  std::uint64_t node_version(const std::string& hostname) {
    return world->inspect_node(hostname).body.at("Version").at("Index").to_number<std::uint64_t>();
  }
  std::uint64_t service_version(const std::string& name) {
    return world->inspect_service(name).body.at("Version").at("Index").to_number<std::uint64_t>();
  }
  boost::json::object service_spec(const std::string& name) {
    return world->inspect_service(name).body.at("Spec").as_object();
  }
  //! Sets labels (keeping role and availability) through the API, as a client would.
  void set_labels(const std::string& hostname, const boost::json::object& labels) {
    auto node = world->inspect_node(hostname).body.as_object();
    auto spec = node.at("Spec").as_object();
    spec["Labels"] = labels;
    auto reply = world->update_node(hostname, std::to_string(node_version(hostname)),
                                    boost::json::serialize(spec));
    if (!reply.ok()) {
      throw std::runtime_error(reply.message());
    }
  }
  void set_availability(const std::string& hostname, const std::string& availability) {
    auto spec = world->inspect_node(hostname).body.at("Spec").as_object();
    spec["Availability"] = availability;
    auto reply = world->update_node(hostname, std::to_string(node_version(hostname)),
                                    boost::json::serialize(spec));
    if (!reply.ok()) {
      throw std::runtime_error(reply.message());
    }
  }
  ApiReply update_spec(const std::string& name,
                       const std::function<void(boost::json::object&)>& edit) {
    auto spec = service_spec(name);
    edit(spec);
    return world->update_service(name, std::to_string(service_version(name)),
                                 boost::json::serialize(spec));
  }
};

//! A ServiceSpec like the reference's gui: busybox, grace 2 s, restart delay 1 s.
inline boost::json::object service_spec(const std::string& name, int replicas,
                                        std::vector<std::string> constraints = {},
                                        int max_replicas = 0) {
  boost::json::array constraint_list;
  for (auto& c : constraints) {
    constraint_list.emplace_back(c);
  }
  boost::json::object placement{{"Constraints", constraint_list}};
  if (max_replicas > 0) {
    placement["MaxReplicas"] = max_replicas;
  }
  return boost::json::object{
      {"Name", name},
      {"Labels", boost::json::object{{"app", name}}},
      {"TaskTemplate",
       boost::json::object{
           {"ContainerSpec",
            boost::json::object{{"Image", "local/busybox:1"},
                                {"Command", boost::json::array{"/bin/sleep", "3600"}},
                                {"StopGracePeriod", 2'000'000'000}}},
           {"RestartPolicy",
            boost::json::object{
                {"Condition", "any"}, {"Delay", 1'000'000'000}, {"MaxAttempts", 0}}},
           {"Placement", placement}}},
      {"Mode", boost::json::object{{"Replicated", boost::json::object{{"Replicas", replicas}}}}},
      {"UpdateConfig",
       boost::json::object{
           {"Parallelism", 1}, {"FailureAction", "pause"}, {"Order", "stop-first"}}}};
}

//! Polls `condition` until it holds or `timeout` passes (wall time): for real threads only.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace swarmop::sim::testing
