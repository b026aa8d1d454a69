#include "apply/manager_handover.hpp"

#include <variant>

namespace swarmop::controller {

namespace {

//! The node a step takes away as a manager, or nullptr.
const clients::DockerNode* manager_taken_away(const reconcilers::SwarmStep& step,
                                              const reconcilers::SwarmObservation& swarm) {
  const auto find_id = [&](const std::string& id) -> const clients::DockerNode* {
    for (const auto& node : swarm.nodes) {
      if (node.id == id) {
        return &node;
      }
    }
    return nullptr;
  };
  if (const auto* update = std::get_if<reconcilers::NodeUpdate>(&step.operation)) {
    const auto* node = find_id(update->node_id);
    const auto* role = update->spec.if_contains("Role");
    if (node != nullptr && node->role == "manager" && role != nullptr && role->is_string() &&
        role->get_string() == "worker") {
      return node;
    }
  } else if (const auto* leave = std::get_if<reconcilers::LeaveSwarm>(&step.operation)) {
    return reconcilers::find_node(swarm.nodes, leave->hostname);
  } else if (const auto* remove = std::get_if<reconcilers::RemoveNode>(&step.operation)) {
    return find_id(remove->node_id);
  }
  return nullptr;
}

model::Error unsafe(const std::string& message) {
  model::Error error;
  error.code = model::ErrorCode::kUnsafe;
  error.message = message;
  return error;
}

}  // namespace

model::Expected<model::Unit> keep_a_manager_to_talk_to(const reconcilers::SwarmStep& step,
                                                       const model::DesiredState& desired,
                                                       ClusterClients& clients,
                                                       const reconcilers::SwarmObservation& swarm) {
  const clients::DockerNode* leaving = manager_taken_away(step, swarm);
  if (leaving == nullptr) {
    return model::Unit{};
  }
  auto self = clients.docker.info();
  if (!self) {
    return self.error();
  }
  if (self->node_id != leaving->id) {
    return model::Unit{};
  }
  std::vector<std::string> tried;
  if (clients.use_manager && clients.engines) {
    for (const auto& spec : desired.swarm.nodes) {
      if (!spec.engine || reconcilers::same_hostname(spec.hostname, leaving->hostname) ||
          spec.role != model::NodeRole::kManager) {
        continue;
      }
      const clients::DockerNode* node = reconcilers::find_node(swarm.nodes, spec.hostname);
      if (node == nullptr || node->role != "manager" ||
          node->manager_reachability.value_or("") != "reachable") {
        continue;
      }
      auto engine = clients.engines(*spec.engine);
      if (!engine) {
        tried.push_back(spec.hostname + " (" + engine.error().message + ")");
        continue;
      }
      auto info = (*engine)->info();
      if (!info || !info->control_available || info->node_id != node->id) {
        tried.push_back(spec.hostname + " (" +
                        (info ? std::string("not a manager yet") : info.error().message) + ")");
        continue;
      }
      clients.use_manager(std::move(*engine), *spec.engine);
      return model::Unit{};
    }
  }
  std::string message = "the operator talks to the swarm through " + leaving->hostname +
                        "'s engine, and this step would take that manager away; ";
  if (!clients.use_manager) {
    message +=
        "this controller cannot move to another manager (it talks through its own "
        "node's socket): run it on a manager that stays one";
  } else if (tried.empty()) {
    message +=
        "list the engine endpoint of a manager that stays one in the file "
        "(spec.swarm.nodes[].engine) so it can move there first";
  } else {
    message += "no other manager answered: " + reconcilers::join_text(tried);
  }
  return unsafe(message);
}

}  // namespace swarmop::controller
