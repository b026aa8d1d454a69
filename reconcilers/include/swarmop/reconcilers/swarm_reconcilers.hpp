#pragma once

#include <vector>

#include "swarmop/reconcilers/labels_planner.hpp"
#include "swarmop/reconcilers/membership_planner.hpp"
#include "swarmop/reconcilers/placement_planner.hpp"

namespace swarmop::reconcilers {

//! The three swarm reconcilers' plans from one observation, in the order their steps are
//! applied when several have work: membership, labels & constraints, placement.
inline std::vector<SwarmPlan> plan_swarm(const model::DesiredState& desired,
                                         const SwarmObservation& observed) {
  return {plan_membership(desired, observed), plan_labels(desired, observed),
          plan_placement(desired, observed)};
}

}  // namespace swarmop::reconcilers
