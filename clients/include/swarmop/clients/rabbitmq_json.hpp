#pragma once

#include <boost/json/value.hpp>
#include <vector>

#include "swarmop/clients/rabbitmq_types.hpp"
#include "swarmop/model/expected.hpp"

//! Decoders from the management API's JSON. Never throw; a body without the fields the
//! operator needs is a kInternal error naming what was missing.
namespace swarmop::clients::rabbitmq_json {

model::Expected<RabbitOverview> decode_overview(const boost::json::value& json);
model::Expected<std::vector<RabbitNode>> decode_nodes(const boost::json::value& json);
model::Expected<RabbitPolicy> decode_policy(const boost::json::value& json);
model::Expected<std::vector<RabbitPolicy>> decode_policies(const boost::json::value& json);
model::Expected<std::vector<RabbitQueue>> decode_queues(const boost::json::value& json);
HealthCheckResult decode_health(int status, const boost::json::value& json);
boost::json::object encode_policy(const RabbitPolicy& policy);

}  // namespace swarmop::clients::rabbitmq_json
