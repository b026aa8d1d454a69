#include "report/plan_markdown.hpp"

#include <sstream>
#include <string>

#include "apply/plan_text.hpp"
#include "report/plan_outcome.hpp"
#include "report/redact.hpp"

namespace swarmop::report {

namespace {

//! Plan text comes from names and messages the operator builds, but object names and values
//! come from the cluster: escape what would change the Markdown or HTML structure.
std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

//! Inline code for values; backticks inside a value fall back to plain escaped text.
std::string value_cell(const std::string& value) {
  if (value.empty()) {
    return "*(none)*";
  }
  if (value.find('`') != std::string::npos) {
    return escaped(value);
  }
  return '`' + escaped(value) + '`';
}

std::string object_of(const model::StepDescription& step) {
  return step.object.empty() ? step.kind : step.kind + ' ' + step.object;
}

std::string status_of(const model::PlanReport& report) {
  if (report.in_sync()) {
    return "in sync";
  }
  return report.blocked.empty() ? "changes" : "**blocked**";
}

void changes_table(const model::StepDescription& step, std::ostream& out) {
  if (step.changes.empty()) {
    return;
  }
  out << "| | Field | Before | After |\n|---|---|---|---|\n";
  for (const auto& change : step.changes) {
    const char marker = change.before.empty() ? '+' : change.after.empty() ? '-' : '~';
    out << "| " << (marker == '-' ? "\\-" : std::string(1, marker)) << " | `"
        << escaped(change.path) << "` | " << value_cell(change.before) << " | "
        << value_cell(change.after) << " |\n";
  }
  out << '\n';
}

std::string step_section(const model::StepDescription& step, std::size_t number) {
  std::ostringstream out;
  out << "<details><summary>" << number << ". <code>" << controller::step_marker(step) << "</code> "
      << escaped(step.action) << ' ' << escaped(object_of(step)) << "</summary>\n\n";
  changes_table(step, out);
  out << "Why: " << escaped(step.reason) << "\n\n</details>\n\n";
  return out.str();
}

std::string head(const std::vector<model::PlanReport>& reports) {
  std::ostringstream out;
  const PlanTotals totals = totals_of(reports);
  out << "### swarm-operator plan: " << controller::plan_summary(reports) << "\n\n";
  out << "| Reconciler | Status | Steps | Blocked | Findings |\n"
         "|---|---|---:|---:|---:|\n";
  for (const auto& report : reports) {
    out << "| " << escaped(report.reconciler) << " | " << status_of(report) << " | "
        << report.steps.size() << " | " << report.blocked.size() << " | " << report.findings.size()
        << " |\n";
  }
  out << '\n';
  if (totals.blocked > 0) {
    // Blocked steps come before any detail so a reviewer sees them without expanding anything.
    out << "> **Blocked: " << totals.blocked << " step" << (totals.blocked == 1 ? "" : "s")
        << " will not be applied.**\n";
    for (const auto& report : reports) {
      for (const auto& blocked : report.blocked) {
        out << "> - **" << escaped(report.reconciler) << "**: " << escaped(blocked.step.action)
            << ' ' << escaped(object_of(blocked.step)) << " — " << escaped(blocked.reason) << '\n';
      }
    }
    out << '\n';
  }
  return out.str();
}

std::string tail(const std::vector<model::PlanReport>& reports) {
  std::ostringstream out;
  bool any = false;
  for (const auto& report : reports) {
    for (const auto& finding : report.findings) {
      if (!any) {
        out << "#### Findings\n\n";
        any = true;
      }
      out << "- " << model::to_string(finding.severity) << " `" << escaped(finding.code) << "` ("
          << escaped(report.reconciler) << "): " << escaped(finding.message) << '\n';
    }
    for (const auto& waiting : report.waiting) {
      if (!any) {
        out << "#### Findings\n\n";
        any = true;
      }
      out << "- waiting (" << escaped(report.reconciler) << "): " << escaped(waiting) << '\n';
    }
  }
  if (any) {
    out << '\n';
  }
  return out.str();
}

}  // namespace

void print_plan_markdown(const std::vector<model::PlanReport>& raw, std::ostream& out,
                         const MarkdownOptions& options) {
  const auto reports = redacted(raw);
  const std::string top = head(reports);
  const std::string bottom = tail(reports);
  // Room kept for the note that replaces what does not fit.
  constexpr std::size_t kNoteRoom = 300;
  std::size_t used = top.size() + kNoteRoom;
  std::string details;
  std::size_t shown = 0;
  std::size_t total = 0;
  bool full = false;
  for (const auto& report : reports) {
    std::string section = "#### " + escaped(report.reconciler) + "\n\n";
    std::size_t number = 0;
    std::size_t in_section = 0;
    auto add = [&](std::string text) {
      ++total;
      if (!full && used + section.size() + text.size() <= options.max_bytes) {
        section += text;
        ++shown;
        ++in_section;
      } else {
        full = true;
      }
    };
    for (const auto& step : report.steps) {
      add(step_section(step, ++number));
    }
    for (const auto& blocked : report.blocked) {
      model::StepDescription step = blocked.step;
      step.reason = "**blocked**: " + blocked.reason;
      add(step_section(step, ++number));
    }
    if (in_section > 0) {
      used += section.size();
      details += section;
    }
  }
  out << top << details;
  if (!full && used + bottom.size() <= options.max_bytes) {
    out << bottom;
    return;
  }
  out << "> **Summarised:** " << shown << " of " << total << " steps are shown in detail"
      << (bottom.empty() ? "" : "; findings are left out") << " to keep this comment under "
      << options.max_bytes
      << " bytes. Run `swarm-operator plan --output text` (or read the json output) for the "
         "whole plan.\n";
}

}  // namespace swarmop::report
