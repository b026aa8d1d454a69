#include "swarmop/model/desired_state.hpp"

namespace swarmop::model {

std::string_view to_string(NodeRole role) {
  return role == NodeRole::kManager ? "manager" : "worker";
}

std::string_view to_string(Availability availability) {
  switch (availability) {
    case Availability::kActive:
      return "active";
    case Availability::kDrain:
      return "drain";
    case Availability::kPause:
      return "pause";
  }
  return "active";
}

const NodeSpec* DesiredState::find_node(std::string_view hostname) const {
  for (const NodeSpec& node : swarm.nodes) {
    if (node.hostname == hostname) {
      return &node;
    }
  }
  return nullptr;
}

}  // namespace swarmop::model
