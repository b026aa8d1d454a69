#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::reconcilers {

model::PlanReport SwarmPlan::report() const {
  model::PlanReport out;
  out.reconciler = reconciler;
  for (const auto& step : steps) {
    out.steps.push_back(step.description);
  }
  out.blocked = blocked;
  out.findings = findings;
  out.waiting = waiting;
  return out;
}

}  // namespace swarmop::reconcilers
