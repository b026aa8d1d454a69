#pragma once

#include "marked_node.hpp"
#include "swarmop/model/desired_state.hpp"

namespace swarmop::model::detail {

//! Turns a schema-valid document, with defaults applied, into plain values. Relies on the
//! schema for shape: every field it reads has already been type-checked.
DesiredState decode_document(const MarkedNode& root);

//! Scalars of free maps (labels, env) are strings in Swarm: `true` becomes "true", `8` "8".
std::string scalar_to_string(const MarkedNode& node);

}  // namespace swarmop::model::detail
