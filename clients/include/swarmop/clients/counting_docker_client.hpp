#pragma once

#include <atomic>

#include "swarmop/clients/call_counter.hpp"
#include "swarmop/clients/docker_client.hpp"

namespace swarmop::clients {

//! Counts the calls made through another DockerClient: reads (GET) and writes, so that `apply`
//! can say a converged cluster saw no writes and benchmarks can show a pass's read count does
//! not grow with the cluster.
class CountingDockerClient final : public DockerClient, public CallCounter {
 public:
  explicit CountingDockerClient(DockerClient& inner) : inner_(inner) {}

  model::Expected<EngineVersion> version() override { return read(inner_.version()); }
  model::Expected<EngineInfo> info() override { return read(inner_.info()); }
  model::Expected<SwarmInfo> inspect_swarm() override { return read(inner_.inspect_swarm()); }
  model::Expected<std::vector<DockerNode>> list_nodes() override {
    return read(inner_.list_nodes());
  }
  model::Expected<DockerNode> inspect_node(const std::string& id) override {
    return read(inner_.inspect_node(id));
  }
  model::Expected<model::Unit> update_node(const DockerNode& node,
                                           const boost::json::object& spec) override {
    return write(inner_.update_node(node, spec));
  }
  model::Expected<model::Unit> remove_node(const std::string& id, bool force) override {
    return write(inner_.remove_node(id, force));
  }
  model::Expected<std::vector<DockerService>> list_services() override {
    return read(inner_.list_services());
  }
  model::Expected<DockerService> inspect_service(const std::string& id) override {
    return read(inner_.inspect_service(id));
  }
  model::Expected<model::Unit> update_service(const DockerService& service,
                                              const boost::json::object& spec) override {
    return write(inner_.update_service(service, spec));
  }
  model::Expected<std::string> create_service(const boost::json::object& spec) override {
    return write(inner_.create_service(spec));
  }
  model::Expected<model::Unit> remove_service(const std::string& id) override {
    return write(inner_.remove_service(id));
  }
  model::Expected<std::vector<DockerTask>> list_tasks(const TaskFilter& filter) override {
    return read(inner_.list_tasks(filter));
  }
  model::Expected<model::Unit> join_swarm(const JoinRequest& request) override {
    return write(inner_.join_swarm(request));
  }
  model::Expected<model::Unit> leave_swarm(bool force) override {
    return write(inner_.leave_swarm(force));
  }
  model::Expected<model::Unit> events(std::int64_t since, std::int64_t until,
                                      const std::function<bool(const DockerEvent&)>& on_event,
                                      const std::atomic<bool>* cancel) override {
    return read(inner_.events(since, until, on_event, cancel));
  }
  std::string display() const override { return inner_.display(); }

 private:
  DockerClient& inner_;
};

}  // namespace swarmop::clients
