#pragma once

#include <map>
#include <sstream>
#include <string>

#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::testing {

//! Each node's role, availability and labels, one "host: role availability k=v..." line per
//! node sorted by hostname: the swarm half of a fault row's comparable end state.
inline std::string node_state_text(const sim::SwarmWorld& world) {
  std::map<std::string, std::string> nodes;
  for (const auto& node : world.nodes()) {
    std::ostringstream line;
    line << node.role << " " << node.availability;
    for (const auto& [key, value] : node.labels) {
      line << " " << key << "=" << value;
    }
    nodes[node.hostname] = line.str();
  }
  std::string out;
  for (const auto& [host, line] : nodes) {
    out += host + ": " + line + "\n";
  }
  return out;
}

}  // namespace swarmop::testing
