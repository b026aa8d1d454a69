#pragma once

#include <optional>
#include <string>
#include <vector>

#include "swarmop/reconcilers/swarm_observation.hpp"

//! A data store whose API does not answer while Swarm restarts one of its node services (an
//! update rolling, a task starting) is waiting for that restart, not blocked: the API answers
//! again once the task runs. Pure.
namespace swarmop::reconcilers {

//! "iservices_rabbitmq restarts (update in progress)" or "... (0 of 1 tasks running)" for the
//! first of `services` (full names) Swarm is restarting; nullopt when every one runs settled.
std::optional<std::string> data_store_restarting(const SwarmObservation& observed,
                                                 const std::vector<std::string>& services);

}  // namespace swarmop::reconcilers
