#include "watch/removal_settle.hpp"

#include <algorithm>

namespace swarmop::watch {

bool removes_members(const model::StepDescription& step) {
  if (step.action == "leave" || (step.action == "remove" && step.kind == "node")) {
    return true;
  }
  return step.action == "rebalance" &&
         std::any_of(step.changes.begin(), step.changes.end(), [](const model::FieldChange& c) {
           return c.path == "ejectedNodes" && !c.after.empty();
         });
}

std::optional<std::string> removal_wait(const model::StepDescription& step,
                                        std::chrono::steady_clock::time_point first_seen,
                                        std::chrono::steady_clock::time_point now,
                                        std::chrono::milliseconds settle) {
  if (!removes_members(step) || now - first_seen >= settle) {
    return std::nullopt;
  }
  const auto stood = std::chrono::duration_cast<std::chrono::milliseconds>(now - first_seen);
  return step.action + " " + step.kind + " " + step.object +
         " takes a member away for good: it waits until the file content it acts on has stood " +
         std::to_string(settle.count() / 1000) + " s (--removal-settle; it has stood " +
         std::to_string(stood.count() / 1000) + " s)";
}

}  // namespace swarmop::watch
