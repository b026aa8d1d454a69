#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::reconcilers {

model::StepDescription describe_step(std::string reconciler, std::string action, std::string kind,
                                     std::string object, std::string reason) {
  model::StepDescription out;
  out.reconciler = std::move(reconciler);
  out.action = std::move(action);
  out.kind = std::move(kind);
  out.object = std::move(object);
  out.reason = std::move(reason);
  return out;
}

model::PlanReport SwarmPlan::report() const {
  return report_of(reconciler, *this);
}

model::Error step_error(const model::StepDescription& step, model::Error error) {
  error.message = step.reconciler + " " + step.action + " " + step.kind + " " + step.object + ": " +
                  error.message;
  return error;
}

}  // namespace swarmop::reconcilers
