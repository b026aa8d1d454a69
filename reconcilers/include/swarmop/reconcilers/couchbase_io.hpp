#pragma once

#include "swarmop/clients/couchbase_client.hpp"
#include "swarmop/clients/docker_client.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"

namespace swarmop::reconcilers {

//! Five reads whatever the number of nodes and buckets: the cluster, buckets, tasks,
//! auto-failover settings and index status. A cluster no endpoint answers (or one not
//! provisioned yet) is an observation too (`unreachable`), not an error.
CouchbaseObservation observe_couchbase(clients::CouchbaseClient& couchbase);

//! Sends one step. A delta recovery the server refuses (a bucket's replica count changed since
//! the failover) falls back to a full recovery, and the error says so if that fails too.
model::Expected<model::Unit> apply_couchbase_step(const CouchbaseStep& step,
                                                  clients::DockerClient& docker,
                                                  clients::CouchbaseClient& couchbase);

}  // namespace swarmop::reconcilers
