#include "report/plan_json.hpp"

#include <boost/json.hpp>

#include "apply/plan_text.hpp"
#include "report/json_pretty.hpp"
#include "report/plan_outcome.hpp"
#include "report/redact.hpp"

namespace swarmop::report {

namespace json = boost::json;

namespace {

//! Absent is null, so consumers need not guess whether "" means absent or empty.
json::value text_or_null(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::array changes_json(const std::vector<model::FieldChange>& changes) {
  json::array out;
  for (const auto& change : changes) {
    json::object entry{{"path", change.path},
                       {"change", std::string(1, change.before.empty()  ? '+'
                                                 : change.after.empty() ? '-'
                                                                        : '~')},
                       {"before", text_or_null(change.before)},
                       {"after", text_or_null(change.after)}};
    if (is_redacted_path(change.path)) {
      entry["redacted"] = true;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

json::object step_json(const model::StepDescription& step) {
  return json::object{{"reconciler", step.reconciler},
                      {"action", step.action},
                      {"change", std::string(1, controller::step_marker(step))},
                      {"kind", step.kind},
                      {"name", step.object},
                      {"changes", changes_json(step.changes)},
                      {"reason", step.reason}};
}

}  // namespace

json::value plan_to_json(const std::vector<model::PlanReport>& raw) {
  const auto reports = redacted(raw);
  const PlanTotals totals = totals_of(reports);
  json::array reconcilers;
  json::array steps;
  json::array blocked;
  json::array findings;
  json::array waiting;
  for (const auto& report : reports) {
    reconcilers.push_back(json::object{{"name", report.reconciler},
                                       {"inSync", report.in_sync()},
                                       {"steps", report.steps.size()},
                                       {"blocked", report.blocked.size()},
                                       {"findings", report.findings.size()}});
    std::size_t order = 0;
    for (const auto& step : report.steps) {
      json::object entry = step_json(step);
      entry["order"] = ++order;
      steps.push_back(std::move(entry));
    }
    for (const auto& step : report.blocked) {
      json::object entry = step_json(step.step);
      entry["blockedBecause"] = step.reason;
      blocked.push_back(std::move(entry));
    }
    for (const auto& finding : report.findings) {
      findings.push_back(json::object{{"reconciler", finding.reconciler},
                                      {"severity", model::to_string(finding.severity)},
                                      {"code", finding.code},
                                      {"name", finding.object},
                                      {"message", finding.message}});
    }
    for (const auto& item : report.waiting) {
      waiting.push_back(json::object{{"reconciler", report.reconciler}, {"message", item}});
    }
  }
  return json::object{{"apiVersion", kPlanApiVersion},
                      {"kind", "Plan"},
                      {"summary", json::object{{"toChange", totals.steps},
                                               {"blocked", totals.blocked},
                                               {"inSync", totals.in_sync},
                                               {"reconcilers", totals.reconcilers},
                                               {"text", controller::plan_summary(reports)}}},
                      {"reconcilers", std::move(reconcilers)},
                      {"steps", std::move(steps)},
                      {"blocked", std::move(blocked)},
                      {"findings", std::move(findings)},
                      {"waiting", std::move(waiting)}};
}

void print_plan_json(const std::vector<model::PlanReport>& reports, std::ostream& out) {
  print_json_pretty(plan_to_json(reports), out);
}

}  // namespace swarmop::report
