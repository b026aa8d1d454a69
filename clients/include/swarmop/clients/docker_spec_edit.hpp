#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

//! Pure edits of the raw NodeSpec and ServiceSpec JSON the engine returned. Each returns a copy
//! with one managed field changed and everything else, including fields this project does not
//! know, exactly as it was: the engine replaces the whole spec on update and resets what is
//! omitted, so a write must send back what it read.
namespace swarmop::clients::spec_edit {

// NodeSpec
boost::json::object with_role(boost::json::object spec, const std::string& role);
boost::json::object with_availability(boost::json::object spec, const std::string& availability);
//! Sets these labels (adding or changing them) and removes the keys in `remove`; any other
//! label is kept.
boost::json::object with_labels(boost::json::object spec,
                                const std::map<std::string, std::string>& set,
                                const std::vector<std::string>& remove = {});

// ServiceSpec
boost::json::object with_replicas(boost::json::object spec, std::uint64_t replicas);
boost::json::object with_constraints(boost::json::object spec,
                                     const std::vector<std::string>& constraints);
boost::json::object with_spread_preferences(boost::json::object spec,
                                            const std::vector<std::string>& descriptors);
boost::json::object with_max_replicas(boost::json::object spec, std::uint64_t max_per_node);
//! ForceUpdate is a counter: any different value redeploys every task.
boost::json::object with_force_update_bumped(boost::json::object spec);
//! Sets these environment variables in ContainerSpec.Env, keeping the others and their order.
boost::json::object with_env(boost::json::object spec,
                             const std::map<std::string, std::string>& set);
boost::json::object with_stop_grace_period(boost::json::object spec,
                                           std::chrono::milliseconds period);
boost::json::object with_restart_delay(boost::json::object spec, std::chrono::milliseconds delay);
//! Limits and reservations; an unset amount is left as it is.
boost::json::object with_resources(boost::json::object spec, bool reservations,
                                   std::optional<double> cpus,
                                   std::optional<std::int64_t> memory_bytes);

}  // namespace swarmop::clients::spec_edit
