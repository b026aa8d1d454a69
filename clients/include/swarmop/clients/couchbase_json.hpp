#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "swarmop/clients/couchbase_types.hpp"
#include "swarmop/model/expected.hpp"

//! Decoders from the admin REST API's JSON. Never throw; a body without the fields the
//! operator needs is a kInternal error naming what was missing.
namespace swarmop::clients::couchbase_json {

model::Expected<CouchbaseCluster> decode_cluster(const boost::json::value& json);
model::Expected<std::vector<CouchbaseBucket>> decode_buckets(const boost::json::value& json);
//! The {"otpNode":"ns_1@host"} addNode answers with.
model::Expected<std::string> decode_add_node(const boost::json::value& json);
model::Expected<RebalanceProgress> decode_rebalance_progress(const boost::json::value& json);
model::Expected<std::vector<CouchbaseTask>> decode_tasks(const boost::json::value& json);
model::Expected<AutoFailoverSettings> decode_auto_failover(const boost::json::value& json);
model::Expected<IndexStatus> decode_index_status(const boost::json::value& json);

}  // namespace swarmop::clients::couchbase_json

namespace swarmop::clients {

//! One readable line from any of the server's error bodies: a JSON list of strings
//! (["msg"]), a JSON object ({"errors":{"field":"msg"}}, {"errors":["msg"]}, {"mismatch":1},
//! {"message":"Forbidden...","permissions":[...]}, {"error":"timeout"}), a JSON string
//! ("unknown pool") or plain text ("Cannot remove active server.\n"). Empty for an empty body.
std::string couchbase_error_text(std::string_view body);

}  // namespace swarmop::clients
