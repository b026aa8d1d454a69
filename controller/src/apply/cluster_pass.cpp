#include "apply/cluster_pass.hpp"

#include <memory>

#include "swarmop/reconcilers/rabbitmq_io.hpp"
#include "swarmop/reconcilers/swarm_reconcilers.hpp"

namespace swarmop::controller {

namespace {

template <class Plan>
void add_report(ClusterPass& pass, const Plan& plan, model::PlanReport report) {
  pass.steps += static_cast<int>(plan.steps.size());
  pass.waiting = pass.waiting || !plan.waiting.empty();
  pass.blocked = pass.blocked || !plan.blocked.empty();
  pass.reports.push_back(std::move(report));
}

}  // namespace

model::PlanReport rabbitmq_report(const model::DesiredState& desired,
                                  const reconcilers::SwarmObservation& swarm,
                                  clients::RabbitClient* rabbit) {
  model::PlanReport report;
  if (!desired.rabbitmq) {
    return report;
  }
  if (rabbit == nullptr) {
    report.reconciler = reconcilers::kRabbitmq;
    report.blocked.push_back(
        {reconcilers::describe_step(reconcilers::kRabbitmq, "observe", "cluster", "rabbitmq", ""),
         "no RabbitMQ management endpoint given (--rabbitmq, SWARM_OPERATOR_RABBITMQ or "
         "spec.rabbitmq.endpoints): the HA policy cannot be checked"});
    return report;
  }
  const auto observed = reconcilers::observe_rabbitmq(*rabbit, desired.rabbitmq->ha_policy.vhost);
  return reconcilers::plan_rabbitmq(desired, swarm, observed).report();
}

model::Expected<ClusterPass> plan_cluster(const model::DesiredState& desired,
                                          ClusterClients& clients) {
  auto observed = reconcilers::observe_swarm(clients.docker, desired, clients.engines);
  if (!observed) {
    return observed.error();
  }
  ClusterPass pass;
  // Shared so the step closures can outlive this frame.
  auto swarm = std::make_shared<reconcilers::SwarmObservation>(std::move(*observed));
  for (auto& plan : reconcilers::plan_swarm(desired, *swarm)) {
    add_report(pass, plan, plan.report());
    if (!pass.next && !plan.steps.empty()) {
      auto step = std::make_shared<reconcilers::SwarmStep>(plan.steps.front());
      pass.next = step->description;
      pass.apply_next = [step, &desired, &clients] {
        return reconcilers::apply_swarm_step(*step, clients.docker, desired, clients.engines);
      };
    }
  }
  if (desired.rabbitmq && clients.rabbit == nullptr) {
    auto report = rabbitmq_report(desired, *swarm, nullptr);
    pass.blocked = true;
    pass.reports.push_back(std::move(report));
  }
  if (desired.rabbitmq && clients.rabbit != nullptr) {
    const auto rabbit =
        reconcilers::observe_rabbitmq(*clients.rabbit, desired.rabbitmq->ha_policy.vhost);
    auto plan = reconcilers::plan_rabbitmq(desired, *swarm, rabbit);
    add_report(pass, plan, plan.report());
    if (!pass.next && !plan.steps.empty()) {
      auto step = std::make_shared<reconcilers::RabbitStep>(plan.steps.front());
      pass.next = step->description;
      pass.apply_next = [step, &clients] {
        return reconcilers::apply_rabbitmq_step(*step, clients.docker, *clients.rabbit);
      };
    }
  }
  return pass;
}

}  // namespace swarmop::controller
