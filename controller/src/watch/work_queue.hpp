#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace swarmop::watch {

using Clock = std::chrono::steady_clock;

//! Exponential backoff with jitter for a reconciler whose passes fail.
struct BackoffPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{300'000};
  double jitter = 0.2;  //!< +-20%: controllers that fail together do not retry together
};

//! How a pass ended, as the queue needs it.
struct PassEnd {
  bool failed = false;
  //! Asked to look again after this long (a rollout or a rebalance running); nullopt: only on
  //! the next trigger or resync.
  std::optional<std::chrono::milliseconds> requeue_after;
};

//! One entry per reconciler. At most one pass of a reconciler runs at a time; triggers that
//! arrive while it runs collapse into one follow-up pass; a failed pass is retried after a
//! backoff that grows with each failure in a row (triggers during the backoff wait for it) and
//! resets on success. Pure: the caller gives the time; not thread-safe (the event loop owns it).
class WorkQueue {
 public:
  WorkQueue(const std::vector<std::string>& reconcilers, BackoffPolicy backoff,
            std::uint64_t seed = 1);

  //! Something changed that may concern this reconciler: a pass is due now (or after the
  //! current one, or when its backoff ends).
  void trigger(const std::string& reconciler, Clock::time_point now);
  void trigger_all(Clock::time_point now);

  //! Reconcilers whose pass is due and not running, marked running, in the order given.
  std::vector<std::string> take_due(Clock::time_point now);
  void finished(const std::string& reconciler, const PassEnd& end, Clock::time_point now);

  //! When the loop should next call take_due (nullopt: only on a trigger).
  std::optional<Clock::time_point> next_due() const;
  //! Entries waiting for a pass (due, or triggered while running).
  std::size_t depth() const;
  std::size_t running() const;
  int failures(const std::string& reconciler) const;
  //! The backoff after `failures` failures in a row, before jitter.
  std::chrono::milliseconds backoff_for(int failures) const;

 private:
  struct Entry {
    bool running = false;
    bool triggered_while_running = false;
    std::optional<Clock::time_point> due;
    int failures = 0;
  };

  Entry& entry(const std::string& reconciler);

  std::vector<std::string> order_;
  std::map<std::string, Entry> entries_;
  BackoffPolicy backoff_;
  std::mt19937_64 random_;
};

}  // namespace swarmop::watch
