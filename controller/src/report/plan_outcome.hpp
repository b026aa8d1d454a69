#pragma once

#include <cstddef>
#include <vector>

#include "swarmop/model/plan.hpp"

//! Counts over a whole plan, shared by the summary line of every format and the exit code.
namespace swarmop::report {

struct PlanTotals {
  std::size_t steps = 0;
  std::size_t blocked = 0;
  std::size_t in_sync = 0;      //!< reconcilers with nothing to do
  std::size_t reconcilers = 0;  //!< reconcilers that reported
};

PlanTotals totals_of(const std::vector<model::PlanReport>& reports);

//! Exit codes in the style of `terraform plan -detailed-exitcode`: 0 in sync, 2 changes pending
//! (blocked steps count as pending: the cluster does not match the file), 1 when
//! fail_on_blocked is set and a step is blocked, so a CI check can gate on it.
int plan_exit_code(const PlanTotals& totals, bool fail_on_blocked);

}  // namespace swarmop::report
