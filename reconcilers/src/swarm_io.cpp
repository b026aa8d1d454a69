#include "swarmop/reconcilers/swarm_io.hpp"

#include "swarmop/reconcilers/quorum.hpp"

namespace swarmop::reconcilers {

namespace {

//! Listed nodes whose own engine the plan needs: missing or down ones (to join) and those
//! asked to leave.
bool needs_engine(const model::NodeSpec& spec, const std::vector<clients::DockerNode>& nodes) {
  if (!spec.engine) {
    return false;
  }
  if (!spec.present) {
    return true;
  }
  const clients::DockerNode* node = find_node(nodes, spec.hostname);
  return node == nullptr || node->state == "down";
}

EngineObservation observe_engine(const model::EngineEndpoint& endpoint,
                                 const EngineConnector& engines) {
  EngineObservation out;
  auto client = engines(endpoint);
  if (!client) {
    out.error = client.error().describe();
    return out;
  }
  auto info = (*client)->info();
  if (!info) {
    out.error = info.error().describe();
    return out;
  }
  out.reachable = true;
  out.local_node_state = info->local_node_state;
  out.node_id = info->node_id;
  out.swarm_error = info->error;
  return out;
}

model::Error step_error(const SwarmStep& step, model::Error error) {
  error.message = step.description.reconciler + " " + step.description.action + " " +
                  step.description.kind + " " + step.description.object + ": " + error.message;
  return error;
}

}  // namespace

model::Expected<SwarmObservation> observe_swarm(clients::DockerClient& manager,
                                                const model::DesiredState& desired,
                                                const EngineConnector& engines) {
  SwarmObservation out;
  auto nodes = manager.list_nodes();
  if (!nodes) {
    return nodes.error();
  }
  out.nodes = std::move(*nodes);
  auto services = manager.list_services();
  if (!services) {
    return services.error();
  }
  out.services = std::move(*services);
  // One call for every task: the running ones and the history Swarm keeps (a few per slot).
  auto tasks = manager.list_tasks(clients::TaskFilter{});
  if (!tasks) {
    return tasks.error();
  }
  for (auto& task : *tasks) {
    (task.desired_state == "running" ? out.tasks : out.task_history).push_back(std::move(task));
  }
  for (const auto& spec : desired.swarm.nodes) {
    if (needs_engine(spec, out.nodes)) {
      out.engines[spec.hostname] = observe_engine(*spec.engine, engines);
    }
  }
  return out;
}

model::Expected<model::Unit> apply_swarm_step(const SwarmStep& step, clients::DockerClient& manager,
                                              const model::DesiredState& desired,
                                              const EngineConnector& engines) {
  struct Visitor {
    clients::DockerClient& manager;
    const model::DesiredState& desired;
    const EngineConnector& engines;

    model::Expected<model::Unit> operator()(const NodeUpdate& update) const {
      clients::DockerNode node;
      node.id = update.node_id;
      node.hostname = update.hostname;
      node.version = update.version;
      return manager.update_node(node, update.spec);
    }
    model::Expected<model::Unit> operator()(const ServiceUpdate& update) const {
      return send_service_update(manager, update);
    }
    model::Expected<model::Unit> operator()(const RemoveNode& remove) const {
      return manager.remove_node(remove.node_id, false);
    }
    model::Expected<model::Unit> operator()(const JoinNode& join) const {
      auto client = engine_of(join.hostname);
      if (!client) {
        return client.error();
      }
      auto swarm = manager.inspect_swarm();
      if (!swarm) {
        return swarm.error();
      }
      auto nodes = manager.list_nodes();
      if (!nodes) {
        return nodes.error();
      }
      clients::JoinRequest request;
      for (const auto& node : *nodes) {
        if (is_reachable_manager(node) && !node.manager_addr.empty()) {
          request.remote_addrs.push_back(node.manager_addr);
        }
      }
      request.join_token =
          join.role == "manager" ? swarm->manager_join_token : swarm->worker_join_token;
      return (*client)->join_swarm(request);
    }
    model::Expected<model::Unit> operator()(const LeaveSwarm& leave) const {
      auto client = engine_of(leave.hostname);
      if (!client) {
        return client.error();
      }
      // Never forced: a manager must be demoted first, and the engine refuses otherwise.
      return (*client)->leave_swarm(false);
    }

    model::Expected<clients::DockerClientPtr> engine_of(const std::string& hostname) const {
      const model::NodeSpec* spec = desired.find_node(hostname);
      if (spec == nullptr || !spec->engine) {
        model::Error error;
        error.code = model::ErrorCode::kInvalid;
        error.message = "no engine endpoint for " + hostname + " in the file";
        return error;
      }
      return engines(*spec->engine);
    }
  };
  auto result = std::visit(Visitor{manager, desired, engines}, step.operation);
  if (!result) {
    return step_error(step, result.error());
  }
  return result;
}

model::Expected<model::Unit> send_service_update(clients::DockerClient& manager,
                                                 const ServiceUpdate& update) {
  clients::DockerService service;
  service.id = update.service_id;
  service.version = update.version;
  return manager.update_service(service, update.spec);
}

model::Expected<model::Unit> send_service_create(clients::DockerClient& manager,
                                                 const CreateService& create) {
  auto created = manager.create_service(create.spec);
  if (!created) {
    return created.error();
  }
  return model::Unit{};
}

}  // namespace swarmop::reconcilers
