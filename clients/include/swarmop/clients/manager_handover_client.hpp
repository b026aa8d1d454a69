#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "swarmop/clients/docker_client.hpp"

namespace swarmop::clients {

//! The Docker client apply and watch talk to the swarm through: one manager's engine, until a
//! membership step is about to take that manager away (a demotion, a leave) and the operator
//! hands over to another manager first. Every call goes to the manager of the moment. Clients
//! handed over from are kept alive, since a call on another thread may still be using one.
class ManagerHandoverClient final : public DockerClient {
 public:
  explicit ManagerHandoverClient(DockerClient& first) : current_(&first) {}

  //! From now on every call goes to `next`.
  void hand_over(DockerClientPtr next) {
    std::lock_guard lock(mutex_);
    kept_.push_back(std::move(next));
    current_ = kept_.back().get();
  }

  model::Expected<EngineVersion> version() override { return current().version(); }
  model::Expected<EngineInfo> info() override { return current().info(); }
  model::Expected<SwarmInfo> inspect_swarm() override { return current().inspect_swarm(); }
  model::Expected<std::vector<DockerNode>> list_nodes() override { return current().list_nodes(); }
  model::Expected<DockerNode> inspect_node(const std::string& id) override {
    return current().inspect_node(id);
  }
  model::Expected<model::Unit> update_node(const DockerNode& node,
                                           const boost::json::object& spec) override {
    return current().update_node(node, spec);
  }
  model::Expected<model::Unit> remove_node(const std::string& id, bool force) override {
    return current().remove_node(id, force);
  }
  model::Expected<std::vector<DockerService>> list_services() override {
    return current().list_services();
  }
  model::Expected<DockerService> inspect_service(const std::string& id) override {
    return current().inspect_service(id);
  }
  model::Expected<model::Unit> update_service(const DockerService& service,
                                              const boost::json::object& spec) override {
    return current().update_service(service, spec);
  }
  model::Expected<std::string> create_service(const boost::json::object& spec) override {
    return current().create_service(spec);
  }
  model::Expected<model::Unit> remove_service(const std::string& id) override {
    return current().remove_service(id);
  }
  model::Expected<std::vector<DockerTask>> list_tasks(const TaskFilter& filter) override {
    return current().list_tasks(filter);
  }
  model::Expected<model::Unit> join_swarm(const JoinRequest& request) override {
    return current().join_swarm(request);
  }
  model::Expected<model::Unit> leave_swarm(bool force) override {
    return current().leave_swarm(force);
  }
  model::Expected<model::Unit> events(std::int64_t since, std::int64_t until,
                                      const std::function<bool(const DockerEvent&)>& on_event,
                                      const std::atomic<bool>* cancel) override {
    return current().events(since, until, on_event, cancel);
  }
  std::string display() const override { return current().display(); }

 private:
  DockerClient& current() const {
    std::lock_guard lock(mutex_);
    return *current_;
  }

  mutable std::mutex mutex_;
  DockerClient* current_;
  std::vector<DockerClientPtr> kept_;
};

}  // namespace swarmop::clients
