#include "swarmop/reconcilers/rabbitmq_io.hpp"

#include "swarmop/reconcilers/swarm_io.hpp"

namespace swarmop::reconcilers {

RabbitObservation observe_rabbitmq(clients::RabbitClient& rabbit, const std::string& vhost) {
  RabbitObservation out;
  auto overview = rabbit.overview();
  if (!overview) {
    out.unreachable = overview.error().describe();
    if (overview.error().code == model::ErrorCode::kUnauthorized) {
      out.credentials_refused = overview.error();
    }
    return out;
  }
  out.overview = std::move(*overview);
  auto nodes = rabbit.nodes();
  auto policies = rabbit.policies(vhost);
  auto queues = rabbit.queues(vhost);
  for (const auto* error :
       {nodes ? nullptr : &nodes.error(), policies ? nullptr : &policies.error(),
        queues ? nullptr : &queues.error()}) {
    if (error != nullptr) {
      out.unreachable = error->describe();
      if (error->code == model::ErrorCode::kUnauthorized) {
        out.credentials_refused = *error;
      }
      return out;
    }
  }
  out.nodes = std::move(*nodes);
  out.policies = std::move(*policies);
  out.queues = std::move(*queues);
  return out;
}

model::Expected<model::Unit> apply_rabbitmq_step(const RabbitStep& step,
                                                 clients::DockerClient& docker,
                                                 clients::RabbitClient& rabbit) {
  struct Visitor {
    clients::DockerClient& docker;
    clients::RabbitClient& rabbit;

    model::Expected<model::Unit> operator()(const CreateService& create) const {
      return send_service_create(docker, create);
    }
    model::Expected<model::Unit> operator()(const ServiceUpdate& update) const {
      return send_service_update(docker, update);
    }
    model::Expected<model::Unit> operator()(const PutPolicy& put) const {
      auto written = rabbit.put_policy(put.policy);
      if (!written) {
        return written.error();
      }
      return model::Unit{};
    }
    model::Expected<model::Unit> operator()(const SyncQueue& sync) const {
      return rabbit.sync_queue(sync.vhost, sync.name);
    }
  };
  auto result = std::visit(Visitor{docker, rabbit}, step.operation);
  if (!result) {
    return step_error(step.description, result.error());
  }
  return result;
}

}  // namespace swarmop::reconcilers
