#include "apply/cluster_pass.hpp"

#include <memory>

#include "apply/manager_handover.hpp"
#include "swarmop/reconcilers/admission.hpp"
#include "swarmop/reconcilers/couchbase_io.hpp"
#include "swarmop/reconcilers/data_store_activity.hpp"
#include "swarmop/reconcilers/rabbitmq_io.hpp"
#include "swarmop/reconcilers/vetted_swarm_plans.hpp"

namespace swarmop::controller {

namespace {

ReconcilerPlan unobservable(const std::string& reconciler) {
  ReconcilerPlan plan;
  plan.report = unobserved_report(reconciler);
  plan.blocked = true;
  return plan;
}

//! Any reconciler's plan in the common shape; its first step applied through `apply`.
template <class Plan, class Step>
ReconcilerPlan plan_of(Plan plan, model::PlanReport report,
                       std::function<model::Expected<model::Unit>(const Step&)> apply) {
  ReconcilerPlan out;
  out.report = std::move(report);
  out.steps = static_cast<int>(plan.steps.size());
  out.waiting = !plan.waiting.empty();
  out.blocked = !plan.blocked.empty();
  if (!plan.steps.empty()) {
    auto step = std::make_shared<Step>(std::move(plan.steps.front()));
    out.next = step->description;
    out.apply_next = [step, apply] { return apply(*step); };
  }
  return out;
}

}  // namespace

model::PlanReport unobserved_report(const std::string& reconciler) {
  const std::string how =
      reconciler == reconcilers::kCouchbase
          ? "Couchbase admin endpoint (--couchbase, SWARM_OPERATOR_COUCHBASE or "
            "spec.couchbase.endpoints)"
          : "RabbitMQ management endpoint (--rabbitmq, SWARM_OPERATOR_RABBITMQ or "
            "spec.rabbitmq.endpoints)";
  model::PlanReport report;
  report.reconciler = reconciler;
  report.blocked.push_back(
      {reconcilers::describe_step(reconciler, "observe", "cluster", reconciler, ""),
       "no " + how + " given: this reconciler cannot check the cluster"});
  return report;
}

const std::vector<std::string>& reconciler_names() {
  static const std::vector<std::string> names = {reconcilers::kMembership, reconcilers::kLabels,
                                                 reconcilers::kPlacement, reconcilers::kCouchbase,
                                                 reconcilers::kRabbitmq};
  return names;
}

std::vector<ReconcilerPlan> plan_reconcilers(
    const model::DesiredState& desired, ClusterClients& clients,
    std::shared_ptr<const reconcilers::SwarmObservation> swarm,
    const std::optional<std::string>& only) {
  std::vector<ReconcilerPlan> out;
  const auto wanted = [&](const char* name) { return !only || *only == name; };
  // The data stores, each observed at most once per pass: for its own plan, or for the
  // admission check when another reconciler's step is disruptive.
  std::optional<reconcilers::CouchbaseObservation> couchbase;
  std::optional<reconcilers::RabbitObservation> rabbitmq;
  const auto observed_couchbase = [&]() -> const reconcilers::CouchbaseObservation* {
    if (!couchbase && desired.couchbase && clients.couchbase != nullptr) {
      couchbase = reconcilers::observe_couchbase(*clients.couchbase, clients.docker, desired);
    }
    return couchbase ? &*couchbase : nullptr;
  };
  const auto observed_rabbitmq = [&]() -> const reconcilers::RabbitObservation* {
    if (!rabbitmq && desired.rabbitmq && clients.rabbit != nullptr) {
      rabbitmq = reconcilers::observe_rabbitmq(*clients.rabbit, desired.rabbitmq->ha_policy.vhost);
    }
    return rabbitmq ? &*rabbitmq : nullptr;
  };
  // Every reconciler's steps pass the same cluster-wide check before one can be sent.
  reconcilers::Admission admission(desired, *swarm);
  admission.set_activity_source(
      [&] { return reconcilers::data_store_activity(observed_couchbase(), observed_rabbitmq()); });
  if (wanted(reconcilers::kMembership) || wanted(reconcilers::kLabels) ||
      wanted(reconcilers::kPlacement)) {
    for (auto& plan : reconcilers::vetted_swarm_plans(desired, *swarm, admission,
                                                      observed_couchbase, observed_rabbitmq)) {
      auto report = plan.report();
      if (!wanted(report.reconciler.c_str())) {
        continue;
      }
      std::function<model::Expected<model::Unit>(const reconcilers::SwarmStep&)> apply =
          [&desired, &clients, swarm](const reconcilers::SwarmStep& step) {
            auto kept = keep_a_manager_to_talk_to(step, desired, clients, *swarm);
            if (!kept) {
              return model::Expected<model::Unit>(
                  reconcilers::step_error(step.description, kept.error()));
            }
            return reconcilers::apply_swarm_step(step, clients.docker, desired, clients.engines);
          };
      out.push_back(plan_of(std::move(plan), std::move(report), apply));
    }
  }
  if (desired.couchbase && wanted(reconcilers::kCouchbase)) {
    if (clients.couchbase == nullptr) {
      out.push_back(unobservable(reconcilers::kCouchbase));
    } else {
      auto plan = reconcilers::plan_couchbase(desired, *swarm, *observed_couchbase());
      reconcilers::vet_plan(plan, admission);
      auto report = plan.report();
      std::function<model::Expected<model::Unit>(const reconcilers::CouchbaseStep&)> apply =
          [&clients](const reconcilers::CouchbaseStep& step) {
            return reconcilers::apply_couchbase_step(step, clients.docker, *clients.couchbase);
          };
      out.push_back(plan_of(std::move(plan), std::move(report), apply));
      out.back().failure = observed_couchbase()->credentials_refused;
    }
  }
  if (desired.rabbitmq && wanted(reconcilers::kRabbitmq)) {
    if (clients.rabbit == nullptr) {
      out.push_back(unobservable(reconcilers::kRabbitmq));
    } else {
      auto plan = reconcilers::plan_rabbitmq(desired, *swarm, *observed_rabbitmq());
      reconcilers::vet_plan(plan, admission);
      auto report = plan.report();
      std::function<model::Expected<model::Unit>(const reconcilers::RabbitStep&)> apply =
          [&clients](const reconcilers::RabbitStep& step) {
            return reconcilers::apply_rabbitmq_step(step, clients.docker, *clients.rabbit);
          };
      out.push_back(plan_of(std::move(plan), std::move(report), apply));
      out.back().failure = observed_rabbitmq()->credentials_refused;
    }
  }
  return out;
}

model::Expected<ClusterPass> plan_cluster(const model::DesiredState& desired,
                                          ClusterClients& clients) {
  auto observed = reconcilers::observe_swarm(clients.docker, desired, clients.engines);
  if (!observed) {
    return observed.error();
  }
  ClusterPass pass;
  // Shared so the step closures can outlive this frame.
  auto swarm = std::make_shared<const reconcilers::SwarmObservation>(std::move(*observed));
  for (auto& plan : plan_reconcilers(desired, clients, swarm)) {
    if (plan.failure) {
      return *plan.failure;
    }
    pass.steps += plan.steps;
    pass.waiting = pass.waiting || plan.waiting;
    pass.blocked = pass.blocked || plan.blocked;
    if (!pass.next && plan.next) {
      pass.next = plan.next;
      pass.apply_next = plan.apply_next;
    }
    pass.reports.push_back(std::move(plan.report));
  }
  return pass;
}

}  // namespace swarmop::controller
