#include "swarmop/reconcilers/pinned_service.hpp"

#include <boost/json.hpp>

#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/model/constraint.hpp"
#include "swarmop/reconcilers/data_homes.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"

namespace swarmop::reconcilers {

namespace json = boost::json;

namespace {

json::object& object_at(json::object& parent, std::string_view key) {
  json::value& value = parent[key];
  if (!value.is_object()) {
    value = json::object();
  }
  return value.get_object();
}

}  // namespace

std::string container_hostname(const json::object& spec) {
  if (const auto* task = spec.if_contains("TaskTemplate"); task && task->is_object()) {
    if (const auto* container = task->as_object().if_contains("ContainerSpec");
        container && container->is_object()) {
      if (const auto* hostname = container->as_object().if_contains("Hostname");
          hostname && hostname->is_string()) {
        return std::string(hostname->get_string());
      }
    }
  }
  return "";
}

json::object node_service_from_primary(const json::object& primary, const std::string& full_name,
                                       const std::string& alias, const std::string& hostname) {
  json::object spec = primary;
  spec["Name"] = full_name;
  // The new node's data will be on its own node, not the primary's: the labels reconciler
  // records it once the new service's task runs.
  if (auto* labels = spec.if_contains("Labels"); labels && labels->is_object()) {
    labels->get_object().erase(kDataNodeLabel);
  }
  json::object& task = object_at(spec, "TaskTemplate");
  object_at(task, "ContainerSpec")["Hostname"] = hostname;
  if (auto* networks = task.if_contains("Networks"); networks && networks->is_array()) {
    for (auto& network : networks->get_array()) {
      if (network.is_object()) {
        network.get_object()["Aliases"] = json::array{json::string(alias), json::string(hostname)};
      }
    }
  }
  return clients::spec_edit::with_replicas(std::move(spec), 0);
}

json::object with_mount_source_suffix(json::object spec, const std::string& target,
                                      const std::string& suffix) {
  json::object& container = object_at(object_at(spec, "TaskTemplate"), "ContainerSpec");
  if (auto* mounts = container.if_contains("Mounts"); mounts && mounts->is_array()) {
    for (auto& mount : mounts->get_array()) {
      if (!mount.is_object()) {
        continue;
      }
      auto& m = mount.get_object();
      const auto* mount_target = m.if_contains("Target");
      if (mount_target && mount_target->is_string() && mount_target->get_string() == target &&
          m.contains("Source") && m.at("Source").is_string()) {
        m["Source"] = std::string(m.at("Source").get_string()) + suffix;
      }
    }
  }
  return spec;
}

std::string hostname_constraint(const std::string& node) {
  return "node.hostname == " + node;
}

std::vector<std::string> pinned_constraints(const std::vector<std::string>& current,
                                            const std::string& node) {
  std::vector<std::string> out;
  for (const auto& text : current) {
    auto parsed = model::parse_constraint(text);
    if (parsed && parsed->attribute == "node.hostname") {
      continue;
    }
    out.push_back(text);
  }
  out.push_back(hostname_constraint(node));
  return out;
}

bool is_pinned_to(const std::vector<std::string>& current, const std::string& node) {
  int pins = 0;
  bool to_node = false;
  for (const auto& text : current) {
    auto parsed = model::parse_constraint(text);
    if (parsed && parsed->attribute == "node.hostname") {
      ++pins;
      to_node = parsed->op == model::Constraint::Op::kEqual && same_hostname(parsed->value, node);
    }
  }
  return pins == 1 && to_node;
}

}  // namespace swarmop::reconcilers
