#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "swarmop/sim/world_types.hpp"

namespace swarmop::sim {

//! The engine's recent events (a ring, like dockerd's in-memory log) and a way for event
//! streams to wait for new ones. Every event gets a sequence number so that a stream can
//! resume exactly where it stopped.
class EventLog {
 public:
  explicit EventLog(std::size_t capacity = 256) : capacity_(capacity) {}

  void publish(Event event);

  struct Batch {
    std::vector<Event> events;
    std::uint64_t next_sequence = 0;  //!< pass it to the next call
  };
  //! Events with a sequence number >= `from`; waits up to `wait` (wall time) for one to come.
  Batch read_from(std::uint64_t from, std::chrono::milliseconds wait);
  //! The sequence number the next published event will carry.
  std::uint64_t end_sequence() const;
  //! Wakes every waiting stream and makes waits return at once (shutdown).
  void close();
  bool closed() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Event> events_;
  std::uint64_t first_sequence_ = 0;  //!< of events_.front()
  std::size_t capacity_;
  bool closed_ = false;
};

}  // namespace swarmop::sim
