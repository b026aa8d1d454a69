#pragma once

#include <boost/json/value.hpp>

#include "swarmop/model/expected.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"
#include "swarmop/reconcilers/rabbitmq_planner.hpp"

//! The snapshot's couchbase and rabbitmq sections: the data-store reconcilers' observations,
//! field by field (crd/snapshot.schema.json describes them). Neither holds a secret: the
//! observations carry no credential, and a management API never returns one.
namespace swarmop::snapshot {

boost::json::object couchbase_json(const reconcilers::CouchbaseObservation& observed);
model::Expected<reconcilers::CouchbaseObservation> couchbase_from(const boost::json::value& json);

boost::json::object rabbitmq_json(const reconcilers::RabbitObservation& observed);
model::Expected<reconcilers::RabbitObservation> rabbitmq_from(const boost::json::value& json);

}  // namespace swarmop::snapshot
