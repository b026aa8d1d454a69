#pragma once

#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "swarmop/clients/docker_types.hpp"
#include "swarmop/model/expected.hpp"

//! Decoders from the Engine API's JSON to docker_types. They never throw: a body that is not
//! JSON, or lacks a field the operator cannot do without (an ID), is a kInternal error naming
//! what was wrong; other odd fields read as empty.
namespace swarmop::clients::docker_json {

model::Expected<boost::json::value> parse(std::string_view body, std::string_view what);

model::Expected<EngineVersion> decode_version(const boost::json::value& json);
model::Expected<EngineInfo> decode_info(const boost::json::value& json);
model::Expected<SwarmInfo> decode_swarm(const boost::json::value& json);
model::Expected<DockerNode> decode_node(const boost::json::value& json);
model::Expected<std::vector<DockerNode>> decode_nodes(const boost::json::value& json);
model::Expected<DockerService> decode_service(const boost::json::value& json);
model::Expected<std::vector<DockerService>> decode_services(const boost::json::value& json);
model::Expected<std::vector<DockerTask>> decode_tasks(const boost::json::value& json);
model::Expected<DockerEvent> decode_event(const boost::json::value& json);

//! Reads the `message` of an Engine API error body, or returns the body itself, shortened.
std::string error_message(std::string_view body);

}  // namespace swarmop::clients::docker_json
