#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "swarmop/clients/docker_types.hpp"
#include "swarmop/model/expected.hpp"

namespace swarmop::clients {

//! The Docker Engine API as a Swarm controller needs it. One instance talks to one engine.
//! Errors: kConflict for a stale version ("update out of sequence") or a name that already
//! exists, kNotFound, kInvalid for refused requests (4xx, not a manager, not in a swarm),
//! kTransient for transport failures and 5xx. Reads may be retried inside a call; writes never.
class DockerClient {
 public:
  virtual ~DockerClient() = default;

  virtual model::Expected<EngineVersion> version() = 0;
  virtual model::Expected<EngineInfo> info() = 0;
  virtual model::Expected<SwarmInfo> inspect_swarm() = 0;

  virtual model::Expected<std::vector<DockerNode>> list_nodes() = 0;
  virtual model::Expected<DockerNode> inspect_node(const std::string& id_or_name) = 0;
  //! Sends `spec` (a full NodeSpec) with the version the node was read at.
  virtual model::Expected<model::Unit> update_node(const DockerNode& node,
                                                   const boost::json::object& spec) = 0;
  virtual model::Expected<model::Unit> remove_node(const std::string& id, bool force) = 0;

  virtual model::Expected<std::vector<DockerService>> list_services() = 0;
  virtual model::Expected<DockerService> inspect_service(const std::string& id_or_name) = 0;
  //! Sends `spec` (a full ServiceSpec) with the version the service was read at.
  virtual model::Expected<model::Unit> update_service(const DockerService& service,
                                                      const boost::json::object& spec) = 0;
  //! Returns the new service's ID.
  virtual model::Expected<std::string> create_service(const boost::json::object& spec) = 0;
  virtual model::Expected<model::Unit> remove_service(const std::string& id_or_name) = 0;

  virtual model::Expected<std::vector<DockerTask>> list_tasks(const TaskFilter& filter) = 0;

  //! Join and leave act on the engine this client talks to (a node's own endpoint).
  virtual model::Expected<model::Unit> join_swarm(const JoinRequest& request) = 0;
  virtual model::Expected<model::Unit> leave_swarm(bool force) = 0;

  //! Streams node and service events until `on_event` returns false, `cancel` is set or the
  //! connection ends. `since`/`until` (unix seconds, 0 for none) replay past events.
  virtual model::Expected<model::Unit> events(
      std::int64_t since, std::int64_t until,
      const std::function<bool(const DockerEvent&)>& on_event, const std::atomic<bool>* cancel) = 0;

  virtual std::string display() const = 0;
};

using DockerClientPtr = std::unique_ptr<DockerClient>;

}  // namespace swarmop::clients
