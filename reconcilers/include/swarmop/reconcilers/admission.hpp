#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/data_homes.hpp"
#include "swarmop/reconcilers/data_store_activity.hpp"
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

//! Why a step may not go now: refused for data safety (blocked until the file or the cluster
//! changes), or to wait for a data store's activity to end.
struct Verdict {
  std::string reason;
  bool wait = false;
};

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

  //! Where the data stores' current activity comes from: asked (once) only when a disruptive
  //! step is vetted, so a pass with none reads no data store for it.
  void set_activity_source(std::function<std::vector<DataStoreActivity>()> source) {
    activity_source_ = std::move(source);
  }

  //! The whole check for one step of `step.reconciler`: its data safety (refuse), then, for a
  //! disruptive write (a drain or pause, a demotion, a leave or removal, a restart of a stateful
  //! service), that no data store is doing something it must not overlap; a data store's own
  //! reconciler orders its own steps.
  template <class Write>
  std::optional<Verdict> vet(const model::StepDescription& step, const Write& write) const {
    if (auto refused = refuse(write)) {
      return Verdict{"data safety: " + *refused, false};
    }
    if (!disruptive(write)) {
      return std::nullopt;
    }
    for (const auto& busy : activity()) {
      if (busy.reconciler != step.reconciler) {
        return Verdict{"one disruptive step at a time: " + busy.what, true};
      }
    }
    return std::nullopt;
  }

  const std::map<std::string, DataHome>& homes() const { return homes_; }

 private:
  bool disruptive(const NodeUpdate& update) const;
  bool disruptive(const ServiceUpdate& update) const;
  bool disruptive(const LeaveSwarm&) const { return true; }
  bool disruptive(const RemoveNode&) const { return true; }
  template <class Write>
  bool disruptive(const Write&) const {
    return false;
  }
  const std::vector<DataStoreActivity>& activity() const;

  std::optional<std::string> refuse_node_loss(const std::string& hostname,
                                              const std::string& what) const;
  const clients::DockerService* service_by_id(const std::string& id) const;

  const SwarmObservation& observed_;
  std::map<std::string, DataHome> homes_;
  NodeIndex nodes_;
  std::function<std::vector<DataStoreActivity>()> activity_source_;
  mutable std::optional<std::vector<DataStoreActivity>> activity_;
};

//! Vets a plan's steps in order. The first step refused for data safety moves to `blocked` with
//! the reason; one that must wait for a data store's activity becomes a `waiting` line. The
//! steps after it, planned on the state it would have left, go with it (blocked waiting for it,
//! or counted in the waiting line): a reconciler never skips a step of its own plan.
template <class Plan>
void vet_plan(Plan& plan, const Admission& admission) {
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    auto verdict = std::visit(
        [&](const auto& write) { return admission.vet(plan.steps[i].description, write); },
        plan.steps[i].operation);
    if (!verdict) {
      continue;
    }
    const auto first = plan.steps[i].description;
    const std::string name = first.action + " " + first.kind + " " + first.object;
    const std::size_t after = plan.steps.size() - i - 1;
    if (verdict->wait) {
      plan.waiting.push_back(name + " (and " + std::to_string(after) +
                             " step(s) after it): " + verdict->reason);
    } else {
      plan.blocked.push_back({first, verdict->reason});
      for (std::size_t j = i + 1; j < plan.steps.size(); ++j) {
        plan.blocked.push_back({plan.steps[j].description, "waits for the blocked step: " + name});
      }
    }
    plan.steps.erase(plan.steps.begin() + static_cast<std::ptrdiff_t>(i), plan.steps.end());
    return;
  }
}

}  // namespace swarmop::reconcilers
