#pragma once

// The data-safety invariant every simulator journey checks at its end: no stateful task started
// away from its data (the simulators record each time one did, lost or not).
#include <string>
#include <vector>

#include "swarmop/sim/data_placement.hpp"

namespace swarmop::testing {

//! One line per recorded move, for a failed check's message; empty when there is none.
inline std::string data_loss_text(const std::vector<sim::DataLoss>& losses) {
  std::string out;
  for (const auto& loss : losses) {
    out += loss.store + " " + loss.service + ": data on " + loss.data_host + ", started on " +
           loss.started_on + (loss.lost ? " (data lost)" : " (came up empty)") + "; " + loss.note +
           "\n";
  }
  return out;
}

}  // namespace swarmop::testing
