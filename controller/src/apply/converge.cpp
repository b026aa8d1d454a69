#include "apply/converge.hpp"

#include "swarmop/reconcilers/swarm_reconcilers.hpp"

namespace swarmop::controller {

namespace {

int count_steps(const std::vector<reconcilers::SwarmPlan>& plans) {
  int total = 0;
  for (const auto& plan : plans) {
    total += static_cast<int>(plan.steps.size());
  }
  return total;
}

bool any(const std::vector<reconcilers::SwarmPlan>& plans,
         bool (*has)(const reconcilers::SwarmPlan&)) {
  for (const auto& plan : plans) {
    if (has(plan)) {
      return true;
    }
  }
  return false;
}

}  // namespace

ConvergeResult converge_swarm(const model::DesiredState& desired, clients::DockerClient& manager,
                              const reconcilers::EngineConnector& engines,
                              const ConvergeOptions& options,
                              const std::function<void(const StepReport&)>& on_step,
                              const std::function<void(std::chrono::milliseconds)>& sleep) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.timeout;
  ConvergeResult result;
  int conflicts = 0;
  for (;;) {
    auto observed = reconcilers::observe_swarm(manager, desired, engines);
    if (!observed) {
      result.outcome = ConvergeOutcome::kError;
      result.error = observed.error();
      return result;
    }
    result.last_plans = reconcilers::plan_swarm(desired, *observed);
    const reconcilers::SwarmStep* next = nullptr;
    for (const auto& plan : result.last_plans) {
      if (!plan.steps.empty()) {
        next = &plan.steps.front();
        break;
      }
    }
    if (next == nullptr) {
      const bool waiting = any(result.last_plans,
                               [](const reconcilers::SwarmPlan& p) { return !p.waiting.empty(); });
      if (!waiting) {
        const bool blocked = any(
            result.last_plans, [](const reconcilers::SwarmPlan& p) { return !p.blocked.empty(); });
        result.outcome = blocked ? ConvergeOutcome::kBlocked : ConvergeOutcome::kInSync;
        return result;
      }
      if (Clock::now() >= deadline) {
        result.outcome = ConvergeOutcome::kTimeout;
        return result;
      }
      sleep(options.poll);
      continue;
    }
    if (Clock::now() >= deadline) {
      result.outcome = ConvergeOutcome::kTimeout;
      return result;
    }
    StepReport report;
    report.number = result.steps_applied + 1;
    report.total = result.steps_applied + count_steps(result.last_plans);
    report.step = next->description;
    const auto started = Clock::now();
    auto applied = reconcilers::apply_swarm_step(*next, manager, desired, engines);
    report.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    if (!applied) {
      report.error = applied.error();
      report.conflict = applied.error().code == model::ErrorCode::kConflict;
      on_step(report);
      if (report.conflict && ++conflicts <= options.max_conflicts) {
        continue;  // someone else wrote the object: observe again and re-plan
      }
      result.outcome = ConvergeOutcome::kError;
      result.error = applied.error();
      return result;
    }
    conflicts = 0;
    on_step(report);
    ++result.steps_applied;
    result.applied.push_back(next->description);
  }
}

}  // namespace swarmop::controller
