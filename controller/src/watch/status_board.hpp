#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/model/error.hpp"
#include "swarmop/model/plan.hpp"

namespace swarmop::watch {

//! How one reconciler pass ended.
enum class PassOutcome { kInSync, kApplied, kWaiting, kBlocked, kReadOnly, kError };
std::string_view to_string(PassOutcome outcome);

struct PassRecord {
  std::string reconciler;
  PassOutcome outcome = PassOutcome::kError;
  std::optional<model::PlanReport> report;     //!< the plan observed (before its step)
  std::optional<model::StepDescription> step;  //!< applied by this pass
  std::optional<model::Error> error;
  std::chrono::duration<double> duration{0};
};

//! A condition in the Kubernetes style.
struct Condition {
  std::string type;    //!< Synced, Healthy
  std::string status;  //!< True, False, Unknown
  std::string reason;  //!< CamelCase: Synced, OutOfSync, Blocked, Healthy, Progressing, ...
  std::string message;
  std::int64_t last_transition = 0;  //!< unix seconds
};

//! API calls by target (docker, couchbase, rabbitmq), as the counting clients saw them.
struct ApiCounts {
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  std::map<int, std::uint64_t> errors_by_status;  //!< 0: no response came back
};

//! What `/status` and `/metrics` serve, fed by the controller after every pass. Keeps *sync*
//! (does the cluster match the file) apart from *health* (does what runs work). Thread-safe.
class StatusBoard {
 public:
  explicit StatusBoard(std::vector<std::string> reconcilers);

  void record_pass(const PassRecord& pass);
  void set_desired(const std::string& path, const std::string& revision,
                   const std::vector<std::string>& errors, std::uint64_t load_errors);
  void set_lease(const std::string& identity, const std::string& holder, bool held);
  void set_queue_depth(std::size_t depth);
  void set_api_counts(const std::map<std::string, ApiCounts>& counts);
  void set_stopping();
  //! The controller's event loop ran (a heartbeat it schedules on itself every second).
  void set_loop_turned(std::chrono::steady_clock::time_point at);

  //! The desired state is loaded and the last swarm observation worked.
  bool ready() const;
  //! Empty while the event loop has turned within `bound` (or has not started yet); else why
  //! /healthz fails: a loop that stopped turning triggers no pass, renews no lease and corrects
  //! no drift, while the HTTP threads would go on answering.
  std::optional<std::string> stalled(std::chrono::steady_clock::time_point now,
                                     std::chrono::milliseconds bound) const;
  std::string status_json() const;
  std::string metrics_text() const;

  static constexpr std::array<double, 8> kBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

 private:
  struct Reconciler {
    std::string sync = "Unknown";
    std::string health = "Unknown";
    Condition synced{"Synced", "Unknown", "NotObserved", "", 0};
    Condition healthy{"Healthy", "Unknown", "NotObserved", "", 0};
    std::optional<model::PlanReport> plan;
    std::string last_outcome;
    std::int64_t last_pass = 0;
    double last_duration = 0;
    std::optional<std::string> last_step;
    std::optional<std::string> last_error;
    std::map<std::string, std::uint64_t> passes;  //!< by outcome
    std::uint64_t steps_applied = 0;
    std::map<std::string, std::uint64_t> errors;  //!< by error code
    std::optional<std::chrono::steady_clock::time_point> last_success;
    std::array<std::uint64_t, kBuckets.size()> bucket_counts{};
    std::uint64_t duration_count = 0;
    double duration_sum = 0;
  };

  static void transition(Condition& condition, std::string status, std::string reason,
                         std::string message);

  mutable std::mutex mutex_;
  std::vector<std::string> order_;
  std::map<std::string, Reconciler> reconcilers_;
  std::string desired_path_;
  std::string desired_revision_;
  std::vector<std::string> desired_errors_;
  std::uint64_t load_errors_ = 0;
  std::string identity_;
  std::string lease_holder_;
  bool lease_held_ = false;
  std::size_t queue_depth_ = 0;
  std::map<std::string, ApiCounts> api_;
  bool swarm_reachable_ = false;
  bool stopping_ = false;
  std::optional<std::chrono::steady_clock::time_point> loop_turned_;
};

}  // namespace swarmop::watch
