#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "swarmop/clients/couchbase_client.hpp"
#include "swarmop/clients/docker_client.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/rabbitmq_client.hpp"
#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/expected.hpp"
#include "swarmop/reconcilers/swarm_io.hpp"

namespace swarmop::cli {

//! The swarm a command talks to: a manager's engine (--docker, else DOCKER_HOST and friends)
//! and a way to reach each node's own engine from the file's `engine` entries.
struct SwarmConnection {
  clients::DockerClientPtr manager;
  reconcilers::EngineConnector engines;
};

//! `policy` sets the manager client's retries and per-call timeout cap (the lease's own client);
//! its deadline bounds the node engines' clients too.
model::Expected<SwarmConnection> connect_swarm(const boost::program_options::variables_map& options,
                                               const clients::RetryPolicy& policy = {});

//! The lease's connection: each read or write gets a third of the lease's duration (at least
//! 1 s) and no retry. A Docker API that stalls (seen for ~21 s while a promoted manager joins
//! raft) then cannot hold a renewal or a takeover past the lease's duration.
clients::RetryPolicy lease_retry_policy(std::chrono::milliseconds lease_duration);

//! The RabbitMQ management endpoints (--rabbitmq, else SWARM_OPERATOR_RABBITMQ, else
//! spec.rabbitmq.endpoints) with credentials (--rabbitmq-credentials, else
//! SWARM_OPERATOR_RABBITMQ_CREDENTIALS, else spec.rabbitmq.credentials). nullptr when the file
//! has no rabbitmq section or names no endpoint (that reconciler then says it cannot observe).
//! What looks wrong with the credentials file but does not stop it (its mode, spaces around the
//! password) is added to `warnings`, for the command to print or log. Every request ends by
//! `deadline` (apply --timeout).
model::Expected<clients::RabbitClientPtr> connect_rabbitmq(
    const boost::program_options::variables_map& options, const model::DesiredState& desired,
    std::vector<std::string>& warnings, const clients::CallDeadline& deadline = {});

//! The Couchbase admin endpoints (--couchbase, else SWARM_OPERATOR_COUCHBASE, else
//! spec.couchbase.endpoints) with credentials (--couchbase-credentials, else
//! SWARM_OPERATOR_COUCHBASE_CREDENTIALS, else spec.couchbase.credentials; required). nullptr
//! when the file has no couchbase section or names no endpoint. Warnings and deadline as for
//! RabbitMQ.
model::Expected<clients::CouchbaseClientPtr> connect_couchbase(
    const boost::program_options::variables_map& options, const model::DesiredState& desired,
    std::vector<std::string>& warnings, const clients::CallDeadline& deadline = {});

//! Prints each warning of connect_rabbitmq/connect_couchbase as
//! "swarm-operator COMMAND: warning: ..." on standard error.
void print_warnings(std::string_view command, const std::vector<std::string>& warnings,
                    Streams& io);

}  // namespace swarmop::cli
