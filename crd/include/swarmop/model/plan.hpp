#pragma once

#include <string>
#include <vector>

//! The printable vocabulary of a plan, shared by every reconciler and every output format: what
//! a step changes and why, what is blocked and why, and what the observation alone reports.
//! The operations a step carries (the writes themselves) live with each reconciler.
namespace swarmop::model {

//! One field a step changes, rendered as text ("" for absent).
struct FieldChange {
  std::string path;  //!< "role", "labels.types", "Spec.Mode.Replicated.Replicas"
  std::string before;
  std::string after;
  bool operator==(const FieldChange&) const = default;
};

struct StepDescription {
  std::string reconciler;  //!< "membership", "labels", "placement", ...
  std::string action;      //!< "promote", "set-labels", "update", "force-update", ...
  std::string kind;        //!< "node", "service", ...
  std::string object;      //!< hostname, service name
  std::vector<FieldChange> changes;
  std::string reason;  //!< why the step is needed (and why in this order)
  bool operator==(const StepDescription&) const = default;
};

//! A step the plan would take but must not, with the reason (quorum arithmetic, capacity).
struct BlockedStep {
  StepDescription step;
  std::string reason;
};

enum class FindingLevel { kInfo, kWarning };

//! Something the observation shows that is not a step: drift left alone, a warning from the
//! manual (even manager count), or a change in progress that the plan waits for.
struct Finding {
  std::string reconciler;
  FindingLevel severity = FindingLevel::kInfo;
  std::string code;  //!< CamelCase and stable: "EvenManagerCount", "RolloutInProgress"
  std::string object;
  std::string message;
};

std::string_view to_string(FindingLevel severity);

//! One reconciler's plan in printable form.
struct PlanReport {
  std::string reconciler;
  std::vector<StepDescription> steps;
  std::vector<BlockedStep> blocked;
  std::vector<Finding> findings;
  //! Changes under way that need no step from us (a rolling update, a joining node): apply
  //! waits for them to settle before it calls the cluster converged.
  std::vector<std::string> waiting;

  bool in_sync() const { return steps.empty() && blocked.empty(); }
};

}  // namespace swarmop::model
