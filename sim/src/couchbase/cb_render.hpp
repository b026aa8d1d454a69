#pragma once

#include <boost/json/value.hpp>

#include "cb_model.hpp"

//! The admin REST API's JSON documents, rendered from the model. `via` is the node answering
//! (thisNode). Field names and values as reference §1, §2.1, §4.6, §4.8, §5.1, §6 show them.
namespace swarmop::sim::couchbase::render {

boost::json::value pools(const ClusterModel& model, const NodeState& via);
boost::json::value pools_default(const ClusterModel& model, const NodeState& via, UnixNanos now);
boost::json::value node(const ClusterModel& model, const NodeState& node, const NodeState& via,
                        UnixNanos now);
boost::json::value bucket(const ClusterModel& model, const BucketState& bucket,
                          const NodeState& via, UnixNanos now, bool skip_map);
boost::json::value buckets(const ClusterModel& model, const NodeState& via, UnixNanos now,
                           bool skip_map);
boost::json::value tasks(const ClusterModel& model, UnixNanos now);
boost::json::value rebalance_progress(const ClusterModel& model, UnixNanos now);
boost::json::value auto_failover(const ClusterModel& model);
boost::json::value index_status(const ClusterModel& model, UnixNanos now);
boost::json::value logs(const ClusterModel& model);
boost::json::value terse_cluster_info(const ClusterModel& model);
//! Everything, for tests and debugging.
boost::json::value state(const ClusterModel& model, UnixNanos now);

}  // namespace swarmop::sim::couchbase::render
