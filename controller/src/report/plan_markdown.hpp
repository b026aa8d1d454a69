#pragma once

#include <cstddef>
#include <ostream>
#include <vector>

#include "swarmop/model/plan.hpp"

//! `plan --output markdown`: a pull-request comment. The summary line, a table with one row
//! per reconciler, blocked steps listed up front, then one collapsible section per object.
namespace swarmop::report {

struct MarkdownOptions {
  //! Upper bound of the whole comment in bytes. GitHub refuses comments over 65536 characters;
  //! the default leaves room for a CI job's own header. When the details do not fit, the
  //! summary, the table and every blocked step are still printed, and a closing note says how
  //! many steps were left out of the details: a plan is summarised, never cut silently.
  std::size_t max_bytes = 60000;
};

void print_plan_markdown(const std::vector<model::PlanReport>& reports, std::ostream& out,
                         const MarkdownOptions& options = {});

}  // namespace swarmop::report
