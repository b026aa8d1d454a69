#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "swarmop/sim/data_placement.hpp"
#include "swarmop/sim/fault_injector.hpp"

namespace swarmop::sim {
class SimulatedCluster;
}

namespace swarmop::sim::couchbase {

struct CouchbaseSimOptions {
  std::string username = "Administrator";
  std::string password = "password";
  //! A read-only admin (GETs only, 403 on writes); empty: none.
  std::string read_only_username;
  std::string read_only_password;
  //! Which stack services are Couchbase nodes: the image contains this.
  std::string image_marker = "is-couchbase";
  //! The service (short name) that provisions the cluster when it first starts.
  std::string primary_service = "couchbase";
  //! Buckets the primary is provisioned with, replicaNumber 0 on its one node.
  std::vector<std::string> buckets = {"content", "logs"};
  //! Indexes per bucket ("#primary" is the name Couchbase gives a primary index).
  std::map<std::string, std::vector<std::string>> indexes = {{"content", {"#primary"}},
                                                             {"logs", {"#primary"}}};
  //! Services of the primary and of nodes that join by themselves (AUTO_REBALANCE).
  std::vector<std::string> node_services = {"kv", "index", "n1ql"};

  // Simulated durations.
  std::chrono::nanoseconds rebalance_duration = std::chrono::seconds(20);
  std::chrono::nanoseconds graceful_failover_duration = std::chrono::seconds(10);
  //! After a restart, the node's buckets are `warmup` this long...
  std::chrono::nanoseconds bucket_warmup = std::chrono::seconds(10);
  //! ...and its indexes `Warmup` this long.
  std::chrono::nanoseconds index_warmup = std::chrono::seconds(60);
  //! A worker with AUTO_REBALANCE joins this long after its container starts, and retries
  //! this often while the cluster cannot take it.
  std::chrono::nanoseconds auto_join_delay = std::chrono::seconds(10);
  //! Auto-failover defaults (GET /settings/autoFailover).
  bool auto_failover_enabled = true;
  int auto_failover_timeout_seconds = 120;
  int auto_failover_max_count = 1;

  std::string tcp_host = "127.0.0.1";
  //! How often (wall time) due changes are applied without a request.
  std::chrono::milliseconds tick_interval{20};
  std::uint64_t seed = 1;
};

//! The Couchbase cluster of the simulated PowerFlow stack: one Couchbase node per stack
//! service whose image is a Couchbase image, each serving the admin REST API (port 8091 in a
//! real container) on its own loopback port. The swarm decides which nodes run: a node whose
//! task is not running, or whose host is down or partitioned, refuses connections and the
//! cluster reports it unhealthy. A node's data is on the host its task ran on: started on
//! another host it is a new, empty server (data_losses()). Time-driven changes (rebalance
//! progress, warm-up, auto-failover) follow the swarm world's clock.
class CouchbaseSimulator {
 public:
  CouchbaseSimulator(SimulatedCluster& cluster, CouchbaseSimOptions options = {});
  ~CouchbaseSimulator();
  CouchbaseSimulator(const CouchbaseSimulator&) = delete;
  CouchbaseSimulator& operator=(const CouchbaseSimulator&) = delete;

  //! "http://127.0.0.1:PORT" of every node, in the manual's order: couchbase,
  //! couchbase-worker, couchbase-worker2, ...
  std::vector<std::string> endpoints() const;
  //! The endpoint of one node, by short service name, full service name or hostname.
  //! Throws std::out_of_range when there is none.
  std::string endpoint(const std::string& service_or_hostname) const;
  //! The node's otpNode as the cluster names it (ns_1@couchbase-worker.isnet once joined).
  std::string otp_node(const std::string& service_or_hostname) const;

  //! Rules matched against the node's container hostname (couchbase-worker.isnet) as
  //! FaultRule::node: latency, 500s (text body), dropped connections.
  FaultInjector& faults();
  //! The next rebalance starts, then fails once midway (errorMessage and a user log entry).
  void fail_next_rebalance(const std::string& reason = "{mover_crashed,injected_fault}");
  //! The Couchbase server process of a node dies (true) or starts again (false), while its
  //! container keeps running.
  void set_process_down(const std::string& service_or_hostname, bool down);
  //! Empties the node's data volume (the manual's rm -rf /var/data/couchbase/*): it comes back
  //! unprovisioned at its next start.
  void wipe_data(const std::string& service_or_hostname);

  //! Every time a node that had data came up on a host without it (store "couchbase" entries
  //! of the world's record, also at GET /_sim/data/losses), oldest first.
  std::vector<DataLoss> data_losses() const;
  //! True while a rebalance or a graceful failover runs (for the invariant monitor).
  bool moving_data() const;

  //! Observes the swarm and applies whatever is due. Requests and a ticker do it too; call it
  //! after changing the swarm so that the next request sees the change.
  void tick();
  //! tick(), moves the cluster's manual clock, tick(): so that a change made before is seen
  //! at the time it happened.
  void advance(std::chrono::nanoseconds by);
  //! The whole simulated state, for tests and /_sim-style inspection.
  std::string state_json() const;

  //! Stops the ticker and every node's server. Idempotent.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmop::sim::couchbase
