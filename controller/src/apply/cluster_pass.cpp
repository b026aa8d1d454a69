#include "apply/cluster_pass.hpp"

#include <memory>

#include "swarmop/reconcilers/couchbase_io.hpp"
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

//! A data store's report when no client was given: the reconciler cannot observe.
model::PlanReport cannot_observe(const char* reconciler, const std::string& how) {
  model::PlanReport report;
  report.reconciler = reconciler;
  report.blocked.push_back(
      {reconcilers::describe_step(reconciler, "observe", "cluster", reconciler, ""),
       "no " + how + " given: this reconciler cannot check the cluster"});
  return report;
}

const std::string kRabbitHow =
    "RabbitMQ management endpoint (--rabbitmq, SWARM_OPERATOR_RABBITMQ or "
    "spec.rabbitmq.endpoints)";
const std::string kCouchbaseHow =
    "Couchbase admin endpoint (--couchbase, SWARM_OPERATOR_COUCHBASE or "
    "spec.couchbase.endpoints)";

//! Plans one data store and makes its first step the pass's next one if none is yet.
template <class Plan, class Apply>
void add_data_plan(ClusterPass& pass, Plan plan, Apply apply) {
  add_report(pass, plan, plan.report());
  if (!pass.next && !plan.steps.empty()) {
    auto step = std::make_shared<typename decltype(plan.steps)::value_type>(plan.steps.front());
    pass.next = step->description;
    pass.apply_next = [step, apply] { return apply(*step); };
  }
}

}  // namespace

model::PlanReport rabbitmq_report(const model::DesiredState& desired,
                                  const reconcilers::SwarmObservation& swarm,
                                  clients::RabbitClient* rabbit) {
  if (!desired.rabbitmq) {
    return {};
  }
  if (rabbit == nullptr) {
    return cannot_observe(reconcilers::kRabbitmq, kRabbitHow);
  }
  const auto observed = reconcilers::observe_rabbitmq(*rabbit, desired.rabbitmq->ha_policy.vhost);
  return reconcilers::plan_rabbitmq(desired, swarm, observed).report();
}

model::PlanReport couchbase_report(const model::DesiredState& desired,
                                   const reconcilers::SwarmObservation& swarm,
                                   clients::CouchbaseClient* couchbase) {
  if (!desired.couchbase) {
    return {};
  }
  if (couchbase == nullptr) {
    return cannot_observe(reconcilers::kCouchbase, kCouchbaseHow);
  }
  const auto observed = reconcilers::observe_couchbase(*couchbase);
  return reconcilers::plan_couchbase(desired, swarm, observed).report();
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
  if (desired.couchbase && clients.couchbase == nullptr) {
    pass.blocked = true;
    pass.reports.push_back(cannot_observe(reconcilers::kCouchbase, kCouchbaseHow));
  } else if (desired.couchbase) {
    add_data_plan(pass,
                  reconcilers::plan_couchbase(desired, *swarm,
                                              reconcilers::observe_couchbase(*clients.couchbase)),
                  [&clients](const reconcilers::CouchbaseStep& step) {
                    return reconcilers::apply_couchbase_step(step, clients.docker,
                                                             *clients.couchbase);
                  });
  }
  if (desired.rabbitmq && clients.rabbit == nullptr) {
    pass.blocked = true;
    pass.reports.push_back(cannot_observe(reconcilers::kRabbitmq, kRabbitHow));
  } else if (desired.rabbitmq) {
    add_data_plan(
        pass,
        reconcilers::plan_rabbitmq(
            desired, *swarm,
            reconcilers::observe_rabbitmq(*clients.rabbit, desired.rabbitmq->ha_policy.vhost)),
        [&clients](const reconcilers::RabbitStep& step) {
          return reconcilers::apply_rabbitmq_step(step, clients.docker, *clients.rabbit);
        });
  }
  return pass;
}

}  // namespace swarmop::controller
