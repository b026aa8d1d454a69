#pragma once

#include "apply/cluster_pass.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::controller {

//! Never cut the branch the operator sits on: before a step that takes a manager away (a
//! demotion, a leave), asks the engine it talks through which node it is. When it is that
//! manager, moves to another reachable manager whose engine the file lists (spec.swarm.nodes[]
//! .engine) and that stays a manager; when there is none, refuses the step (ErrorCode::kUnsafe)
//! naming what to set. One /info read, and only before such a step.
model::Expected<model::Unit> keep_a_manager_to_talk_to(const reconcilers::SwarmStep& step,
                                                       const model::DesiredState& desired,
                                                       ClusterClients& clients,
                                                       const reconcilers::SwarmObservation& swarm);

}  // namespace swarmop::controller
