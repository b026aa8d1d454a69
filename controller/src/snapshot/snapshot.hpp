#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/expected.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"
#include "swarmop/reconcilers/rabbitmq_planner.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"

//! The offline snapshot (docs/snapshot.md, crd/snapshot.schema.json): what every reconciler
//! observes, written by `swarm-operator snapshot` and read by `plan --state`. Nodes, services
//! and tasks are stored in the Engine API's own JSON shape and read back with the production
//! decoders, so an offline plan reads exactly what an online one does.
namespace swarmop::snapshot {

inline constexpr const char* kSnapshotApiVersion = "swarm-operator/snapshot/v1";

struct Snapshot {
  reconcilers::SwarmObservation swarm;
  //! Present when the snapshot was taken with a file that has these sections and endpoints to
  //! observe them.
  std::optional<reconcilers::CouchbaseObservation> couchbase;
  std::optional<reconcilers::RabbitObservation> rabbitmq;
  //! Random per snapshot; keys the digests that stand in for redacted values.
  std::string salt;
  std::string taken_at;  //!< RFC 3339, UTC
};

//! The snapshot as JSON. Secrets are removed here (see redact_spec), whatever the caller.
boost::json::value to_json(const Snapshot& snapshot);

//! Reads a snapshot; an unknown apiVersion or a malformed section is an error naming it.
model::Expected<Snapshot> from_json(const boost::json::value& json);

//! A fresh random salt (hex).
std::string new_salt();

//! The current time as RFC 3339 UTC.
std::string now_rfc3339();

}  // namespace swarmop::snapshot
