#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "swarmop/sim/api_reply.hpp"
#include "swarmop/sim/clock.hpp"
#include "swarmop/sim/data_placement.hpp"
#include "swarmop/sim/event_log.hpp"
#include "swarmop/sim/world_types.hpp"

namespace swarmop::sim {

//! Simulated durations. Defaults are what the real engine showed (reference §1, §3, §4).
struct WorldOptions {
  //! A silent node is declared down this long after it went silent (real: 9-14 s).
  std::chrono::nanoseconds heartbeat_delay = std::chrono::seconds(12);
  //! A join whose remote manager cannot be reached answers 503 after this long.
  std::chrono::nanoseconds join_timeout = std::chrono::seconds(20);
  //! UpdateConfig.Monitor default: a rolling update waits this long after each batch.
  std::chrono::nanoseconds update_monitor = std::chrono::seconds(5);
  //! Seeds IDs, tokens and container IDs, so a test world is the same on every run.
  std::uint64_t seed = 1;
};

//! The state of one simulated Docker Swarm: hosts (engines), node entries, services, tasks,
//! a scheduler, rolling updates and the event log. Thread-safe: every public method takes the
//! world's lock. Time-driven changes (heartbeat failures, rolling update batches, restart
//! delays) happen when the clock passes their due time and someone calls tick() or any other
//! method, each applied at its own due time so that versions and events come in order.
//!
//! The Engine API methods take and return what the HTTP API carries (JSON text in, status and
//! JSON out) with the engine's exact messages; the HTTP layer only routes.
class SwarmWorld {
 public:
  explicit SwarmWorld(std::shared_ptr<Clock> clock, WorldOptions options = {});
  ~SwarmWorld();
  SwarmWorld(const SwarmWorld&) = delete;
  SwarmWorld& operator=(const SwarmWorld&) = delete;

  // --- Building a world (C++ only) -------------------------------------------------------
  //! A machine with a running engine, not in a swarm. `addr` defaults to 10.231.0.(10+n).
  void add_host(const std::string& hostname, const std::string& addr = "");
  //! `docker swarm init` on the host: the first manager and leader. Returns its node ID.
  std::string init_swarm(const std::string& hostname);
  //! Joins the host without tokens or network (setup shortcut). Returns the node ID.
  std::string join_directly(const std::string& hostname, const std::string& role);
  //! Creates a service from a ServiceSpec; returns the ID (throws std::runtime_error on error).
  std::string create_service_directly(const boost::json::object& spec);

  // --- Faults and time --------------------------------------------------------------------
  //! The host's daemon dies (false) or starts again (true).
  void set_engine_up(const std::string& hostname, bool up);
  //! The host loses (true) or regains (false) the network to the rest of the cluster.
  void set_partitioned(const std::string& hostname, bool partitioned);
  //! Applies every time-driven change that is due by the clock's current time.
  void tick();
  //! Blocks (without the lock) until the clock reaches `deadline` or shutdown(). Returns false
  //! on shutdown.
  bool wait_for_time(UnixNanos deadline);
  //! Ends waits and event streams.
  void shutdown();
  bool is_shut_down() const;

  // --- Observation (C++ only) ----------------------------------------------------------------
  std::vector<std::string> hostnames() const;
  std::optional<Host> host(const std::string& hostname) const;
  std::vector<Node> nodes() const;
  std::vector<Service> services() const;
  std::vector<Task> tasks() const;
  //! Running tasks (desired running, state running) of a service by hostname.
  std::map<std::string, int> running_by_host(const std::string& service_name) const;
  //! Tasks of a service that want to run but have no node, with their Err.
  std::vector<Task> pending_tasks(const std::string& service_name) const;
  std::uint64_t raft_index() const;
  std::string worker_join_token() const;
  std::string manager_join_token() const;
  //! Hosts, nodes, services, tasks, timers: for GET /_sim/state.
  boost::json::value state_json() const;
  EventLog& events() { return events_; }
  Clock& clock() { return *clock_; }
  const WorldOptions& options() const { return options_; }

  // --- Where data lives (data_placement.hpp) ------------------------------------------------
  //! True when the host has a copy of the service's local data (bind mounts, `local`
  //! volumes), the current one or an older one, or when the service has no local mounts.
  bool holds_data(const std::string& service_name, const std::string& hostname) const;
  //! Where the service's data lives: each host's copy and which one is in use. nullopt when
  //! no task of it has started yet, or it has no mounts.
  std::optional<ServiceData> data_of(const std::string& service_name) const;
  //! A simulator that models the data of some services (Couchbase, RabbitMQ) claims them under
  //! its store name: the world then records no `volume` loss when their tasks move, the
  //! simulator records its own. `claims` runs under the world's lock: it must only read the
  //! service.
  void claim_data_store(const std::string& store, std::function<bool(const Service&)> claims);
  void record_data_loss(DataLoss loss);
  //! Every data loss recorded so far, oldest first.
  std::vector<DataLoss> data_losses() const;
  //! GET /_sim/data: {"Services": [...], "Losses": [...]}.
  boost::json::value data_json() const;

  // --- The Engine API, as served by one host's engine ------------------------------------------
  //! Why this host's engine cannot answer a cluster-state request (not a manager, no quorum),
  //! or nullopt when it can.
  std::optional<ApiReply> cluster_gate(const std::string& hostname);
  //! True when the host's engine is a reachable manager: event streams carry swarm events.
  bool serves_cluster_events(const std::string& hostname);
  ApiReply info(const std::string& hostname);
  ApiReply inspect_swarm();
  ApiReply list_nodes(const std::string& filters);
  ApiReply inspect_node(const std::string& id_or_name);
  //! `version` is the raw query parameter (nullopt: absent).
  ApiReply update_node(const std::string& id_or_name, const std::optional<std::string>& version,
                       const std::string& body);
  ApiReply remove_node(const std::string& id_or_name, bool force);
  ApiReply list_services(const std::string& filters, bool with_status);
  ApiReply inspect_service(const std::string& id_or_name);
  ApiReply create_service(const std::string& body);
  ApiReply update_service(const std::string& id_or_name, const std::optional<std::string>& version,
                          const std::string& body);
  ApiReply remove_service(const std::string& id_or_name);
  ApiReply list_tasks(const std::string& filters);
  //! Blocks for the join timeout when no remote manager is reachable (the real engine does).
  ApiReply join(const std::string& hostname, const std::string& body);
  ApiReply leave(const std::string& hostname, bool force);

 private:
  using Lock = std::unique_lock<std::mutex>;

  // world_core.cpp
  UnixNanos now() const;
  std::uint64_t bump();  //!< the next raft index: every write takes one
  std::string new_id();
  std::string random_hex(std::size_t length);
  void emit(std::string type, std::string action, std::string actor_id,
            std::map<std::string, std::string> attributes);
  void at(UnixNanos due, std::function<void()> action);
  void advance_locked();
  Host* find_host(const std::string& hostname);
  const Host* find_host(const std::string& hostname) const;
  bool node_alive(const Node& node) const;
  void refresh_liveness();
  void elect_leader_if_needed();
  std::size_t reachable_managers() const;
  std::size_t raft_members() const;
  bool has_quorum() const;

  // world_nodes.cpp
  struct NodeLookup {
    Node* node = nullptr;
    std::optional<ApiReply> error;
  };
  NodeLookup lookup_node(const std::string& id_or_name);
  void touch_node(Node& node);
  Node& create_node_entry(Host& host, const std::string& role);
  void on_node_became_down(const std::string& node_id);

  // world_services.cpp
  Service* lookup_service(const std::string& id_or_name);
  void touch_service(Service& service);
  void set_update_state(Service& service, const std::string& state, const std::string& message);

  // scheduler.cpp
  void reconcile_all();
  void reconcile_service(Service& service);
  void reconcile_replicated(Service& service);
  void reconcile_global(Service& service);
  void place_pending(Service& service);
  void start_task(Task& task, const Node& node);
  void stop_task(Task& task, const std::string& state, const std::string& message);
  Task& new_task(Service& service, std::uint64_t slot, const std::string& node_id);
  void enforce_constraints(const Node& node);
  bool node_meets_constraints(const Service& service, const Node& node) const;
  void trim_history(const Service& service);

  // world_data.cpp
  //! The task starts on `hostname`: it uses that host's copy of its service's local data, a
  //! new empty one when the host has none. Records a `volume` loss for unclaimed services.
  void place_data(Task& task, const std::string& hostname);
  std::optional<ServiceData> data_of_locked(const std::string& service_name) const;

  // rolling_update.cpp
  void begin_rollout(Service& service, std::vector<std::uint64_t> dirty_slots,
                     std::uint64_t generation);
  void run_rollout_batch(const std::string& service_id, std::uint64_t generation);
  void check_rollout_progress(Service& service);

  std::shared_ptr<Clock> clock_;
  WorldOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable time_moved_;
  bool shut_down_ = false;
  EventLog events_;
  std::mt19937_64 random_;
  std::uint64_t index_ = 10;
  std::optional<UnixNanos> processing_time_;  //!< the due time of the timer being applied

  std::string swarm_id_;
  std::uint64_t swarm_version_ = 0;
  UnixNanos swarm_created_ = 0;
  std::string token_secret_;
  std::string worker_token_;
  std::string manager_token_;

  std::vector<Host> hosts_;
  std::map<std::string, Node> nodes_;  //!< by ID: the API lists them sorted by ID
  std::map<std::string, Service> services_;
  std::vector<Task> tasks_;
  std::multimap<UnixNanos, std::function<void()>> timers_;

  std::map<std::string, ServiceData> data_;  //!< by service name
  std::uint64_t next_copy_id_ = 0;
  std::vector<DataLoss> data_losses_;
  std::vector<std::pair<std::string, std::function<bool(const Service&)>>> data_claims_;
};

}  // namespace swarmop::sim
