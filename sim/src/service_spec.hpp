#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/model/constraint.hpp"
#include "swarmop/sim/clock.hpp"

//! Reads the fields of a stored ServiceSpec that the scheduler and the updater act on, with
//! the engine's defaults for absent fields. The spec itself is never rewritten by these.
namespace swarmop::sim::service_spec {

std::string name(const boost::json::object& spec);
bool is_global(const boost::json::object& spec);
std::uint64_t replicas(const boost::json::object& spec);
const boost::json::object* task_template(const boost::json::object& spec);
std::vector<model::Constraint> constraints(const boost::json::object& spec);
std::vector<std::string> spread_labels(const boost::json::object& spec);  //!< label keys
std::uint64_t max_replicas(const boost::json::object& spec);
UnixNanos stop_grace_period(const boost::json::object& spec);       //!< default 10 s
UnixNanos restart_delay(const boost::json::object& spec);           //!< default 5 s
std::uint64_t update_parallelism(const boost::json::object& spec);  //!< 0: all at once
UnixNanos update_delay(const boost::json::object& spec);
std::optional<UnixNanos> update_monitor(const boost::json::object& spec);

//! One entry of ContainerSpec.Mounts, as far as where its data lives is concerned.
struct Mount {
  std::string type;    //!< bind, volume (the default), tmpfs, npipe, cluster
  std::string source;  //!< host path or volume name; empty: an anonymous volume
  std::string target;
  std::string driver;  //!< VolumeOptions.DriverConfig.Name; empty: the default, local
};
std::vector<Mount> mounts(const boost::json::object& spec);

//! The TaskTemplate without Placement: what makes a running task outdated when it changes.
boost::json::object template_without_placement(const boost::json::object& spec);

//! Adds the fields the engine fills in on create and update (Isolation, Runtime, ForceUpdate,
//! MaxFailureRatio) and drops zero durations the engine omits, as GET then shows them.
void apply_engine_defaults(boost::json::object& spec);

//! Why the engine would refuse this spec, in the engine's words, or nullopt.
struct Refusal {
  int status;
  std::string message;
};
std::optional<Refusal> validate(const boost::json::object& spec);

}  // namespace swarmop::sim::service_spec
