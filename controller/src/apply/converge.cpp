#include "apply/converge.hpp"

#include <algorithm>

namespace swarmop::controller {

namespace {

//! The wait before the Nth retry (N from 1): twice the poll interval, doubling, capped.
std::chrono::milliseconds retry_delay(const ConvergeOptions& options, int attempt) {
  const int exponent = std::clamp(attempt - 1, 0, 10);
  return std::min(options.poll * 2 * (1 << exponent), options.max_backoff);
}

//! Moves `step` from its reconciler's steps to its blocked steps.
void block_in_reports(std::vector<model::PlanReport>& reports, const model::StepDescription& step,
                      const std::string& reason) {
  for (auto& report : reports) {
    if (report.reconciler != step.reconciler) {
      continue;
    }
    std::erase(report.steps, step);
    report.blocked.push_back({step, reason});
  }
}

}  // namespace

ConvergeResult converge(const model::DesiredState& desired, ClusterClients& clients,
                        const ConvergeOptions& options,
                        const std::function<void(const StepReport&)>& on_step,
                        const std::function<void(std::chrono::milliseconds)>& sleep) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.timeout;
  ConvergeResult result;
  int conflicts = 0;
  int transient_failures = 0;  // in a row
  int repeats = 0;             // how many times in a row the last step was applied
  bool backed_off = false;     // the wait before retrying it is done
  // Every wait ends by the deadline: the loop then reports the timeout rather than oversleep it.
  const auto wait = [&](std::chrono::milliseconds pause) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    sleep(std::clamp(left, std::chrono::milliseconds(0), pause));
  };
  // After a transient failure: wait (doubling) and observe again, while the budget and the
  // deadline allow.
  const auto back_off_transient = [&](const model::Error& error) {
    if (error.code != model::ErrorCode::kTransient ||
        ++transient_failures > options.max_transient_failures || Clock::now() >= deadline) {
      return false;
    }
    wait(retry_delay(options, transient_failures));
    return true;
  };
  // The clients cut a call short at the deadline, or refuse it once passed, as a transient
  // failure: past the deadline that is the timeout, not an error of the cluster.
  const auto timed_out = [&](const model::Error& error) {
    if (error.code != model::ErrorCode::kTransient || Clock::now() < deadline) {
      return false;
    }
    result.outcome = ConvergeOutcome::kTimeout;
    result.error = error;
    return true;
  };
  // Stops between steps: the step it would send next is recorded, never sent.
  const auto stopped = [&](const std::optional<model::StepDescription>& next) {
    if (!options.stop_requested || !options.stop_requested()) {
      return false;
    }
    result.outcome = ConvergeOutcome::kStopped;
    result.stopped_before = next;
    return true;
  };
  for (;;) {
    auto pass = plan_cluster(desired, clients);
    if (!pass) {
      if (back_off_transient(pass.error())) {
        continue;
      }
      if (timed_out(pass.error())) {
        return result;
      }
      result.outcome = ConvergeOutcome::kError;
      result.error = pass.error();
      return result;
    }
    result.last_reports = pass->reports;
    if (!pass->next) {
      if (!pass->waiting) {
        result.outcome = pass->blocked ? ConvergeOutcome::kBlocked : ConvergeOutcome::kInSync;
        return result;
      }
      if (stopped(std::nullopt)) {
        return result;
      }
      if (Clock::now() >= deadline) {
        result.outcome = ConvergeOutcome::kTimeout;
        return result;
      }
      wait(options.poll);
      continue;
    }
    if (stopped(*pass->next)) {
      return result;
    }
    if (Clock::now() >= deadline) {
      result.outcome = ConvergeOutcome::kTimeout;
      return result;
    }
    const bool same_again = !result.applied.empty() && result.applied.back() == *pass->next;
    if (same_again && !backed_off) {
      // It did not take. Wait, then observe again: the cause may have passed by then.
      wait(retry_delay(options, repeats));
      backed_off = true;
      continue;
    }
    if (auto refused = options.may_write ? options.may_write() : std::nullopt) {
      result.outcome = ConvergeOutcome::kError;
      result.error = std::move(*refused);
      result.stopped_before = *pass->next;
      return result;
    }
    StepReport report;
    report.retry = same_again ? repeats : 0;
    report.number = result.steps_applied + 1;
    report.total = result.steps_applied + pass->steps;
    report.step = *pass->next;
    if (options.on_start) {
      options.on_start(report);
    }
    const auto started = Clock::now();
    auto applied = pass->apply_next();
    report.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    if (!applied) {
      report.error = applied.error();
      report.conflict = applied.error().code == model::ErrorCode::kConflict;
      on_step(report);
      if (report.conflict && ++conflicts <= options.max_conflicts) {
        continue;  // someone else wrote the object: observe again and re-plan
      }
      if (!report.conflict && back_off_transient(applied.error())) {
        continue;
      }
      if (timed_out(applied.error())) {
        return result;
      }
      if (applied.error().code == model::ErrorCode::kUnsafe) {
        // A guard at the moment of sending refused it: the step is blocked, with its reason.
        block_in_reports(result.last_reports, *pass->next, applied.error().message);
        result.outcome = ConvergeOutcome::kBlocked;
        result.error = applied.error();
        return result;
      }
      result.outcome = ConvergeOutcome::kError;
      result.error = applied.error();
      return result;
    }
    conflicts = 0;
    transient_failures = 0;
    repeats = same_again ? repeats + 1 : 1;
    backed_off = false;
    on_step(report);
    ++result.steps_applied;
    result.applied.push_back(*pass->next);
  }
}

}  // namespace swarmop::controller
