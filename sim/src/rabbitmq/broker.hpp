#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

//! The simulated RabbitMQ cluster's state and its management API, behind one lock. The HTTP
//! listeners only carry requests to handle() and answers back.
namespace swarmop::sim::rabbitmq {

namespace json = boost::json;

//! What a node's statistics emission carried the last time it ran (the management API serves
//! these, not the live values: that is the real server's lag).
struct NodeStats {
  std::vector<std::string> partitions;
  bool mem_alarm = false;
  bool disk_alarm = false;
  std::vector<std::string> links;
  UnixNanos emitted_at = 0;
};

//! What a rabbit node's database directory on one host held when its container left it.
struct RabbitFiles {
  std::string host;
  bool standalone = false;  //!< a blank node's own database
  std::uint64_t epoch = 0;  //!< the node's epoch then
};

struct BrokerNode {
  std::string name;               //!< rabbit@<container hostname>
  std::string service;            //!< the full service name
  std::string image;              //!< of its service
  int index = 0;                  //!< 1-based, the order members first ran in
  std::string host;               //!< the swarm host of its running task; empty: none
  bool task_running = false;      //!< from the world
  bool host_up = false;           //!< from the world
  bool host_partitioned = false;  //!< from the world
  bool stopped = false;           //!< stop_node / kill_node
  bool killed = false;            //!< the last stop was a SIGKILL
  UnixNanos blip_pause_until = 0;
  // Derived by refresh():
  bool alive = false;   //!< the VM runs (task running, host up, not stopped)
  bool paused = false;  //!< alive, but the rabbit app is stopped (pause_minority, a blip)
  UnixNanos up_since = 0;
  UnixNanos next_stats = 0;
  std::optional<NodeStats> stats;
  bool mem_alarm = false;
  bool disk_alarm = false;
  std::string os_pid;

  // Its database: the swarm's copy of its data volume (broker_data.cpp).
  std::string container_id;        //!< of its running task
  bool new_container = false;      //!< seen by read_world, not yet started by update_liveness
  std::uint64_t arrived_copy = 0;  //!< the DataCopy::id the new container runs on
  std::uint64_t data_copy = 0;     //!< the copy its database is on; 0: not seen, or shared
  std::string data_host;           //!< the host of that copy
  //! Started with a blank database: a cluster of its own until the cluster forgets its old
  //! identity, which the members list as not running meanwhile.
  bool standalone = false;
  //! Its database says it is a member the cluster has forgotten since: the rabbit app refuses
  //! to boot (inconsistent_cluster) until the container starts on other files.
  bool boot_refused = false;
  //! Bumped when the cluster forgets the node: databases written before describe an ended
  //! membership.
  std::uint64_t epoch = 0;
  //! What each copy left on another host holds, by DataCopy::id.
  std::map<std::uint64_t, RabbitFiles> files_left;

  bool running() const { return alive && !paused; }
};

//! A partition as mnesia records it between two nodes; `until` when it recovers by itself.
struct RecordedSplit {
  std::string a;
  std::string b;
  std::optional<UnixNanos> until;
};

struct QueueStats {
  std::optional<std::string> policy;
  json::object effective_definition;
  std::uint64_t messages = 0;
  std::string state;
};

struct BrokerQueue {
  std::string vhost;
  std::string name;
  std::string type = "classic";  //!< classic, quorum
  bool durable = true;
  bool auto_delete = false;
  json::object arguments;
  std::string leader;
  bool down = false;  //!< the leader's node is gone and nothing could take over
  std::uint64_t messages = 0;
  //! Mirror node -> how many of the queue's messages it lacks (0: synchronised).
  std::map<std::string, std::uint64_t> mirrors;
  bool mirrored = false;             //!< an ha-* policy applies (slave_nodes is shown, maybe [])
  std::vector<std::string> members;  //!< quorum queues
  std::optional<UnixNanos> syncing_until;
  UnixNanos next_stats = 0;
  std::optional<QueueStats> stats;
};

struct BrokerPolicy {
  std::string vhost = "/";
  std::string name;
  std::string pattern;
  std::string apply_to = "all";
  json::value priority = 0;
  json::object definition;
};

using QueueKey = std::pair<std::string, std::string>;  //!< (vhost, name)

//! A cluster's mnesia: the queues and policies every member of one cluster shares.
struct BrokerDb {
  std::map<QueueKey, BrokerQueue> queues;
  std::map<QueueKey, BrokerPolicy> policies;
};

struct HttpCall {
  std::string node;                   //!< the node whose listener took it
  std::string method;                 //!< GET, PUT, POST, DELETE, ...
  std::vector<std::string> segments;  //!< path segments, percent-decoded: {"api","policies","/"}
  std::map<std::string, std::string> query;
  std::string body;
  std::string authorization;  //!< the Authorization header
};

struct HttpAnswer {
  int status = 200;
  std::string body;  //!< empty: no body
  std::vector<std::pair<std::string, std::string>> headers;
};

struct RabbitBroker {
  RabbitBroker(SwarmWorld& world, const RabbitOptions& options);

  //! Re-reads the world and applies what is due; takes the lock.
  void refresh();
  //! True when the node's management listener accepts connections now; takes the lock.
  bool serving(const std::string& node);
  std::vector<std::string> member_names();
  HttpAnswer handle(const HttpCall& call);

  // Faults (take the lock).
  void stop_node(const std::string& node, bool kill);
  void start_node(const std::string& node);
  void blip(const std::string& node);
  void set_alarm(const std::string& node, const std::string& resource, bool on);
  void set_version(const std::string& version);
  void freeze_stats(bool frozen);
  //! rabbitmqctl forget_cluster_node on the cluster, then the blank node's reset and
  //! join_cluster (the manual's way back): it is a member again, with an empty database.
  //! broker_data.cpp.
  void forget_node(const std::string& node);

  // --- Everything below runs with the lock held. ---------------------------------------------
  // broker_data.cpp
  //! The node's new container starts on copy `arrived_copy` of its data: the same database,
  //! an older one it left on this host, or none (a blank, standalone node). Records a data
  //! loss when it leaves the cluster's data behind.
  void arrive(BrokerNode& node);
  //! The database the node answers from: the cluster's, or a standalone node's own.
  BrokerDb& db_of(const BrokerNode& node);
  //! Both in one cluster: every member, or a standalone node with itself.
  static bool same_cluster(const BrokerNode& a, const BrokerNode& b);
  std::vector<BrokerDb*> all_dbs();

  // broker_nodes.cpp
  void refresh_locked();
  void read_world();
  void update_liveness();
  void on_node_lost(BrokerNode& node);
  void on_node_back(BrokerNode& node);
  void track_cuts();
  void expire_splits();
  void emit_stats();
  bool connected(const BrokerNode& a, const BrokerNode& b) const;
  bool split(const std::string& a, const std::string& b) const;
  BrokerNode* find_node(const std::string& name);
  std::string version() const;
  bool has_mirroring() const;
  json::object node_entry(const BrokerNode& viewer, const BrokerNode& node) const;

  // broker_policies.cpp
  std::optional<std::string> validate_policy(const json::object& body, BrokerPolicy& out) const;
  const BrokerPolicy* effective_policy(const BrokerDb& db, const BrokerQueue& queue) const;

  // broker_queues.cpp
  void update_mirrors();
  void update_mirrors(BrokerDb& db);
  void update_queue_mirrors(BrokerDb& db, BrokerQueue& queue);
  void finish_syncs();
  void emit_queue_stats();
  json::object queue_entry(const BrokerQueue& queue) const;
  BrokerQueue* find_queue(BrokerDb& db, const std::string& vhost, const std::string& name);
  HttpAnswer declare_queue(const HttpCall& call, const std::string& vhost, const std::string& name);
  HttpAnswer queue_action(const HttpCall& call, const std::string& vhost, const std::string& name);
  HttpAnswer publish(const HttpCall& call, const std::string& vhost);
  HttpAnswer health_check(const HttpCall& call, const std::string& check);

  // broker_routes.cpp
  HttpAnswer route(const HttpCall& call);
  HttpAnswer policies_route(const HttpCall& call);
  HttpAnswer queues_route(const HttpCall& call);
  HttpAnswer overview(const HttpCall& call);
  HttpAnswer nodes_route(const HttpCall& call);

  UnixNanos now() const { return world.clock().now(); }
  UnixNanos stats_interval() const;

  SwarmWorld& world;
  RabbitOptions options;
  std::mutex mutex;
  std::vector<BrokerNode> nodes;  //!< by index - 1
  std::vector<RecordedSplit> splits;
  std::set<std::pair<std::string, std::string>> cuts;  //!< running pairs that cannot talk
  BrokerDb cluster_db;                                 //!< the cluster's
  std::map<std::string, BrokerDb> standalone_dbs;      //!< a blank node's own, by node name
  std::string version_override;
  bool stats_frozen = false;
  int next_pid = 4100;
};

// broker_format.cpp: the server's own text formats.
//! An Erlang ~p rendering of a JSON value as the server decoded it (<<"s">>, 1, true, [...]),
//! HTML-escaped as the management API escapes reasons.
std::string erlang_term(const json::value& value);
std::string html_escape(const std::string& text);
//! "[{key_missing,pattern},\n {key_missing,definition}]"
std::string key_missing(const std::vector<std::string>& keys);
HttpAnswer json_answer(int status, const json::value& body);
HttpAnswer empty_answer(int status);
HttpAnswer not_found();
HttpAnswer bad_request_json(const json::value& reason);
HttpAnswer bad_request(const std::string& reason);
//! Keeps only the ?columns= keys of each object (all of them without the parameter).
json::value select_columns(json::value value, const std::map<std::string, std::string>& query);
std::string base64_decode(const std::string& text);
std::string percent_decode(const std::string& text);

}  // namespace swarmop::sim::rabbitmq
