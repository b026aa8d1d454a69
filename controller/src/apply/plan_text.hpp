#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "swarmop/model/plan.hpp"

namespace swarmop::controller {

struct TextOptions {
  bool color = false;  //!< ANSI colour (decided by the caller: --color and the terminal)
};

//! One line naming a step: "membership: promote node node2 (role worker -> manager)".
//! Redacted values (env) print as "(redacted)".
std::string step_headline(const model::StepDescription& step);

//! The plan as text, in the style of `terraform plan`, grouped by reconciler then object:
//! each step marked `+` (creates or joins), `-` (removes or leaves) or `~` (changes), with its
//! fields marked the same way; `!` a blocked step with why; then findings, what is in progress,
//! and the summary line. Works on any list of reports, whatever the reconcilers.
void print_plan_text(const std::vector<model::PlanReport>& reports, std::ostream& out,
                     const TextOptions& options = {});

//! "3 to change, 1 blocked, 2 reconcilers in sync"
std::string plan_summary(const std::vector<model::PlanReport>& reports);

//! '+', '-' or '~' for a step's action; shared by every format.
char step_marker(const model::StepDescription& step);

}  // namespace swarmop::controller
