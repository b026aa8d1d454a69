#include "watch/status_board.hpp"

#include <boost/json.hpp>
#include <set>
#include <sstream>

#include "report/plan_json.hpp"

namespace swarmop::watch {

namespace json = boost::json;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json::object condition_json(const Condition& condition) {
  return json::object{{"type", condition.type},
                      {"status", condition.status},
                      {"reason", condition.reason},
                      {"message", condition.message},
                      {"lastTransitionTime", condition.last_transition}};
}

//! Prometheus label values: backslash, quote and newline escaped.
std::string label(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

//! What the sync axis says of a plan: does the cluster match the file.
std::pair<std::string, std::string> sync_of(const model::PlanReport& plan) {
  if (!plan.steps.empty()) {
    return {"OutOfSync", std::to_string(plan.steps.size()) +
                             " step(s) to take, next: " + plan.steps.front().action + " " +
                             plan.steps.front().kind + " " + plan.steps.front().object};
  }
  if (!plan.blocked.empty()) {
    return {"Blocked", plan.blocked.front().step.action + " " + plan.blocked.front().step.object +
                           ": " + plan.blocked.front().reason};
  }
  return {"Synced", "the cluster matches the file"};
}

//! Findings that say something running is not working (as opposed to advice about the file,
//! such as an even manager count, which leaves what runs healthy).
bool degrades_health(const std::string& code) {
  static const std::set<std::string> codes = {
      // swarm
      "NodeDown", "ManagerUnreachable", "TaskPending", "UpdateNotCompleted",
      // couchbase
      "CouchbaseNodeDown", "FailedOverNodeAway", "ManualInterventionRequired", "RebalanceFailed",
      "UpdatePaused",
      // rabbitmq
      "RabbitNodeNotRunning", "NetworkPartition", "ResourceAlarm"};
  return codes.count(code) > 0;
}

//! What the health axis says: does what runs work.
std::pair<std::string, std::string> health_of(const model::PlanReport& plan) {
  for (const auto& finding : plan.findings) {
    if (finding.severity == model::FindingLevel::kWarning && degrades_health(finding.code)) {
      return {"Degraded", finding.code + ": " + finding.message};
    }
  }
  if (!plan.waiting.empty()) {
    return {"Progressing", plan.waiting.front()};
  }
  return {"Healthy", ""};
}

}  // namespace

std::string_view to_string(PassOutcome outcome) {
  switch (outcome) {
    case PassOutcome::kInSync:
      return "in_sync";
    case PassOutcome::kApplied:
      return "applied";
    case PassOutcome::kWaiting:
      return "waiting";
    case PassOutcome::kBlocked:
      return "blocked";
    case PassOutcome::kReadOnly:
      return "read_only";
    case PassOutcome::kError:
      return "error";
  }
  return "error";
}

StatusBoard::StatusBoard(std::vector<std::string> reconcilers) : order_(std::move(reconcilers)) {
  for (const auto& name : order_) {
    reconcilers_[name];
  }
}

void StatusBoard::transition(Condition& condition, std::string status, std::string reason,
                             std::string message) {
  if (condition.status != status || condition.reason != reason) {
    condition.last_transition = unix_now();
  }
  condition.status = std::move(status);
  condition.reason = std::move(reason);
  condition.message = std::move(message);
}

void StatusBoard::record_pass(const PassRecord& pass) {
  std::lock_guard lock(mutex_);
  Reconciler& r = reconcilers_[pass.reconciler];
  const std::string outcome(to_string(pass.outcome));
  ++r.passes[outcome];
  r.last_outcome = outcome;
  r.last_pass = unix_now();
  r.last_duration = pass.duration.count();
  r.duration_sum += pass.duration.count();
  ++r.duration_count;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (pass.duration.count() <= kBuckets[i]) {
      ++r.bucket_counts[i];
    }
  }
  if (pass.error) {
    ++r.errors[std::string(model::to_string(pass.error->code))];
    r.last_error = pass.error->describe();
    transition(r.synced, "Unknown", "ObservationFailed", *r.last_error);
    r.sync = "Unknown";
    swarm_reachable_ = swarm_reachable_ && pass.report.has_value();
    return;
  }
  swarm_reachable_ = true;
  r.last_error.reset();
  r.last_success = std::chrono::steady_clock::now();
  if (pass.step) {
    ++r.steps_applied;
    r.last_step = pass.step->action + " " + pass.step->kind + " " + pass.step->object;
  }
  if (pass.report) {
    r.plan = *pass.report;
    auto [sync, sync_message] = sync_of(*pass.report);
    auto [health, health_message] = health_of(*pass.report);
    if (pass.outcome == PassOutcome::kReadOnly && sync == "OutOfSync") {
      sync_message += " (another controller holds the lease: this one does not write)";
    }
    transition(r.synced, sync == "Synced" ? "True" : "False", sync, sync_message);
    transition(r.healthy, health == "Healthy" ? "True" : "False", health, health_message);
    r.sync = sync;
    r.health = health;
  }
}

void StatusBoard::set_desired(const std::string& path, const std::string& revision,
                              const std::vector<std::string>& errors, std::uint64_t load_errors) {
  std::lock_guard lock(mutex_);
  desired_path_ = path;
  desired_revision_ = revision;
  desired_errors_ = errors;
  load_errors_ = load_errors;
}

void StatusBoard::set_lease(const std::string& identity, const std::string& holder, bool held) {
  std::lock_guard lock(mutex_);
  identity_ = identity;
  lease_holder_ = holder;
  lease_held_ = held;
}

void StatusBoard::set_queue_depth(std::size_t depth) {
  std::lock_guard lock(mutex_);
  queue_depth_ = depth;
}

void StatusBoard::set_api_counts(const std::map<std::string, ApiCounts>& counts) {
  std::lock_guard lock(mutex_);
  api_ = counts;
}

void StatusBoard::set_stopping() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
}

void StatusBoard::set_loop_turned(std::chrono::steady_clock::time_point at) {
  std::lock_guard lock(mutex_);
  loop_turned_ = at;
}

std::optional<std::string> StatusBoard::stalled(std::chrono::steady_clock::time_point now,
                                                std::chrono::milliseconds bound) const {
  std::lock_guard lock(mutex_);
  if (!loop_turned_ || now - *loop_turned_ <= bound) {
    return std::nullopt;
  }
  const auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - *loop_turned_);
  return "the controller's event loop has not turned for " + std::to_string(silent.count()) +
         " s (bound " + std::to_string(bound.count() / 1000) +
         " s): no pass, lease renewal or file change is being handled";
}

bool StatusBoard::ready() const {
  std::lock_guard lock(mutex_);
  return !desired_revision_.empty() && swarm_reachable_ && !stopping_;
}

std::string StatusBoard::status_json() const {
  std::lock_guard lock(mutex_);
  json::array reconcilers;
  for (const auto& name : order_) {
    const Reconciler& r = reconcilers_.at(name);
    json::object entry{
        {"name", name},
        {"sync", r.sync},
        {"health", r.health},
        {"conditions", json::array{condition_json(r.synced), condition_json(r.healthy)}},
        {"lastPass", json::object{{"outcome", r.last_outcome},
                                  {"time", r.last_pass},
                                  {"durationSeconds", r.last_duration}}},
        {"stepsApplied", r.steps_applied}};
    entry["lastStep"] = r.last_step ? json::value(*r.last_step) : json::value(nullptr);
    entry["lastError"] = r.last_error ? json::value(*r.last_error) : json::value(nullptr);
    entry["plan"] = r.plan ? report::plan_to_json({*r.plan}) : json::value(nullptr);
    reconcilers.push_back(std::move(entry));
  }
  json::array errors;
  for (const auto& error : desired_errors_) {
    errors.emplace_back(error);
  }
  json::object out{
      {"apiVersion", "swarm-operator/status/v1"},
      {"ready", !desired_revision_.empty() && swarm_reachable_ && !stopping_},
      {"desiredState", json::object{{"file", desired_path_},
                                    {"revision", desired_revision_},
                                    {"valid", desired_errors_.empty()},
                                    {"errors", std::move(errors)}}},
      {"lease",
       json::object{{"identity", identity_}, {"holder", lease_holder_}, {"held", lease_held_}}},
      {"queueDepth", queue_depth_},
      {"reconcilers", std::move(reconcilers)}};
  return json::serialize(out) + "\n";
}

std::string StatusBoard::metrics_text() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  const auto now = std::chrono::steady_clock::now();
  out << "# HELP swarmop_passes_total Reconciler passes by outcome.\n"
         "# TYPE swarmop_passes_total counter\n";
  for (const auto& name : order_) {
    for (const auto& [outcome, count] : reconcilers_.at(name).passes) {
      out << "swarmop_passes_total{reconciler=\"" << name << "\",outcome=\"" << outcome << "\"} "
          << count << '\n';
    }
  }
  out << "# HELP swarmop_pass_duration_seconds How long a reconciler pass takes.\n"
         "# TYPE swarmop_pass_duration_seconds histogram\n";
  for (const auto& name : order_) {
    const Reconciler& r = reconcilers_.at(name);
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "swarmop_pass_duration_seconds_bucket{reconciler=\"" << name << "\",le=\""
          << kBuckets[i] << "\"} " << r.bucket_counts[i] << '\n';
    }
    out << "swarmop_pass_duration_seconds_bucket{reconciler=\"" << name << "\",le=\"+Inf\"} "
        << r.duration_count << '\n'
        << "swarmop_pass_duration_seconds_sum{reconciler=\"" << name << "\"} " << r.duration_sum
        << '\n'
        << "swarmop_pass_duration_seconds_count{reconciler=\"" << name << "\"} " << r.duration_count
        << '\n';
  }
  out << "# HELP swarmop_steps_applied_total Steps written to the cluster.\n"
         "# TYPE swarmop_steps_applied_total counter\n";
  for (const auto& name : order_) {
    out << "swarmop_steps_applied_total{reconciler=\"" << name << "\"} "
        << reconcilers_.at(name).steps_applied << '\n';
  }
  out << "# HELP swarmop_pass_errors_total Failed passes by reconciler and error code.\n"
         "# TYPE swarmop_pass_errors_total counter\n";
  for (const auto& name : order_) {
    for (const auto& [code, count] : reconcilers_.at(name).errors) {
      out << "swarmop_pass_errors_total{reconciler=\"" << name << "\",code=\"" << code << "\"} "
          << count << '\n';
    }
  }
  out << "# HELP swarmop_api_requests_total API calls by target and kind.\n"
         "# TYPE swarmop_api_requests_total counter\n";
  for (const auto& [target, counts] : api_) {
    out << "swarmop_api_requests_total{target=\"" << target << "\",kind=\"read\"} " << counts.reads
        << '\n'
        << "swarmop_api_requests_total{target=\"" << target << "\",kind=\"write\"} "
        << counts.writes << '\n';
  }
  out << "# HELP swarmop_api_errors_total Failed API calls by target and HTTP status (0: no "
         "response).\n"
         "# TYPE swarmop_api_errors_total counter\n";
  for (const auto& [target, counts] : api_) {
    for (const auto& [status, count] : counts.errors_by_status) {
      out << "swarmop_api_errors_total{target=\"" << target << "\",status=\"" << status << "\"} "
          << count << '\n';
    }
  }
  out << "# HELP swarmop_seconds_since_last_success Time since a reconciler's last good pass.\n"
         "# TYPE swarmop_seconds_since_last_success gauge\n";
  for (const auto& name : order_) {
    const auto& last = reconcilers_.at(name).last_success;
    if (last) {
      out << "swarmop_seconds_since_last_success{reconciler=\"" << name << "\"} "
          << std::chrono::duration<double>(now - *last).count() << '\n';
    }
  }
  out << "# HELP swarmop_queue_depth Reconcilers waiting for a pass.\n"
         "# TYPE swarmop_queue_depth gauge\n"
      << "swarmop_queue_depth " << queue_depth_ << '\n'
      << "# HELP swarmop_desired_state_load_errors_total Reads of the file that did not validate.\n"
         "# TYPE swarmop_desired_state_load_errors_total counter\n"
      << "swarmop_desired_state_load_errors_total " << load_errors_ << '\n'
      << "# HELP swarmop_desired_state_valid 1 when the latest read of the file validated.\n"
         "# TYPE swarmop_desired_state_valid gauge\n"
      << "swarmop_desired_state_valid " << (desired_errors_.empty() ? 1 : 0) << '\n'
      << "# HELP swarmop_lease_held 1 when this controller holds the single-writer lease.\n"
         "# TYPE swarmop_lease_held gauge\n"
      << "swarmop_lease_held " << (lease_held_ ? 1 : 0) << '\n'
      << "# HELP swarmop_lease_holder_info The lease's holder as this controller last saw it.\n"
         "# TYPE swarmop_lease_holder_info gauge\n"
      << "swarmop_lease_holder_info{holder=\"" << label(lease_holder_) << "\"} 1\n";
  return out.str();
}

}  // namespace swarmop::watch
