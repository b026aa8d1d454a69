#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

//! Helpers for the data stores' node services (one Couchbase or RabbitMQ node per stack
//! service, pinned to one swarm node), which the manual has people copy from the primary by hand.
namespace swarmop::reconcilers {

//! TaskTemplate.ContainerSpec.Hostname, or "" when the spec has none.
std::string container_hostname(const boost::json::object& spec);

//! The primary's spec renamed for another node: its own name, container hostname and network
//! aliases (`alias` and the hostname), 0 replicas (started later, in turn). Everything else is
//! copied unchanged; callers make the store-specific changes.
boost::json::object node_service_from_primary(const boost::json::object& primary,
                                              const std::string& full_name,
                                              const std::string& alias,
                                              const std::string& hostname);

//! Appends `suffix` to the source of every mount with this target (a data volume of its own).
boost::json::object with_mount_source_suffix(boost::json::object spec, const std::string& target,
                                             const std::string& suffix);

//! "node.hostname == <node>".
std::string hostname_constraint(const std::string& node);
//! The constraints with every node.hostname pin replaced by one pin to `node`.
std::vector<std::string> pinned_constraints(const std::vector<std::string>& current,
                                            const std::string& node);
//! Exactly one node.hostname pin, and it is `==` this node.
bool is_pinned_to(const std::vector<std::string>& current, const std::string& node);

}  // namespace swarmop::reconcilers
