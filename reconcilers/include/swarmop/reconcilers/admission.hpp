#pragma once

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/data_homes.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

//! The cluster-wide admission check every reconciler's steps pass before they are sent. Each
//! reconciler guards its own moves (quorum, Couchbase and RabbitMQ ordering); this guards what
//! none of them sees alone: a step that makes a stateful task start away from its data. A drain
//! or pause of the node holding it, a demotion, leave or removal of that node, a label change
//! that makes the service's constraints exclude it, a constraint or pin change that excludes
//! it, and any other update that restarts the task while its constraints let Swarm start it
//! elsewhere. On a real engine that task would come up over an empty directory: a new, empty
//! Couchbase, a rabbit node with a blank database under its old name. Pure.
namespace swarmop::reconcilers {

class Admission {
 public:
  Admission(const model::DesiredState& desired, const SwarmObservation& observed);

  //! Why the write must not be sent, or nullopt when it may.
  std::optional<std::string> refuse(const NodeUpdate& update) const;
  std::optional<std::string> refuse(const ServiceUpdate& update) const;
  std::optional<std::string> refuse(const LeaveSwarm& leave) const;
  std::optional<std::string> refuse(const RemoveNode& remove) const;
  //! Writes that move no task (joins, creations, data-store API calls) are the data-store
  //! reconcilers' own business.
  template <class Write>
  std::optional<std::string> refuse(const Write&) const {
    return std::nullopt;
  }

  const std::map<std::string, DataHome>& homes() const { return homes_; }

 private:
  std::optional<std::string> refuse_node_loss(const std::string& hostname,
                                              const std::string& what) const;
  const clients::DockerService* service_by_id(const std::string& id) const;

  const SwarmObservation& observed_;
  std::map<std::string, DataHome> homes_;
  NodeIndex nodes_;
};

//! Vets a plan's steps in order. The first refused step moves to `blocked` with the reason, and
//! the steps after it, which were planned on the state it would have left, move there too,
//! waiting for it: a reconciler never skips a step of its own plan.
template <class Plan>
void vet_plan(Plan& plan, const Admission& admission) {
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    auto refused = std::visit([&](const auto& write) { return admission.refuse(write); },
                              plan.steps[i].operation);
    if (!refused) {
      continue;
    }
    const auto first = plan.steps[i].description;
    plan.blocked.push_back({first, "data safety: " + *refused});
    for (std::size_t j = i + 1; j < plan.steps.size(); ++j) {
      plan.blocked.push_back(
          {plan.steps[j].description,
           "waits for the blocked step: " + first.action + " " + first.kind + " " + first.object});
    }
    plan.steps.erase(plan.steps.begin() + static_cast<std::ptrdiff_t>(i), plan.steps.end());
    return;
  }
}

}  // namespace swarmop::reconcilers
