#pragma once

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::reconcilers {

inline constexpr const char* kPlacement = "placement";

//! Per service the file lists: replicas, max replicas per node, restart delay, stop grace
//! period, env and resources converge in one update; every other field of the spec is sent back
//! as read. Then what really runs is checked: a node over the max-replicas limit (which a lower
//! limit alone never fixes) or a `spread` service whose running tasks are uneven across its
//! eligible Ready nodes gets one rolling force-update, never while a rollout is in progress or
//! after one paused or rolled back. Pending tasks are reported with the engine's reason. Pure.
SwarmPlan plan_placement(const model::DesiredState& desired, const SwarmObservation& observed);

}  // namespace swarmop::reconcilers
