#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "apply/cluster_pass.hpp"

namespace swarmop::controller {

//! What happened to one step, for progress lines.
struct StepReport {
  int number = 0;  //!< 1-based
  int total = 0;   //!< steps done so far plus those the current plan still holds
  model::StepDescription step;
  std::chrono::milliseconds took{0};
  std::optional<model::Error> error;  //!< set when the write failed
  bool conflict = false;              //!< failed on a stale version: re-observed and re-planned
  int retry = 0;  //!< 0, or how many times this same step was applied just before (backoff)
};

struct ConvergeOptions {
  std::chrono::milliseconds timeout = std::chrono::minutes(10);
  //! How often to look again while something the plan waits for (a rollout, a join) settles.
  std::chrono::milliseconds poll = std::chrono::milliseconds(500);
  //! Version conflicts in a row before giving up (each one re-observes first).
  int max_conflicts = 10;
  //! A step planned again right after it was applied did not take (a rebalance that failed):
  //! before it is retried the loop waits 2 x poll, doubling with each retry, at most this.
  std::chrono::milliseconds max_backoff = std::chrono::seconds(60);
  //! Transient failures in a row (5xx, a timeout, a manager that does not answer) before giving
  //! up. Each waits 2 x poll, doubling, at most max_backoff, then observes again: a write that
  //! timed out may have been applied, and the new plan says whether it is still needed.
  int max_transient_failures = 5;
  //! Called just before a step's write is sent (number, total and step set), so a terminal can
  //! show the step while it runs; on_step reports how it ended.
  std::function<void(const StepReport&)> on_start;
  //! Asked after each observation, before a step is sent and before a wait (apply's SIGINT and
  //! SIGTERM). Once true the loop sends no new step and returns kStopped; the step in flight
  //! was finished first. Unset: never.
  std::function<bool()> stop_requested;
  //! Asked just before each step is sent: an error ends the loop with kError and that error,
  //! the step unsent (apply: it no longer holds the single-writer lease). Unset: always may.
  std::function<std::optional<model::Error>()> may_write;
};

enum class ConvergeOutcome { kInSync, kBlocked, kTimeout, kError, kStopped };

struct ConvergeResult {
  ConvergeOutcome outcome = ConvergeOutcome::kError;
  int steps_applied = 0;
  std::vector<model::StepDescription> applied;
  std::vector<model::PlanReport> last_reports;  //!< from the last observation
  //! With kStopped, or kError from may_write: the step the plan would have sent next (none
  //! while it only waited).
  std::optional<model::StepDescription> stopped_before;
  std::optional<model::Error> error;  //!< with kTimeout: the call the deadline cut short, if any
};

//! Apply's loop: observe, plan every reconciler, apply the first step, observe again, until
//! in sync, only blocked steps remain, an error that retrying cannot fix (or transient ones
//! past max_transient_failures), the timeout, or a stop request. `sleep` is injected so that
//! tests on a simulated clock can move time instead of waiting.
ConvergeResult converge(const model::DesiredState& desired, ClusterClients& clients,
                        const ConvergeOptions& options,
                        const std::function<void(const StepReport&)>& on_step,
                        const std::function<void(std::chrono::milliseconds)>& sleep);

}  // namespace swarmop::controller
