#pragma once

#include <ostream>
#include <vector>

#include "swarmop/model/plan.hpp"

namespace swarmop::controller {

//! One line naming a step: "membership: promote node node2 (role worker -> manager)".
std::string step_headline(const model::StepDescription& step);

//! The plan as text, grouped by reconciler: `~` a change, `+`/`-` a field added or removed,
//! `!` a blocked step with why, then findings and what is in progress, and a summary line.
void print_plan_text(const std::vector<model::PlanReport>& reports, std::ostream& out);

//! "3 to change, 1 blocked, 2 reconcilers in sync"
std::string plan_summary(const std::vector<model::PlanReport>& reports);

}  // namespace swarmop::controller
