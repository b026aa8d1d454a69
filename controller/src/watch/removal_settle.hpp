#pragma once

// A step that takes a member away for good acts only on file content that has stood for a
// while. A file written in place with a pause once exposed a valid prefix without the last
// Couchbase node: the controller rebalanced it out, then added it back 21 s later. Reading the
// same bytes twice --file-stable apart guards every change; removals also wait --removal-settle
// after the content was first read, so an edit that is finished a little later (or reverted)
// never costs a member.

#include <chrono>
#include <optional>
#include <string>

#include "swarmop/model/plan.hpp"

namespace swarmop::watch {

//! A Couchbase rebalance that ejects nodes, a swarm node leaving or its entry being removed.
bool removes_members(const model::StepDescription& step);

//! Empty when `step` may be sent now; else the wait, with its reason. `first_seen` is when the
//! content in force was first read.
std::optional<std::string> removal_wait(const model::StepDescription& step,
                                        std::chrono::steady_clock::time_point first_seen,
                                        std::chrono::steady_clock::time_point now,
                                        std::chrono::milliseconds settle);

}  // namespace swarmop::watch
