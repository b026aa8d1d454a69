#include "swarmop/sim/event_log.hpp"

namespace swarmop::sim {

void EventLog::publish(Event event) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
    while (events_.size() > capacity_) {
      events_.pop_front();
      ++first_sequence_;
    }
  }
  changed_.notify_all();
}

EventLog::Batch EventLog::read_from(std::uint64_t from, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  const auto end = [this] { return first_sequence_ + events_.size(); };
  changed_.wait_for(lock, wait, [&] { return closed_ || end() > from; });
  Batch batch;
  for (std::uint64_t sequence = std::max(from, first_sequence_); sequence < end(); ++sequence) {
    batch.events.push_back(events_[sequence - first_sequence_]);
  }
  batch.next_sequence = end();
  return batch;
}

std::uint64_t EventLog::end_sequence() const {
  std::lock_guard lock(mutex_);
  return first_sequence_ + events_.size();
}

void EventLog::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

bool EventLog::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace swarmop::sim
