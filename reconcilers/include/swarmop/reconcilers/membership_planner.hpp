#pragma once

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::reconcilers {

inline constexpr const char* kMembership = "membership";

//! Swarm membership: joins, promotions, availability, demotions, leaves and (with prune)
//! removals, in the order that keeps quorum: promote before demote, one role change per step,
//! the leader last. A step that would leave the reachable managers short of a majority of the
//! managers that remain is blocked with the arithmetic; a drain that would leave a service
//! without room is blocked with the services' names. Pure: no I/O, no clock.
SwarmPlan plan_membership(const model::DesiredState& desired, const SwarmObservation& observed);

}  // namespace swarmop::reconcilers
