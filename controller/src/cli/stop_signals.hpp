#pragma once

#include <chrono>

namespace swarmop::cli {

//! SIGINT and SIGTERM while apply runs. The first asks apply to stop between steps (the step in
//! flight is never abandoned half sent); a second one exits at once with the same code. While
//! an object lives it owns both signals; the previous handlers come back when it goes. One at
//! a time.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  //! 0, or the first signal received.
  int received() const;
  //! Waits for `pause`, less if a signal arrives: a wait between steps is cut short.
  void wait(std::chrono::milliseconds pause) const;
};

//! "SIGINT", "SIGTERM", else "signal N".
const char* signal_name(int signal);

}  // namespace swarmop::cli
