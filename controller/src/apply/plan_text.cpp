#include "apply/plan_text.hpp"

#include "report/color.hpp"
#include "report/plan_outcome.hpp"
#include "report/redact.hpp"

namespace swarmop::controller {

namespace {

std::string shown(const std::string& value) {
  return value.empty() ? "(none)" : value;
}

char field_marker(const model::FieldChange& change) {
  return change.before.empty() ? '+' : change.after.empty() ? '-' : '~';
}

std::string marked(const report::Palette& palette, char marker) {
  const std::string text(1, marker);
  switch (marker) {
    case '+':
      return palette.added(text);
    case '-':
      return palette.removed(text);
    default:
      return palette.changed(text);
  }
}

void print_changes(const model::StepDescription& step, const report::Palette& palette,
                   std::ostream& out) {
  for (const auto& change : step.changes) {
    out << "      " << marked(palette, field_marker(change)) << ' ' << change.path << ": "
        << shown(change.before) << " -> " << shown(change.after) << '\n';
  }
}

std::string object_of(const model::StepDescription& step) {
  return step.object.empty() ? step.kind : step.kind + ' ' + step.object;
}

void print_report(const model::PlanReport& report, const report::Palette& palette,
                  std::ostream& out) {
  std::string status;
  if (report.in_sync()) {
    status = "in sync";
  } else {
    status = std::to_string(report.steps.size()) + " step" + (report.steps.size() == 1 ? "" : "s");
    if (!report.blocked.empty()) {
      status += ", " + std::to_string(report.blocked.size()) + " blocked";
    }
  }
  out << palette.heading(report.reconciler + ':') << ' ' << status << '\n';
  int number = 0;
  for (const auto& step : report.steps) {
    out << "  " << ++number << ". " << marked(palette, step_marker(step)) << ' ' << step.action
        << ' ' << object_of(step) << '\n';
    print_changes(step, palette, out);
    out << "      why: " << step.reason << '\n';
  }
  for (const auto& blocked : report.blocked) {
    out << "  " << palette.blocked("! blocked:") << ' ' << blocked.step.action << ' '
        << object_of(blocked.step) << '\n';
    print_changes(blocked.step, palette, out);
    out << "      because: " << blocked.reason << '\n';
  }
  for (const auto& finding : report.findings) {
    out << "  " << model::to_string(finding.severity) << ' ' << finding.code << ": "
        << finding.message << '\n';
  }
  for (const auto& waiting : report.waiting) {
    out << "  " << palette.dim("waiting: " + waiting) << '\n';
  }
}

}  // namespace

char step_marker(const model::StepDescription& step) {
  // The object itself appears or goes; "remove-labels" changes a node that stays, so `~`.
  for (const char* verb : {"join", "create", "add", "add-node"}) {
    if (step.action == verb) {
      return '+';
    }
  }
  for (const char* verb : {"remove", "leave", "delete", "remove-node"}) {
    if (step.action == verb) {
      return '-';
    }
  }
  return '~';
}

std::string step_headline(const model::StepDescription& raw) {
  const model::StepDescription step =
      report::redacted({{raw.reconciler, {raw}, {}, {}, {}}}).front().steps.front();
  std::string out = step.reconciler + ": " + step.action + ' ' + step.kind;
  if (!step.object.empty()) {
    out += ' ' + step.object;
  }
  if (step.changes.size() == 1) {
    const auto& change = step.changes.front();
    out += " (" + change.path + ' ' + shown(change.before) + " -> " + shown(change.after) + ')';
  } else if (step.changes.size() > 1) {
    out += " (" + std::to_string(step.changes.size()) + " fields)";
  }
  return out;
}

std::string plan_summary(const std::vector<model::PlanReport>& reports) {
  const report::PlanTotals totals = report::totals_of(reports);
  return std::to_string(totals.steps) + " to change, " + std::to_string(totals.blocked) +
         " blocked, " + std::to_string(totals.in_sync) + " reconciler" +
         (totals.in_sync == 1 ? "" : "s") + " in sync";
}

void print_plan_text(const std::vector<model::PlanReport>& reports, std::ostream& out,
                     const TextOptions& options) {
  const report::Palette palette(options.color);
  for (const auto& report : report::redacted(reports)) {
    print_report(report, palette, out);
  }
  out << palette.heading(plan_summary(reports)) << '\n';
}

}  // namespace swarmop::controller
