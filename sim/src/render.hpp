#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "swarmop/sim/world_types.hpp"

//! The Engine API's JSON for the simulated objects, shaped like the real samples
//! (reference/real-swarm/samples/get-nodes-5.json, get-service-gui.json, get-tasks-*.json).
namespace swarmop::sim::render {

//! RFC 3339 with nanoseconds, as Go prints times: "2026-11-25T13:03:30.805405486Z".
std::string timestamp(UnixNanos time);

boost::json::object node(const Node& node);
boost::json::object service(const Service& service);
boost::json::object task(const Task& task);
boost::json::object event(const Event& event);

}  // namespace swarmop::sim::render
