#include "swarmop/reconcilers/vetted_swarm_plans.hpp"

namespace swarmop::reconcilers {

std::vector<SwarmPlan> vetted_swarm_plans(
    const model::DesiredState& desired, const SwarmObservation& swarm, const Admission& admission,
    const std::function<const CouchbaseObservation*()>& couchbase,
    const std::function<const RabbitObservation*()>& rabbitmq) {
  auto plans = plan_swarm(desired, swarm);
  for (auto& plan : plans) {
    if (plan.reconciler == kLabels) {
      hold_unconfirmed_records(plan, desired, swarm, couchbase, rabbitmq);
    }
    vet_plan(plan, admission);
  }
  return plans;
}

}  // namespace swarmop::reconcilers
