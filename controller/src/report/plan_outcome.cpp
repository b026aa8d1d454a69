#include "report/plan_outcome.hpp"

namespace swarmop::report {

PlanTotals totals_of(const std::vector<model::PlanReport>& reports) {
  PlanTotals out;
  for (const auto& report : reports) {
    out.steps += report.steps.size();
    out.blocked += report.blocked.size();
    out.in_sync += report.in_sync() ? 1 : 0;
    ++out.reconcilers;
  }
  return out;
}

int plan_exit_code(const PlanTotals& totals, bool fail_on_blocked) {
  if (totals.blocked > 0 && fail_on_blocked) {
    return 1;
  }
  return totals.steps == 0 && totals.blocked == 0 ? 0 : 2;
}

}  // namespace swarmop::report
