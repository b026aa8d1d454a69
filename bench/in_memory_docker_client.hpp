#pragma once

#include "swarmop/clients/docker_client.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"

//! A manager's API answered from memory: lists return the synthetic cluster, writes succeed and
//! change nothing. Wrapped in CountingDockerClient it shows how many calls a pass makes, with no
//! network time in the measurement.
namespace swarmop::bench {

class InMemoryDockerClient final : public clients::DockerClient {
 public:
  explicit InMemoryDockerClient(const reconcilers::SwarmObservation& cluster) : cluster_(cluster) {}

  model::Expected<clients::EngineVersion> version() override {
    return clients::EngineVersion{"1.41", "1.12", "20.10.24+dfsg1"};
  }
  model::Expected<clients::EngineInfo> info() override {
    clients::EngineInfo out;
    out.local_node_state = "active";
    out.control_available = true;
    return out;
  }
  model::Expected<clients::SwarmInfo> inspect_swarm() override { return clients::SwarmInfo{}; }
  model::Expected<std::vector<clients::DockerNode>> list_nodes() override { return cluster_.nodes; }
  model::Expected<clients::DockerNode> inspect_node(const std::string& id) override {
    for (const auto& node : cluster_.nodes) {
      if (node.id == id || node.hostname == id) {
        return node;
      }
    }
    return not_found(id);
  }
  model::Expected<model::Unit> update_node(const clients::DockerNode&,
                                           const boost::json::object&) override {
    return model::Unit{};
  }
  model::Expected<model::Unit> remove_node(const std::string&, bool) override {
    return model::Unit{};
  }
  model::Expected<std::vector<clients::DockerService>> list_services() override {
    return cluster_.services;
  }
  model::Expected<clients::DockerService> inspect_service(const std::string& id) override {
    for (const auto& service : cluster_.services) {
      if (service.id == id || service.name == id) {
        return service;
      }
    }
    return not_found(id);
  }
  model::Expected<model::Unit> update_service(const clients::DockerService&,
                                              const boost::json::object&) override {
    return model::Unit{};
  }
  model::Expected<std::string> create_service(const boost::json::object&) override {
    return std::string("created");
  }
  model::Expected<model::Unit> remove_service(const std::string&) override { return model::Unit{}; }
  //! The synthetic cluster holds only running tasks, which is what the pass asks for.
  model::Expected<std::vector<clients::DockerTask>> list_tasks(
      const clients::TaskFilter&) override {
    return cluster_.tasks;
  }
  model::Expected<model::Unit> join_swarm(const clients::JoinRequest&) override {
    return model::Unit{};
  }
  model::Expected<model::Unit> leave_swarm(bool) override { return model::Unit{}; }
  model::Expected<model::Unit> events(std::int64_t, std::int64_t,
                                      const std::function<bool(const clients::DockerEvent&)>&,
                                      const std::atomic<bool>*) override {
    return model::Unit{};
  }
  std::string display() const override { return "docker in-memory"; }

 private:
  static model::Error not_found(const std::string& id) {
    model::Error error;
    error.code = model::ErrorCode::kNotFound;
    error.message = id + " not found";
    return error;
  }

  const reconcilers::SwarmObservation& cluster_;
};

}  // namespace swarmop::bench
