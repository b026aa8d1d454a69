#pragma once

#include <boost/json/value.hpp>
#include <ostream>
#include <vector>

#include "swarmop/model/plan.hpp"

//! `plan --output json`: the versioned format documented in docs/plan-report.md and described
//! by crd/plan-report.schema.json. Flat lists (one entry per step, per blocked step, per
//! finding) so CI scripts can filter with jq without walking reconcilers.
namespace swarmop::report {

inline constexpr const char* kPlanApiVersion = "swarm-operator/plan/v1";

//! The plan as JSON, redacted (see redact.hpp).
boost::json::value plan_to_json(const std::vector<model::PlanReport>& reports);

void print_plan_json(const std::vector<model::PlanReport>& reports, std::ostream& out);

}  // namespace swarmop::report
