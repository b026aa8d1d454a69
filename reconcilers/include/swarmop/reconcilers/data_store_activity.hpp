#pragma once

#include <optional>
#include <string>
#include <vector>

#include "swarmop/reconcilers/couchbase_planner.hpp"
#include "swarmop/reconcilers/rabbitmq_planner.hpp"

//! What a data store is doing that another disruptive step must not overlap: the operator takes
//! at most one of a Couchbase rebalance or failover, a RabbitMQ node restart or mirror sync, a
//! drain, a demotion or a restart of a stateful service at a time. Pure.
namespace swarmop::reconcilers {

struct DataStoreActivity {
  std::string reconciler;  //!< couchbase or rabbitmq
  std::string what;        //!< "a rebalance is running (42%)"
};

//! A running rebalance or graceful failover; or, when no admin endpoint answered, that it
//! cannot be told (treated as busy: when unsure, wait).
std::optional<DataStoreActivity> couchbase_activity(const CouchbaseObservation& observed);

//! Queues synchronising their mirrors, or cluster nodes not running (a restart under way, or a
//! node down: either way another node must not go down too); or, unreachable, that it cannot be
//! told.
std::optional<DataStoreActivity> rabbitmq_activity(const RabbitObservation& observed);

//! Both, from whichever data stores were observed (nullptr: not observed, not in the file).
std::vector<DataStoreActivity> data_store_activity(const CouchbaseObservation* couchbase,
                                                   const RabbitObservation* rabbitmq);

}  // namespace swarmop::reconcilers
