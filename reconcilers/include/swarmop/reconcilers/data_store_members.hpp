#pragma once

#include <functional>

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"
#include "swarmop/reconcilers/rabbitmq_planner.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

//! The labels reconciler records where a stateful service keeps its data the first time its
//! task history shows one node. For a Couchbase or RabbitMQ node that is not enough: a task
//! Swarm had already moved before the operator first looked runs over an empty directory, and
//! its history may no longer show where it ran before. Its store knows: only a node the store
//! counts as an active member is running on its data.
namespace swarmop::reconcilers {

//! Drops from the labels plan every record of a data-store node's data home that its store does
//! not confirm (Couchbase: an active cluster member; RabbitMQ: a running cluster node), or that
//! cannot be confirmed (the store not observed or not answering): a later pass records it. The
//! stores are read through the sources, only when such a record is planned.
void hold_unconfirmed_records(SwarmPlan& labels, const model::DesiredState& desired,
                              const SwarmObservation& swarm,
                              const std::function<const CouchbaseObservation*()>& couchbase,
                              const std::function<const RabbitObservation*()>& rabbitmq);

}  // namespace swarmop::reconcilers
