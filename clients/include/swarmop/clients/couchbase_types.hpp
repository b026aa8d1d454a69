#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

//! What the Couchbase Server admin REST API (port 8091) returns, reduced to what the topology
//! reconciler reads. Values are kept as the server spells them; the comments list them.
namespace swarmop::clients {

struct CouchbaseNode {
  std::string otp_node;  //!< "ns_1@10.144.210.101": the name topology requests use
  std::string hostname;  //!< "10.144.210.101:8091": how the operator maps nodes to members
  std::string cluster_membership;      //!< active, inactiveAdded, inactiveFailed
  std::string status;                  //!< healthy, unhealthy, warmup
  std::string recovery_type = "none";  //!< none, delta, full
  std::vector<std::string> services;   //!< kv, index, n1ql, fts, cbas, eventing, backup
  std::string version;                 //!< "7.6.2-3721-enterprise"
  bool this_node = false;              //!< the node that answered the request

  bool active() const { return cluster_membership == "active"; }
  bool pending_add() const { return cluster_membership == "inactiveAdded"; }
  bool failed_over() const { return cluster_membership == "inactiveFailed"; }
  bool healthy() const { return status == "healthy"; }
  bool warming_up() const { return status == "warmup"; }
  bool has_service(const std::string& service) const;
};

//! One entry of servicesNeedRebalance / bucketsNeedRebalance (7.6+).
struct RebalanceReason {
  std::string code;                //!< service_not_balanced, num_replicas_changed, ...
  std::string description;         //!< "Number of replicas for bucket has changed."
  std::vector<std::string> names;  //!< the services or the buckets concerned
};

//! GET /pools/default.
struct CouchbaseCluster {
  std::vector<CouchbaseNode> nodes;  //!< every node in the cluster, whatever its membership
  std::string rebalance_status;      //!< "none", or "running" (rebalance or failover)
  bool balanced = true;
  //! Present only when unbalanced, and only from 7.6 on.
  std::optional<std::vector<RebalanceReason>> services_need_rebalance;
  std::optional<std::vector<RebalanceReason>> buckets_need_rebalance;
  //! rebalance_start, rebalance_success, failover, graceful_failover_start, ...
  std::map<std::string, std::uint64_t> counters;

  bool rebalancing() const { return rebalance_status == "running"; }
  //! The otpNode of every node: what /controller/rebalance wants as knownNodes.
  std::vector<std::string> otp_nodes() const;
  const CouchbaseNode* find_by_hostname(const std::string& hostname) const;
  const CouchbaseNode* find_by_otp_node(const std::string& otp_node) const;
};

struct CouchbaseBucket {
  std::string name;
  std::string bucket_type;  //!< membase (a Couchbase bucket), ephemeral, memcached
  int replica_number = 0;   //!< the configured value; takes effect at the next rebalance
};

//! GET /pools/default/rebalanceProgress.
struct RebalanceProgress {
  std::string status;  //!< running, none
  //! otpNode -> fraction done, 0..1; empty when not running.
  std::map<std::string, double> per_node;
  //! "Rebalance failed. See logs for detailed reason. You can try again.", after a failure.
  std::string error_message;

  bool running() const { return status == "running"; }
  //! Mean of the per-node fractions, 0..1 (0 when there are none).
  double overall() const;
};

//! One entry of GET /pools/default/tasks.
struct CouchbaseTask {
  std::string type;           //!< rebalance (always one), warming_up, global_indexes, ...
  std::string subtype;        //!< for rebalance: rebalance, gracefulFailover, failover
  std::string status;         //!< running, notRunning
  double progress = 0;        //!< PERCENT, 0..100
  std::string error_message;  //!< only after a failed rebalance or failover
  //! The orchestrator could not be asked: the status is unknown, not "notRunning".
  bool stale = false;
  std::string bucket;  //!< warming_up: the bucket warming
  std::string node;    //!< warming_up: the otpNode warming

  bool running() const { return status == "running"; }
};

//! GET /settings/autoFailover.
struct AutoFailoverSettings {
  bool enabled = false;
  int timeout_seconds = 0;
  int count = 0;  //!< read-only: nodes auto-failed-over since the last reset or rebalance
  //! Absent on Community Edition and when disableMaxCount is true.
  std::optional<int> max_count;
};

struct IndexStatusEntry {
  std::string name;  //!< indexName
  std::string bucket;
  std::vector<std::string> hosts;  //!< "10.0.0.3:8091"
  std::string status;              //!< Ready, Warmup, Building, Created, Moving, Error, ...
  int progress = 0;                //!< percent
};

//! GET /indexStatus.
struct IndexStatus {
  std::vector<IndexStatusEntry> indexes;
  //! Non-empty when the indexer could not be reached and the list may be stale.
  std::vector<std::string> warnings;
};

enum class RecoveryType { kDelta, kFull };

}  // namespace swarmop::clients
