#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/clients/couchbase_types.hpp"
#include "swarmop/model/expected.hpp"

namespace swarmop::clients {

//! The Couchbase Server cluster-management REST API as the topology reconciler needs it.
//! Errors carry the endpoint, the status and the server's own text (whichever of the three
//! error-body shapes it used); kUnauthorized for 401 and 403, kNotFound for 404, kInvalid for
//! other 4xx, kTransient for transport failures and 5xx. Credentials never appear in errors.
class CouchbaseClient {
 public:
  virtual ~CouchbaseClient() = default;

  //! GET /pools/default. kNotFound ("unknown pool") on a node that is not provisioned.
  virtual model::Expected<CouchbaseCluster> cluster() = 0;
  virtual model::Expected<std::vector<CouchbaseBucket>> buckets() = 0;
  //! Changes the configured replica count (0..3); applied by the next rebalance. Refused with
  //! 503 while a rebalance runs. Too few data nodes is not an error.
  virtual model::Expected<model::Unit> set_bucket_replicas(const std::string& bucket,
                                                           int replicas) = 0;
  //! POST /controller/addNode with this client's own credentials; returns the new otpNode.
  //! The node is inactiveAdded until a rebalance.
  virtual model::Expected<std::string> add_node(const std::string& hostname,
                                                const std::vector<std::string>& services) = 0;
  //! `known_otp_nodes` must be every node of /pools/default, whatever its membership. A
  //! rebalance already running makes this a silent 200 no-op: check rebalance_status first.
  virtual model::Expected<model::Unit> rebalance(
      const std::vector<std::string>& known_otp_nodes,
      const std::vector<std::string>& ejected_otp_nodes) = 0;
  virtual model::Expected<RebalanceProgress> rebalance_progress() = 0;
  virtual model::Expected<std::vector<CouchbaseTask>> tasks() = 0;
  //! Without allowUnsafe: refused (504) when the orchestrator cannot be reached.
  virtual model::Expected<model::Unit> stop_rebalance() = 0;
  //! Graceful: POST /controller/startGracefulFailover (async, a rebalance-type task).
  //! Hard: POST /controller/failOver (synchronous). allowUnsafe is never sent.
  virtual model::Expected<model::Unit> failover(const std::string& otp_node, bool graceful) = 0;
  //! Failed-over node -> inactiveAdded with delta or full recovery; needs a rebalance.
  virtual model::Expected<model::Unit> set_recovery_type(const std::string& otp_node,
                                                         RecoveryType type) = 0;
  //! = set_recovery_type(full).
  virtual model::Expected<model::Unit> readd_node(const std::string& otp_node) = 0;
  //! Removes a node that is not active (pending add or failed over).
  virtual model::Expected<model::Unit> eject_node(const std::string& otp_node) = 0;
  virtual model::Expected<AutoFailoverSettings> auto_failover() = 0;
  //! When disabled only enabled=false is sent; max_count is left out when nullopt (CE).
  virtual model::Expected<model::Unit> set_auto_failover(bool enabled, int timeout_seconds,
                                                         std::optional<int> max_count) = 0;
  virtual model::Expected<model::Unit> reset_auto_failover_count() = 0;
  virtual model::Expected<IndexStatus> index_status() = 0;

  virtual std::string display() const = 0;
};

using CouchbaseClientPtr = std::unique_ptr<CouchbaseClient>;

}  // namespace swarmop::clients
