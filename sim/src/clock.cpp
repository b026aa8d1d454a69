#include "swarmop/sim/clock.hpp"

namespace swarmop::sim {

UnixNanos SystemClock::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ManualClock::ManualClock(UnixNanos start) : now_(start) {}

UnixNanos ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

void ManualClock::advance(std::chrono::nanoseconds by) {
  std::lock_guard lock(mutex_);
  now_ += by.count();
}

}  // namespace swarmop::sim
