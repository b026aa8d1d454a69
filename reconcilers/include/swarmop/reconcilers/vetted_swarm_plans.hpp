#pragma once

#include <functional>
#include <vector>

#include "swarmop/reconcilers/admission.hpp"
#include "swarmop/reconcilers/data_store_members.hpp"
#include "swarmop/reconcilers/swarm_reconcilers.hpp"

namespace swarmop::reconcilers {

//! The swarm reconcilers' plans as every caller (apply, watch, plan) must see them: the labels'
//! data-node records held until their store counts the node (read through the sources only when
//! such a record is planned), then every step vetted by the cluster-wide admission check.
std::vector<SwarmPlan> vetted_swarm_plans(
    const model::DesiredState& desired, const SwarmObservation& swarm, const Admission& admission,
    const std::function<const CouchbaseObservation*()>& couchbase,
    const std::function<const RabbitObservation*()>& rabbitmq);

}  // namespace swarmop::reconcilers
