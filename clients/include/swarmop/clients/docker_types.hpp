#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/clients/secret.hpp"

//! What the Docker Engine API returns, reduced to what the operator reads, plus the raw JSON
//! where the operator writes the object back (node and service specs), so that fields this
//! project does not know are sent back unchanged.
namespace swarmop::clients {

struct EngineVersion {
  std::string api_version;      //!< the engine's newest API, "1.41"
  std::string min_api_version;  //!< its oldest
  std::string engine_version;   //!< "20.10.24+dfsg1"
};

//! GET /info .Swarm: the engine's own view of its membership (works on workers too).
struct EngineInfo {
  std::string name;  //!< hostname
  std::string node_id;
  std::string node_addr;
  std::string local_node_state;    //!< inactive, pending, active, error, locked
  bool control_available = false;  //!< true on managers
  std::string error;
  std::vector<std::string> remote_manager_addrs;
  //! The engine's clock (SystemTime), seconds since the epoch: compared with task timestamps,
  //! which come from the same swarm, rather than with the controller's own clock.
  std::optional<std::int64_t> system_time;
};

struct SwarmInfo {
  std::string id;
  std::uint64_t version = 0;
  Secret worker_join_token;
  Secret manager_join_token;
};

struct DockerNode {
  std::string id;
  std::uint64_t version = 0;
  std::string hostname;
  std::string role;          //!< manager, worker
  std::string availability;  //!< active, pause, drain
  std::map<std::string, std::string> labels;
  std::string state;  //!< ready, down, unknown, disconnected
  std::string state_message;
  std::string addr;
  std::optional<std::string> manager_reachability;  //!< reachable, unreachable, unknown
  bool leader = false;
  std::string manager_addr;  //!< "10.0.0.1:2377", for join requests
  std::string engine_version;
  boost::json::object spec;  //!< Spec as the engine returned it
};

struct UpdateStatus {
  std::string state;  //!< updating, paused, completed, rollback_started, rollback_paused,
                      //!< rollback_completed
  std::string message;
};

struct DockerService {
  std::string id;
  std::uint64_t version = 0;
  std::string name;
  std::string mode;  //!< replicated, global, replicated-job, global-job
  std::optional<std::uint64_t> replicas;
  std::vector<std::string> constraints;
  std::vector<std::string> spread_preferences;  //!< node.labels.KEY descriptors
  std::uint64_t max_replicas = 0;               //!< 0: no limit
  std::uint64_t force_update = 0;
  std::string image;
  std::map<std::string, std::string> env;
  std::optional<UpdateStatus> update_status;
  std::optional<std::uint64_t> running_tasks;  //!< with ?status=true
  std::optional<std::uint64_t> desired_tasks;
  boost::json::object spec;  //!< Spec as the engine returned it
};

struct DockerTask {
  std::string id;
  std::string service_id;
  std::string node_id;  //!< empty while pending
  std::uint64_t slot = 0;
  std::string desired_state;
  std::string state;  //!< new, pending, assigned, ..., running, shutdown, rejected, failed
  std::string message;
  std::string err;
  std::uint64_t force_update = 0;
  //! When the task entered its current state (Status.Timestamp), seconds since the epoch on
  //! the managers' clock; nullopt when absent.
  std::optional<std::int64_t> status_time;
};

struct TaskFilter {
  std::vector<std::string> services;  //!< names or IDs
  std::vector<std::string> nodes;
  std::vector<std::string> desired_states;  //!< "running", "shutdown", "accepted"
};

struct DockerEvent {
  std::string type;    //!< node, service
  std::string action;  //!< create, update, remove
  std::string actor_id;
  std::map<std::string, std::string> attributes;
  std::int64_t time = 0;       //!< seconds
  std::int64_t time_nano = 0;  //!< nanoseconds
};

struct JoinRequest {
  std::string listen_addr = "0.0.0.0:2377";
  std::string advertise_addr;  //!< empty: let the engine choose
  std::vector<std::string> remote_addrs;
  Secret join_token;
};

}  // namespace swarmop::clients
