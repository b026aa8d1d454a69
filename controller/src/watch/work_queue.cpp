#include "watch/work_queue.hpp"

#include <algorithm>
#include <stdexcept>

namespace swarmop::watch {

WorkQueue::WorkQueue(const std::vector<std::string>& reconcilers, BackoffPolicy backoff,
                     std::uint64_t seed)
    : order_(reconcilers), backoff_(backoff), random_(seed) {
  for (const auto& name : reconcilers) {
    entries_[name];
  }
}

WorkQueue::Entry& WorkQueue::entry(const std::string& reconciler) {
  const auto found = entries_.find(reconciler);
  if (found == entries_.end()) {
    throw std::invalid_argument("no reconciler named " + reconciler);
  }
  return found->second;
}

void WorkQueue::trigger(const std::string& reconciler, Clock::time_point now) {
  Entry& e = entry(reconciler);
  if (e.running) {
    e.triggered_while_running = true;
    return;
  }
  if (e.failures > 0 && e.due) {
    return;  // backing off: the retry is already scheduled and the trigger waits for it
  }
  e.due = e.due ? std::min(*e.due, now) : now;
}

void WorkQueue::trigger_all(Clock::time_point now) {
  for (const auto& name : order_) {
    trigger(name, now);
  }
}

std::vector<std::string> WorkQueue::take_due(Clock::time_point now) {
  std::vector<std::string> out;
  for (const auto& name : order_) {
    Entry& e = entries_.at(name);
    if (!e.running && e.due && *e.due <= now) {
      e.running = true;
      e.due.reset();
      out.push_back(name);
    }
  }
  return out;
}

std::chrono::milliseconds WorkQueue::backoff_for(int failures) const {
  if (failures <= 0) {
    return std::chrono::milliseconds(0);
  }
  std::chrono::milliseconds wait = backoff_.base;
  for (int i = 1; i < failures && wait < backoff_.cap; ++i) {
    wait *= 2;
  }
  return std::min(wait, backoff_.cap);
}

void WorkQueue::finished(const std::string& reconciler, const PassEnd& end, Clock::time_point now) {
  Entry& e = entry(reconciler);
  e.running = false;
  const bool follow_up = e.triggered_while_running;
  e.triggered_while_running = false;
  if (end.failed) {
    ++e.failures;
    const auto wait = backoff_for(e.failures);
    std::uniform_real_distribution<double> spread(1.0 - backoff_.jitter, 1.0 + backoff_.jitter);
    const auto jittered = std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(wait.count()) * spread(random_)));
    e.due = now + jittered;
    return;
  }
  e.failures = 0;
  if (follow_up) {
    e.due = now;
  } else if (end.requeue_after) {
    e.due = now + *end.requeue_after;
  } else {
    e.due.reset();
  }
}

std::optional<Clock::time_point> WorkQueue::next_due() const {
  std::optional<Clock::time_point> out;
  for (const auto& [name, e] : entries_) {
    if (!e.running && e.due && (!out || *e.due < *out)) {
      out = e.due;
    }
  }
  return out;
}

std::size_t WorkQueue::depth() const {
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(), [](auto& kv) {
    return kv.second.triggered_while_running || (!kv.second.running && kv.second.due);
  }));
}

std::size_t WorkQueue::running() const {
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(), [](auto& kv) { return kv.second.running; }));
}

int WorkQueue::failures(const std::string& reconciler) const {
  const auto found = entries_.find(reconciler);
  return found == entries_.end() ? 0 : found->second.failures;
}

}  // namespace swarmop::watch
