#include "swarmop/reconcilers/couchbase_io.hpp"

#include "swarmop/reconcilers/swarm_io.hpp"

namespace swarmop::reconcilers {

CouchbaseObservation observe_couchbase(clients::CouchbaseClient& couchbase,
                                       clients::DockerClient& docker,
                                       const model::DesiredState& desired) {
  CouchbaseObservation out;
  auto cluster = couchbase.cluster();
  if (!cluster) {
    out.unreachable = cluster.error().describe();
    if (cluster.error().code == model::ErrorCode::kUnauthorized) {
      out.credentials_refused = cluster.error();
    }
    return out;
  }
  out.cluster = std::move(*cluster);
  auto buckets = couchbase.buckets();
  auto tasks = couchbase.tasks();
  auto auto_failover = couchbase.auto_failover();
  auto indexes = couchbase.index_status();
  for (const auto* error :
       {buckets ? nullptr : &buckets.error(), tasks ? nullptr : &tasks.error(),
        auto_failover ? nullptr : &auto_failover.error(), indexes ? nullptr : &indexes.error()}) {
    if (error != nullptr) {
      out.unreachable = error->describe();
      if (error->code == model::ErrorCode::kUnauthorized) {
        out.credentials_refused = *error;
      }
      return out;
    }
  }
  out.buckets = std::move(*buckets);
  out.tasks = std::move(*tasks);
  out.auto_failover = *auto_failover;
  out.indexes = std::move(*indexes);
  if (desired.couchbase && out.cluster.nodes.size() < desired.couchbase->nodes.size()) {
    if (auto info = docker.info()) {
      out.swarm_clock = info->system_time;
    }
  }
  return out;
}

namespace {

struct StepSender {
  clients::DockerClient& docker;
  clients::CouchbaseClient& couchbase;

  model::Expected<model::Unit> operator()(const CreateService& create) const {
    return send_service_create(docker, create);
  }
  model::Expected<model::Unit> operator()(const ServiceUpdate& update) const {
    return send_service_update(docker, update);
  }
  model::Expected<model::Unit> operator()(const AddCouchbaseNode& add) const {
    auto added = couchbase.add_node(add.hostname, add.services);
    if (!added) {
      return added.error();
    }
    return model::Unit{};
  }
  model::Expected<model::Unit> operator()(const Rebalance& rebalance) const {
    return (couchbase.rebalance(rebalance.known_nodes, rebalance.ejected_nodes));
  }
  model::Expected<model::Unit> operator()(const SetBucketReplicas& set) const {
    return (couchbase.set_bucket_replicas(set.bucket, set.replicas));
  }
  model::Expected<model::Unit> operator()(const RecoverNode& recover) const {
    auto delta = couchbase.set_recovery_type(recover.otp_node, clients::RecoveryType::kDelta);
    if (delta || delta.error().code != model::ErrorCode::kInvalid) {
      return delta;
    }
    auto full = couchbase.set_recovery_type(recover.otp_node, clients::RecoveryType::kFull);
    if (!full) {
      model::Error error = full.error();
      error.message = "delta recovery refused (" + delta.error().message +
                      "), then full recovery failed: " + error.message;
      return error;
    }
    return full;
  }
  model::Expected<model::Unit> operator()(const SetAutoFailover& settings) const {
    return (couchbase.set_auto_failover(settings.enabled, settings.timeout_seconds,
                                        settings.max_count));
  }
};

}  // namespace

model::Expected<model::Unit> apply_couchbase_step(const CouchbaseStep& step,
                                                  clients::DockerClient& docker,
                                                  clients::CouchbaseClient& couchbase) {
  auto result = std::visit(StepSender{docker, couchbase}, step.operation);
  if (!result) {
    return step_error(step.description, result.error());
  }
  return result;
}

}  // namespace swarmop::reconcilers
