#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace swarmop::sim {

//! Unix time in nanoseconds: the unit of every timestamp in the Engine API.
using UnixNanos = std::int64_t;

//! The simulator's only source of time, so that tests can move time by hand and never sleep.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixNanos now() const = 0;
  //! True when time moves only through advance(): waits must not rely on wall time.
  virtual bool is_manual() const = 0;
};

//! Wall time, for `swarm-operator sim` and demos.
class SystemClock final : public Clock {
 public:
  UnixNanos now() const override;
  bool is_manual() const override { return false; }
};

//! Time that moves only when a test says so.
class ManualClock final : public Clock {
 public:
  //! Default start: 2026-11-25T13:00:00Z, the day the reference samples were captured.
  explicit ManualClock(UnixNanos start = 1'795'611'600'000'000'000);
  UnixNanos now() const override;
  bool is_manual() const override { return true; }
  void advance(std::chrono::nanoseconds by);

 private:
  mutable std::mutex mutex_;
  UnixNanos now_;
};

constexpr UnixNanos to_nanos(std::chrono::nanoseconds duration) {
  return duration.count();
}
constexpr UnixNanos kSecond = 1'000'000'000;

}  // namespace swarmop::sim
