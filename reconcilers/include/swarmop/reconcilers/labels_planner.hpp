#pragma once

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::reconcilers {

inline constexpr const char* kLabels = "labels";

//! The node label that records which label keys this operator owns on the node
//! (comma-separated, sorted). Only those keys are ever removed; a label someone else set is
//! left alone. It lives on the node itself, so it survives a controller restart.
inline constexpr const char* kManagedLabelsKey = "swarm-operator.managed-labels";

//! Node labels and service placement (constraints, spread preferences). Labels the file adds
//! come before the constraints that need them; constraints are dropped before the labels they
//! need are removed. A constraint set that no Ready, active node satisfies is blocked, with the
//! nodes' labels in the reason. Pure: no I/O, no clock.
SwarmPlan plan_labels(const model::DesiredState& desired, const SwarmObservation& observed);

}  // namespace swarmop::reconcilers
