#include "report/redact.hpp"

namespace swarmop::report {

namespace {

void redact_changes(std::vector<model::FieldChange>& changes) {
  for (auto& change : changes) {
    if (!is_redacted_path(change.path)) {
      continue;
    }
    if (!change.before.empty()) {
      change.before = kRedacted;
    }
    if (!change.after.empty()) {
      change.after = kRedacted;
    }
  }
}

}  // namespace

bool is_redacted_path(std::string_view path) {
  return path.rfind("env.", 0) == 0;
}

std::vector<model::PlanReport> redacted(std::vector<model::PlanReport> reports) {
  for (auto& report : reports) {
    for (auto& step : report.steps) {
      redact_changes(step.changes);
    }
    for (auto& blocked : report.blocked) {
      redact_changes(blocked.step.changes);
    }
  }
  return reports;
}

}  // namespace swarmop::report
