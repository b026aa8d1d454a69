#pragma once

#include <string>
#include <vector>

#include "marked_node.hpp"
#include "swarmop/model/desired_state.hpp"

namespace swarmop::model::detail {

//! The rules the JSON Schema cannot express: references between sections, Swarm quorum,
//! whether replicas can be placed at all, and the manual's high-availability advice. `root` is
//! the defaulted document the state was decoded from; it supplies the positions.
std::vector<Diagnostic> check_semantics(const DesiredState& state, const MarkedNode& root,
                                        const std::string& file);

}  // namespace swarmop::model::detail
