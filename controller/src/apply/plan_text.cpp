#include "apply/plan_text.hpp"

namespace swarmop::controller {

namespace {

std::string shown(const std::string& value) {
  return value.empty() ? "(none)" : value;
}

void print_changes(const model::StepDescription& step, std::ostream& out) {
  for (const auto& change : step.changes) {
    const char marker = change.before.empty() ? '+' : change.after.empty() ? '-' : '~';
    out << "      " << marker << ' ' << change.path << ": " << shown(change.before) << " -> "
        << shown(change.after) << '\n';
  }
}

}  // namespace

std::string step_headline(const model::StepDescription& step) {
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
  std::size_t steps = 0;
  std::size_t blocked = 0;
  std::size_t in_sync = 0;
  for (const auto& report : reports) {
    steps += report.steps.size();
    blocked += report.blocked.size();
    in_sync += report.in_sync() ? 1 : 0;
  }
  return std::to_string(steps) + " to change, " + std::to_string(blocked) + " blocked, " +
         std::to_string(in_sync) + " reconciler" + (in_sync == 1 ? "" : "s") + " in sync";
}

void print_plan_text(const std::vector<model::PlanReport>& reports, std::ostream& out) {
  for (const auto& report : reports) {
    out << report.reconciler << ": ";
    if (report.in_sync()) {
      out << "in sync";
    } else {
      out << report.steps.size() << " step" << (report.steps.size() == 1 ? "" : "s");
      if (!report.blocked.empty()) {
        out << ", " << report.blocked.size() << " blocked";
      }
    }
    out << '\n';
    int number = 0;
    for (const auto& step : report.steps) {
      out << "  " << ++number << ". ~ " << step.action << ' ' << step.kind << ' ' << step.object
          << '\n';
      print_changes(step, out);
      out << "      why: " << step.reason << '\n';
    }
    for (const auto& blocked : report.blocked) {
      out << "  ! blocked: " << blocked.step.action << ' ' << blocked.step.kind << ' '
          << blocked.step.object << '\n';
      print_changes(blocked.step, out);
      out << "      because: " << blocked.reason << '\n';
    }
    for (const auto& finding : report.findings) {
      out << "  " << model::to_string(finding.severity) << ' ' << finding.code << ": "
          << finding.message << '\n';
    }
    for (const auto& waiting : report.waiting) {
      out << "  waiting: " << waiting << '\n';
    }
  }
  out << plan_summary(reports) << '\n';
}

}  // namespace swarmop::controller
