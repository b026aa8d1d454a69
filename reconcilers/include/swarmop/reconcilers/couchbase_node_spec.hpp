#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "swarmop/model/desired_state.hpp"

namespace swarmop::reconcilers {

//! A Couchbase worker service as the manual's docker-compose-override adds it by hand, copied
//! from the primary's spec: its own name, hostname and aliases (<service>.isnet), TYPE=WORKER,
//! AUTO_REBALANCE as the file says, db_host naming the primary, its own named data volume (a
//! bind mount is per host already, and each Couchbase service has a host of its own), the
//! published admin port (or none: the primary's 8091 would clash), pinned to `node`,
//! 0 replicas. Everything else is copied unchanged.
boost::json::object couchbase_worker_spec(const boost::json::object& primary,
                                          const std::string& full_name,
                                          const model::PinnedService& worker, std::size_t number,
                                          const std::string& primary_service, bool auto_rebalance);

//! EndpointSpec.Ports: the admin port published to 8091, or no published port.
boost::json::object with_admin_port(boost::json::object spec, std::optional<int> admin_port);

//! The image without its tag: services running the primary's image are Couchbase nodes.
std::string image_repository(const std::string& image);

}  // namespace swarmop::reconcilers
