#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "swarmop/sim/clock.hpp"
#include "swarmop/sim/couchbase/couchbase_simulator.hpp"

//! The simulated Couchbase cluster as plain data and a state machine: no HTTP, no threads, no
//! swarm. Every entry point gets the current simulated time; the caller holds the lock.
//! Messages, codes and bodies follow the reference (/work/shared/reference/couchbase-rest.md),
//! Couchbase Server 7.6 Enterprise.
namespace swarmop::sim::couchbase {

//! vBuckets per bucket: the Linux default.
constexpr int kNumVBuckets = 1024;

//! Form and query parameters; a key may repeat (otpNode=a&otpNode=b).
using Form = std::multimap<std::string, std::string>;

//! One HTTP answer: status, body, and its content type (empty with an empty body).
struct Reply {
  int status = 200;
  std::string content_type;
  std::string body;

  static Reply empty(int status = 200);
  static Reply json(int status, const boost::json::value& body);
  //! A JSON list of one string: ["msg"], the shape of most topology errors.
  static Reply json_list(int status, const std::string& message);
  static Reply text(int status, std::string body);
};

//! What a node's files on one host said when its container last left that host.
struct FilesLeft {
  std::string host;
  bool provisioned = false;
  std::string cluster_uuid;
  std::uint64_t incarnation = 0;
};

//! A node's container started on other files than it had (another host): what it left behind
//! and what it found.
struct DataMove {
  std::string identity;  //!< the otpNode the cluster lists it as
  std::string from_host;
  std::string to_host;
  bool had_data = false;     //!< the files left behind held a provisioned node
  bool found_older = false;  //!< older files the cluster still accepts: it is that member again
  bool new_cluster = false;  //!< a primary that found nothing and provisioned a new cluster
  //! Every bucket it served, with the vBuckets whose last remaining copy was on it.
  std::vector<std::pair<std::string, std::uint64_t>> buckets;
};

//! One Couchbase Server process: a Couchbase service of the stack. Its identity comes from the
//! swarm; the rest is what the node itself knows and what the cluster knows about it.
struct NodeState {
  std::string service;             //!< the stack's short service name: couchbase-worker
  std::string container_hostname;  //!< couchbase-worker.isnet
  std::vector<std::string> aliases;
  bool auto_rebalance = false;  //!< AUTO_REBALANCE=true in its environment
  std::string uuid;             //!< nodeUUID

  // What the swarm says (refreshed on every tick).
  bool container_running = false;  //!< a running task on a host whose engine is up
  bool partitioned = false;        //!< its host is cut off from the others
  bool process_down = false;       //!< a Couchbase-level fault: the server process died
  std::string container_id;

  // What the node itself knows: wiped back to nothing when it leaves the cluster.
  bool provisioned = false;
  std::string host;  //!< the name the cluster reaches it by: otpNode ns_1@host
  std::vector<std::string> services;

  // What the cluster knows (meaningful while member).
  bool member = false;
  std::string membership;  //!< active, inactiveAdded, inactiveFailed
  std::string recovery_type = "none";
  bool hosts_indexes = false;  //!< index instances live here (an index node rebalanced in)
  UnixNanos buckets_warm_at = 0;
  UnixNanos indexes_warm_at = 0;
  std::optional<UnixNanos> auto_join_at;
  //! Bucket replica counts when it was failed over: delta recovery needs them unchanged.
  std::map<std::string, int> replicas_at_failover;

  // Where its files are: the swarm's copy of its data volume that its container runs on.
  std::uint64_t data_copy = 0;  //!< DataCopy::id; 0: not seen yet, or shared storage
  std::string data_host;
  //! What each copy left on another host said when the node left it, by DataCopy::id.
  std::map<std::uint64_t, FilesLeft> files_left;
  //! Bumped whenever the node joins a cluster or provisions one: files written under an older
  //! incarnation describe a membership the cluster has since ended.
  std::uint64_t incarnation = 0;

  bool reachable() const { return container_running && !partitioned && !process_down; }
  std::string otp_node() const { return "ns_1@" + (host.empty() ? "127.0.0.1" : host); }
  bool has_service(const std::string& name) const;
};

struct BucketState {
  std::string name;
  std::string uuid;
  int replica_number = 0;  //!< configured; applied by the next rebalance
  int chain_length = 1;    //!< vBucket map chain length: replicas + 1 at the last rebalance
  int copies = 1;          //!< copies every vBucket still has (holes after failovers)
  std::vector<std::string> servers;  //!< otpNodes of the bucket's servers
};

//! A rebalance or a graceful failover in progress: a rebalance-type task.
struct TopologyTask {
  std::string subtype;  //!< rebalance, gracefulFailover
  std::string id;
  UnixNanos started = 0;
  UnixNanos due = 0;
  std::vector<std::string> keep;   //!< rebalance: nodes that stay
  std::vector<std::string> eject;  //!< rebalance: live nodes leaving at the end
  std::vector<std::string> delta;
  std::vector<std::string> failed;          //!< rebalance: failed-over nodes removed at start
  std::vector<std::string> failover_nodes;  //!< graceful failover: the nodes leaving
  std::optional<UnixNanos> fail_at;         //!< a failure already known to come
  std::string fail_reason;                  //!< the Erlang-style reason for the user log
};

struct AutoFailoverState {
  bool enabled = true;
  int timeout_seconds = 120;
  int max_count = 1;
  int count = 0;
  std::set<std::string> down_set;  //!< otpNodes down together; a change restarts the timer
  UnixNanos down_since = 0;
};

struct LogEntry {
  std::string node;
  std::string type;  //!< info, warning, critical
  std::string module;
  std::string text;
  UnixNanos time = 0;
};

struct IndexDefinition {
  std::string name;
  std::string bucket;
  std::uint64_t id = 0;
};

class ClusterModel {
 public:
  ClusterModel(CouchbaseSimOptions options, std::uint64_t seed);

  const CouchbaseSimOptions& options() const { return options_; }

  // --- Nodes and their lives (driven by the swarm) -----------------------------------------
  std::vector<NodeState>& nodes() { return nodes_; }
  const std::vector<NodeState>& nodes() const { return nodes_; }
  NodeState& add_node_state(NodeState node);
  //! The container (re)started: warm-up, first provisioning, or an AUTO_REBALANCE join.
  void node_started(NodeState& node, UnixNanos now);
  //! Everything due by `now`: task progress and failures, joins, auto-failover.
  void advance(UnixNanos now);
  //! The next rebalance fails once, midway, with `reason` in the user log.
  void fail_next_rebalance(std::string reason);
  //! The node's data volume is emptied: it comes back unprovisioned.
  void wipe(NodeState& node);
  //! Before node_started: the container runs on copy `copy` of the node's data, on `host`
  //! (copy 0: no local data, it follows the container). On another copy than before, the old
  //! files stay behind: the node has what the new copy holds, nothing when it is new or when
  //! its files describe a membership the cluster has ended. cb_data_move.cpp.
  std::optional<DataMove> move_data(NodeState& node, std::uint64_t copy, const std::string& host);

  // --- Reads --------------------------------------------------------------------------------
  bool exists() const { return exists_; }
  const std::string& uuid() const { return uuid_; }
  NodeState* member(const std::string& otp_node);
  const NodeState* member(const std::string& otp_node) const;
  std::vector<const NodeState*> members() const;
  //! healthy, warmup, unhealthy: as the cluster reports the node.
  std::string status(const NodeState& node, UnixNanos now) const;
  bool indexes_warming(const NodeState& node, UnixNanos now) const;
  const std::vector<BucketState>& buckets() const { return buckets_; }
  const BucketState* bucket(const std::string& name) const;
  const std::vector<IndexDefinition>& index_definitions() const { return indexes_; }
  const std::optional<TopologyTask>& task() const { return task_; }
  const std::string& last_error() const { return last_error_; }
  const std::map<std::string, std::uint64_t>& counters() const { return counters_; }
  const AutoFailoverState& auto_failover() const { return auto_failover_; }
  const std::vector<LogEntry>& logs() const { return logs_; }
  //! servicesNeedRebalance / bucketsNeedRebalance entries; both empty when balanced.
  boost::json::array services_need_rebalance() const;
  boost::json::array buckets_need_rebalance() const;
  //! The orchestrator: the first reachable active node.
  std::string orchestrator() const;

  // --- The REST operations: `via` is the node answering --------------------------------------
  Reply add_node(const NodeState& via, const Form& form, UnixNanos now);
  Reply eject_node(const NodeState& via, const Form& form, UnixNanos now);
  Reply rebalance(const Form& form, UnixNanos now);
  Reply stop_rebalance(UnixNanos now);
  Reply hard_failover(const Form& form, UnixNanos now);
  Reply graceful_failover(const Form& form, UnixNanos now);
  Reply set_recovery_type(const Form& form, bool full_only, UnixNanos now);
  Reply re_failover(const Form& form, UnixNanos now);
  Reply update_bucket(const std::string& name, const Form& form, UnixNanos now);
  Reply set_auto_failover(const Form& form, UnixNanos now);
  Reply reset_auto_failover_count();

 private:
  // cb_cluster.cpp
  void provision_first(NodeState& node, UnixNanos now);
  void join(NodeState& node, const std::string& host, std::vector<std::string> services);
  void remove_member(NodeState& node);
  void log(const std::string& type, const std::string& module, const std::string& text,
           UnixNanos now);
  std::string random_hex(std::size_t length);
  bool has_quorum() const;
  bool rebalance_running() const { return task_.has_value(); }
  std::vector<std::string> active_kv_nodes() const;
  void count(const std::string& name) { ++counters_[name]; }
  //! The node leaves its buckets' server lists; each of its vBuckets loses a copy.
  void drop_from_buckets(const std::string& otp_node);
  void fail_over_now(NodeState& node, const std::string& reason, UnixNanos now);

  // cb_data_move.cpp
  //! Per bucket the node serves: the vBuckets whose every remaining copy is on it or on
  //! members whose files are gone, by the rendered map's placement.
  std::vector<std::pair<std::string, std::uint64_t>> sole_copies(const NodeState& node) const;
  //! Every member's data is gone: the cluster no longer exists anywhere.
  void dissolve();

  // cb_rebalance.cpp
  void advance_task(UnixNanos now);
  void finish_task(UnixNanos now);
  void fail_task(const std::string& reason, UnixNanos now);
  void start_rebalance(std::vector<std::string> keep, std::vector<std::string> eject,
                       std::vector<std::string> failed, UnixNanos now);

  // cb_auto_failover.cpp
  void advance_auto_joins(UnixNanos now);
  void advance_auto_failover(UnixNanos now);

  CouchbaseSimOptions options_;
  std::mt19937_64 random_;
  std::vector<NodeState> nodes_;
  bool exists_ = false;
  std::string uuid_;
  std::vector<BucketState> buckets_;
  std::vector<IndexDefinition> indexes_;
  std::optional<TopologyTask> task_;
  std::string last_error_;
  std::map<std::string, std::uint64_t> counters_;
  AutoFailoverState auto_failover_;
  std::vector<LogEntry> logs_;
  std::optional<std::string> next_rebalance_failure_;
};

//! Splits "a,b" into its non-empty items.
std::vector<std::string> split_list(const std::string& text);
//! The values of every occurrence of `key`.
std::vector<std::string> all_values(const Form& form, const std::string& key);
std::optional<std::string> value(const Form& form, const std::string& key);

}  // namespace swarmop::sim::couchbase
