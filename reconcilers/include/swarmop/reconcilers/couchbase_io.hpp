#pragma once

#include "swarmop/clients/couchbase_client.hpp"
#include "swarmop/clients/docker_client.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"

namespace swarmop::reconcilers {

//! Five reads whatever the number of nodes and buckets: the cluster, buckets, tasks,
//! auto-failover settings and index status. A cluster no endpoint answers (or one not
//! provisioned yet) is an observation too (`unreachable`), not an error. While the cluster has
//! fewer nodes than the file lists, one more read: the swarm's clock from the manager's /info
//! (a failed read leaves it unknown, and the planner then decides nothing by time).
CouchbaseObservation observe_couchbase(clients::CouchbaseClient& couchbase,
                                       clients::DockerClient& docker,
                                       const model::DesiredState& desired);

//! Sends one step. A delta recovery the server refuses (a bucket's replica count changed since
//! the failover) falls back to a full recovery, and the error says so if that fails too.
model::Expected<model::Unit> apply_couchbase_step(const CouchbaseStep& step,
                                                  clients::DockerClient& docker,
                                                  clients::CouchbaseClient& couchbase);

}  // namespace swarmop::reconcilers
