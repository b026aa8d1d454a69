#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "swarmop/clients/couchbase_types.hpp"
#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/error.hpp"
#include "swarmop/model/plan.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::reconcilers {

inline constexpr const char* kCouchbase = "couchbase";

//! What the admin REST API shows: five reads whatever the number of nodes and buckets.
struct CouchbaseObservation {
  std::optional<std::string> unreachable;  //!< why no admin endpoint answered
  //! The credentials were refused (401/403): not a state of the cluster but of the
  //! invocation, so apply ends with an error (exit 1) and watch's pass fails, never "blocked".
  std::optional<model::Error> credentials_refused;
  clients::CouchbaseCluster cluster;
  std::vector<clients::CouchbaseBucket> buckets;
  std::vector<clients::CouchbaseTask> tasks;
  clients::AutoFailoverSettings auto_failover;
  clients::IndexStatus indexes;
  //! The swarm's clock (a manager's /info SystemTime, seconds since the epoch), read only while
  //! the cluster has fewer nodes than the file lists: how long a worker has run without joining
  //! is measured against it, since task timestamps come from the same clock.
  std::optional<std::int64_t> swarm_clock;
};

//! How long a worker started with AUTO_REBALANCE=true may run without joining by itself before
//! the operator adds it: its entrypoint normally joins within a minute of the container start
//! (and retries while the cluster cannot take it), so three minutes means it will not.
inline constexpr std::int64_t kSelfJoinGraceSeconds = 180;

struct AddCouchbaseNode {
  std::string hostname;  //!< the container hostname: couchbase-worker.isnet
  std::vector<std::string> services;
};
struct Rebalance {
  std::vector<std::string> known_nodes;  //!< every otpNode of /pools/default
  std::vector<std::string> ejected_nodes;
};
struct SetBucketReplicas {
  std::string bucket;
  int replicas = 0;
};
//! Delta recovery of a failed-over node; the apply falls back to full recovery when the server
//! says a delta is not possible (the bucket's replica count changed since the failover).
struct RecoverNode {
  std::string otp_node;
};
struct SetAutoFailover {
  bool enabled = true;
  int timeout_seconds = 120;
  std::optional<int> max_count;  //!< nullopt where the server has none (Community Edition)
};

using CouchbaseOperation = std::variant<CreateService, ServiceUpdate, AddCouchbaseNode, Rebalance,
                                        SetBucketReplicas, RecoverNode, SetAutoFailover>;

struct CouchbaseStep {
  model::StepDescription description;
  CouchbaseOperation operation;
};

struct CouchbasePlan {
  std::vector<CouchbaseStep> steps;
  std::vector<model::BlockedStep> blocked;
  std::vector<model::Finding> findings;
  std::vector<std::string> waiting;

  model::PlanReport report() const;
};

//! The manual's Couchbase node hostname for a service: <service>.isnet.
//! The cluster's node whose hostname, without the port, is `hostname`; nullptr when none.
const clients::CouchbaseNode* couchbase_member(const clients::CouchbaseCluster& cluster,
                                               std::string_view hostname);
std::string couchbase_hostname(const std::string& service);
//! The value every db_host gets: the file's Couchbase services in order, comma-separated.
std::string db_host_list(const model::CouchbaseSpec& spec);
//! The replica count a bucket can have with this many data nodes: at most 3 and at most one
//! fewer than the data nodes.
int replica_cap(int data_nodes);

//! The manual's Couchbase procedures as a plan. In this order, and the first rule that has to
//! wait or act ends the topology part of the pass: a running rebalance (wait, with progress); a
//! node warming up (wait); down and failed-over nodes (left to Couchbase's auto-failover when it
//! can act, recovered when their swarm node is back, rebalanced out when it is gone, blocked
//! when a failover would lose data or needs a person); the node services (created from the
//! primary's spec, pinned, db_host lists); scale-out one worker at a time; bucket replicas
//! (capped) and rebalance; auto-failover settings; scale-in in reverse order. Never two
//! rebalances, never a topology change while one runs, at most one disruptive step. Pure.
CouchbasePlan plan_couchbase(const model::DesiredState& desired, const SwarmObservation& swarm,
                             const CouchbaseObservation& couchbase);

}  // namespace swarmop::reconcilers
