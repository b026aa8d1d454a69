#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "swarmop/model/error.hpp"
#include "swarmop/model/plan.hpp"

namespace swarmop::reconcilers {

//! The writes a swarm step makes. Each carries what the write needs, read from the observation
//! the plan was made from: the object version (Swarm rejects a stale one, and the controller
//! then re-observes) and the full spec to send, every field the operator does not manage kept
//! as it was read.
struct NodeUpdate {
  std::string node_id;
  std::string hostname;  //!< for messages: "update node node2: ..."
  std::uint64_t version = 0;
  boost::json::object spec;
};
//! A data store's node service the manual has people add by hand, copied from the primary's.
struct CreateService {
  boost::json::object spec;
};
struct ServiceUpdate {
  std::string service_id;
  std::uint64_t version = 0;
  boost::json::object spec;
};
//! Joined through the node's own engine, with the join token of `role` read at apply time
//! (tokens never enter a plan).
struct JoinNode {
  std::string hostname;
  std::string role;
};
//! The node's own engine leaves the swarm (a worker: managers are demoted first).
struct LeaveSwarm {
  std::string hostname;
};
struct RemoveNode {
  std::string node_id;
};

using SwarmOperation = std::variant<NodeUpdate, ServiceUpdate, JoinNode, LeaveSwarm, RemoveNode>;

//! A failed step's error, its message prefixed with what was attempted ("couchbase rebalance
//! cluster couchbase: ...").
model::Error step_error(const model::StepDescription& step, model::Error error);

//! A step description for `reconciler`: the planners' shared shorthand.
model::StepDescription describe_step(std::string reconciler, std::string action, std::string kind,
                                     std::string object, std::string reason);

//! The printable form of any reconciler's plan (steps without their operations).
template <class Plan>
model::PlanReport report_of(std::string reconciler, const Plan& plan) {
  model::PlanReport out;
  out.reconciler = std::move(reconciler);
  for (const auto& step : plan.steps) {
    out.steps.push_back(step.description);
  }
  out.blocked = plan.blocked;
  out.findings = plan.findings;
  out.waiting = plan.waiting;
  return out;
}

struct SwarmStep {
  model::StepDescription description;
  SwarmOperation operation;
};

//! One swarm reconciler's plan. Steps are in execution order; each was checked against the
//! state the steps before it leave behind. The controller applies the first step only and then
//! observes and plans again, so the later steps show where the plan is going and their
//! versions are never sent.
struct SwarmPlan {
  std::string reconciler;
  std::vector<SwarmStep> steps;
  std::vector<model::BlockedStep> blocked;
  std::vector<model::Finding> findings;
  std::vector<std::string> waiting;

  model::PlanReport report() const;
};

}  // namespace swarmop::reconcilers
