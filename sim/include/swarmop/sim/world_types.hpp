#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/sim/clock.hpp"

//! The simulated cluster's objects, as the engine stores them. Field names follow the Engine
//! API so that the JSON rendering is a plain mapping.
namespace swarmop::sim {

//! A machine with a Docker engine. It outlives its swarm node entries: a re-join gives the
//! same host a new node ID, and the old entry stays in the cluster until it is removed.
struct Host {
  std::string hostname;
  std::string addr;                      //!< "10.231.0.11"
  std::string local_state = "inactive";  //!< inactive, pending, active
  std::string node_id;                   //!< the node entry this engine believes it is
  std::string error;                     //!< /info Swarm.Error
  bool engine_up = true;                 //!< false: the daemon is dead (a "down" fault)
  bool partitioned = false;              //!< cut off from the cluster, still answers locally
};

//! A swarm node entry (GET /nodes).
struct Node {
  std::string id;
  std::uint64_t version = 0;
  UnixNanos created_at = 0;
  UnixNanos updated_at = 0;
  std::string hostname;  //!< the host that joined as this node
  std::string role;      //!< manager, worker (Spec.Role)
  std::string availability = "active";
  std::map<std::string, std::string> labels;
  std::optional<std::string> name;  //!< Spec.Name, kept when a client sends it
  std::string state = "ready";      //!< ready, down, unknown
  std::string message;              //!< "heartbeat failure" when down
  std::string addr;
  bool raft_member = false;  //!< managers: a member of the raft until demoted
  bool leader = false;
  std::string reachability;                //!< reachable, unreachable (managers only)
  std::optional<UnixNanos> down_deadline;  //!< when a silent node will be declared down
};

struct UpdateState {
  std::string state;  //!< updating, completed
  std::string message;
  UnixNanos started_at = 0;
  std::optional<UnixNanos> completed_at;
};

//! A rolling update in progress: the slots still to replace, one batch at a time.
struct Rollout {
  std::vector<std::uint64_t> dirty_slots;     //!< replicated: slots; global: none
  std::vector<std::uint64_t> replaced_slots;  //!< slots every batch so far has replaced
  std::uint64_t generation = 0;               //!< timers of a superseded rollout do nothing
};

struct Service {
  std::string id;
  std::uint64_t version = 0;
  UnixNanos created_at = 0;
  UnixNanos updated_at = 0;
  boost::json::object spec;  //!< the stored ServiceSpec, returned unchanged
  std::optional<boost::json::object> previous_spec;
  std::optional<UpdateState> update_status;
  std::optional<Rollout> rollout;
  //! Slots that must stay empty until then: a stopping task's grace period, or the restart
  //! delay after a rejection.
  std::map<std::uint64_t, UnixNanos> slot_blocked_until;
};

struct Task {
  std::string id;
  std::uint64_t version = 0;
  UnixNanos created_at = 0;
  UnixNanos updated_at = 0;
  std::string service_id;
  std::uint64_t slot = 0;    //!< 0 for global services
  std::string node_id;       //!< empty while pending (global: the node it is for)
  boost::json::object spec;  //!< a copy of the service's TaskTemplate
  std::string desired_state = "running";
  std::string state = "pending";
  std::string message = "pending task scheduling";
  std::string err;
  UnixNanos status_time = 0;
  std::string container_id;
  std::int64_t pid = 0;
  bool global_task = false;
  //! The DataCopy::id of the service's local data this task started on; 0: none (no local
  //! mounts, or never started).
  std::uint64_t data_copy = 0;
};

struct Event {
  std::string type;    //!< node, service
  std::string action;  //!< create, update, remove
  std::string actor_id;
  std::map<std::string, std::string> attributes;
  UnixNanos time = 0;
};

}  // namespace swarmop::sim
