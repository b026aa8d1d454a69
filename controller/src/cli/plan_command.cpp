// `swarm-operator plan FILE`: observe (or read a snapshot), plan every reconciler, print in the
// chosen format; write nothing.
#include <unistd.h>

#include <iostream>

#include "apply/cluster_pass.hpp"
#include "apply/plan_text.hpp"
#include "cli/desired_file.hpp"
#include "cli/swarm_connection.hpp"
#include "command.hpp"
#include "report/color.hpp"
#include "report/plan_json.hpp"
#include "report/plan_markdown.hpp"
#include "report/plan_outcome.hpp"
#include "snapshot/redaction.hpp"
#include "snapshot/snapshot_file.hpp"
#include "swarmop/reconcilers/admission.hpp"
#include "swarmop/reconcilers/couchbase_io.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"
#include "swarmop/reconcilers/data_store_activity.hpp"
#include "swarmop/reconcilers/rabbitmq_io.hpp"
#include "swarmop/reconcilers/rabbitmq_planner.hpp"
#include "swarmop/reconcilers/swarm_reconcilers.hpp"
#include "swarmop/reconcilers/vetted_swarm_plans.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

namespace {

enum class Format { kText, kJson, kMarkdown };

// apply --dry-run calls run_plan with apply's options, which have no --output or --color.
std::string option_or(const po::variables_map& options, const char* name, std::string fallback) {
  return options.count(name) > 0 ? options[name].as<std::string>() : fallback;
}

std::optional<Format> parse_format(const std::string& text) {
  if (text == "text") {
    return Format::kText;
  }
  if (text == "json") {
    return Format::kJson;
  }
  if (text == "markdown") {
    return Format::kMarkdown;
  }
  return std::nullopt;
}

//! Colour only when writing to this process's own terminal: tests and pipes get plain text.
bool writes_to_terminal(const std::ostream& out) {
  return &out == &std::cout && isatty(STDOUT_FILENO) == 1;
}

//! What a plan reads: the swarm, and for an offline plan the data stores' sections of the
//! snapshot (a live plan observes those through their clients).
struct Observed {
  reconcilers::SwarmObservation swarm;
  bool offline = false;
  std::optional<reconcilers::CouchbaseObservation> couchbase;
  std::optional<reconcilers::RabbitObservation> rabbitmq;
};

//! The observation and the desired state to plan with: live, or from a snapshot, where the
//! desired env values are digested like the snapshot's so that equal values compare equal.
std::optional<Observed> observe(const po::variables_map& options, model::DesiredState& desired,
                                Streams& io) {
  if (options.count("state") > 0) {
    auto snapshot = snapshot::read_snapshot_file(options["state"].as<std::string>());
    if (!snapshot) {
      io.err << "swarm-operator plan: " << snapshot.error().describe() << '\n';
      return std::nullopt;
    }
    desired = snapshot::digest_desired(std::move(desired), snapshot->salt);
    return Observed{std::move(snapshot->swarm), true, std::move(snapshot->couchbase),
                    std::move(snapshot->rabbitmq)};
  }
  auto connection = connect_swarm(options);
  if (!connection) {
    io.err << "swarm-operator plan: " << connection.error().describe() << '\n';
    return std::nullopt;
  }
  auto observed = reconcilers::observe_swarm(*connection->manager, desired, connection->engines);
  if (!observed) {
    io.err << "swarm-operator plan: cannot observe the swarm: " << observed.error().describe()
           << '\n';
    return std::nullopt;
  }
  Observed out{std::move(*observed), false, std::nullopt, std::nullopt};
  std::vector<std::string> warnings;
  auto couchbase = connect_couchbase(options, desired, warnings);
  auto rabbit = connect_rabbitmq(options, desired, warnings);
  print_warnings("plan", warnings, io);
  if (!couchbase || !rabbit) {
    io.err << "swarm-operator plan: " << (couchbase ? rabbit.error() : couchbase.error()).describe()
           << '\n';
    return std::nullopt;
  }
  if (*couchbase) {
    out.couchbase = reconcilers::observe_couchbase(**couchbase, *connection->manager, desired);
  }
  if (*rabbit) {
    out.rabbitmq = reconcilers::observe_rabbitmq(**rabbit, desired.rabbitmq->ha_policy.vhost);
  }
  return out;
}

// A snapshot taken without a data store's section: an offline plan says so rather than guess.
model::PlanReport not_in_snapshot(const char* reconciler, std::string message) {
  model::PlanReport report;
  report.reconciler = reconciler;
  report.findings.push_back(
      {reconciler, model::FindingLevel::kWarning, "NotInSnapshot", reconciler, std::move(message)});
  return report;
}

}  // namespace

int run_plan(const po::variables_map& options, Streams& io) {
  const std::string format_text = option_or(options, "output", "text");
  const auto format = parse_format(format_text);
  if (!format) {
    io.err << "swarm-operator plan: --output takes text, json or markdown, not \"" << format_text
           << "\"\n";
    return 1;
  }
  const std::string color_text = option_or(options, "color", "auto");
  const auto color = report::parse_color_mode(color_text);
  if (!color) {
    io.err << "swarm-operator plan: --color takes auto, always or never, not \"" << color_text
           << "\"\n";
    return 1;
  }
  auto desired = load_desired_file(options, "plan", io);
  if (!desired) {
    return 1;
  }
  auto observed = observe(options, *desired, io);
  if (!observed) {
    return 1;
  }
  // Refused credentials are an error of the invocation (exit 1), as in apply, not a plan.
  for (const auto* refused :
       {observed->couchbase ? &observed->couchbase->credentials_refused : nullptr,
        observed->rabbitmq ? &observed->rabbitmq->credentials_refused : nullptr}) {
    if (refused != nullptr && *refused) {
      io.err << "swarm-operator plan: " << (*refused)->describe() << '\n';
      return 1;
    }
  }
  std::vector<model::PlanReport> reports;
  // The same cluster-wide check apply and watch make before a step is sent.
  reconcilers::Admission admission(*desired, observed->swarm);
  const auto couchbase = [&]() -> const reconcilers::CouchbaseObservation* {
    return observed->couchbase ? &*observed->couchbase : nullptr;
  };
  const auto rabbitmq = [&]() -> const reconcilers::RabbitObservation* {
    return observed->rabbitmq ? &*observed->rabbitmq : nullptr;
  };
  admission.set_activity_source(
      [&] { return reconcilers::data_store_activity(couchbase(), rabbitmq()); });
  const auto vetted = [&](auto plan) {
    reconcilers::vet_plan(plan, admission);
    return plan.report();
  };
  for (auto& plan :
       reconcilers::vetted_swarm_plans(*desired, observed->swarm, admission, couchbase, rabbitmq)) {
    reports.push_back(plan.report());
  }
  // A data store is planned from what was observed of it: live through its client, or the
  // snapshot's section. Without either, the report says why it was not checked.
  if (desired->couchbase) {
    reports.push_back(
        observed->couchbase
            ? vetted(reconcilers::plan_couchbase(*desired, observed->swarm, *observed->couchbase))
        : observed->offline
            ? not_in_snapshot(reconcilers::kCouchbase,
                              "the snapshot holds no Couchbase state (take it with the file and "
                              "Couchbase endpoints): the topology, buckets and failover are not "
                              "checked by an offline plan")
            : controller::unobserved_report(reconcilers::kCouchbase));
  }
  if (desired->rabbitmq) {
    reports.push_back(
        observed->rabbitmq
            ? vetted(reconcilers::plan_rabbitmq(*desired, observed->swarm, *observed->rabbitmq))
        : observed->offline
            ? not_in_snapshot(reconcilers::kRabbitmq,
                              "the snapshot holds no RabbitMQ state (take it with the file and "
                              "RabbitMQ endpoints): the HA policy and mirrors are not checked by "
                              "an offline plan")
            : controller::unobserved_report(reconcilers::kRabbitmq));
  }
  switch (*format) {
    case Format::kText:
      controller::print_plan_text(reports, io.out,
                                  {report::use_color(*color, writes_to_terminal(io.out))});
      break;
    case Format::kJson:
      report::print_plan_json(reports, io.out);
      break;
    case Format::kMarkdown:
      report::print_plan_markdown(reports, io.out);
      break;
  }
  const bool fail_on_blocked =
      options.count("fail-on-blocked") > 0 && options["fail-on-blocked"].as<bool>();
  return report::plan_exit_code(report::totals_of(reports), fail_on_blocked);
}

}  // namespace swarmop::cli
