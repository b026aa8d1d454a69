#include "swarmop/clients/docker_spec_edit.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace swarmop::clients::spec_edit {

namespace json = boost::json;

namespace {

// The object at `key`, created (or replaced, if it held something else) when needed.
json::object& child(json::object& parent, std::string_view key) {
  json::value& value = parent[key];
  if (!value.is_object()) {
    value = json::object();
  }
  return value.get_object();
}

std::int64_t nanoseconds(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

}  // namespace

json::object with_role(json::object spec, const std::string& role) {
  spec["Role"] = role;
  return spec;
}

json::object with_availability(json::object spec, const std::string& availability) {
  spec["Availability"] = availability;
  return spec;
}

json::object with_labels(json::object spec, const std::map<std::string, std::string>& set,
                         const std::vector<std::string>& remove) {
  json::object& labels = child(spec, "Labels");
  for (const auto& [key, value] : set) {
    labels[key] = value;
  }
  for (const auto& key : remove) {
    labels.erase(key);
  }
  return spec;
}

json::object with_replicas(json::object spec, std::uint64_t replicas) {
  child(child(spec, "Mode"), "Replicated")["Replicas"] = replicas;
  return spec;
}

json::object with_constraints(json::object spec, const std::vector<std::string>& constraints) {
  json::array array;
  for (const auto& constraint : constraints) {
    array.emplace_back(constraint);
  }
  child(child(spec, "TaskTemplate"), "Placement")["Constraints"] = std::move(array);
  return spec;
}

json::object with_spread_preferences(json::object spec,
                                     const std::vector<std::string>& descriptors) {
  json::array array;
  for (const auto& descriptor : descriptors) {
    array.push_back(json::object{{"Spread", json::object{{"SpreadDescriptor", descriptor}}}});
  }
  child(child(spec, "TaskTemplate"), "Placement")["Preferences"] = std::move(array);
  return spec;
}

json::object with_max_replicas(json::object spec, std::uint64_t max_per_node) {
  child(child(spec, "TaskTemplate"), "Placement")["MaxReplicas"] = max_per_node;
  return spec;
}

json::object with_force_update_bumped(json::object spec) {
  json::object& task = child(spec, "TaskTemplate");
  std::uint64_t current = 0;
  if (const auto* value = task.if_contains("ForceUpdate")) {
    if (value->is_uint64()) {
      current = value->get_uint64();
    } else if (value->is_int64() && value->get_int64() >= 0) {
      current = static_cast<std::uint64_t>(value->get_int64());
    }
  }
  task["ForceUpdate"] = current + 1;
  return spec;
}

json::object with_env(json::object spec, const std::map<std::string, std::string>& set) {
  json::object& container = child(child(spec, "TaskTemplate"), "ContainerSpec");
  json::value& env_value = container["Env"];
  if (!env_value.is_array()) {
    env_value = json::array();
  }
  json::array& env = env_value.get_array();
  std::map<std::string, std::string> pending = set;
  for (auto& entry : env) {
    if (!entry.is_string()) {
      continue;
    }
    const std::string text(entry.get_string());
    const std::string name = text.substr(0, text.find('='));
    if (auto it = pending.find(name); it != pending.end()) {
      entry = name + "=" + it->second;
      pending.erase(it);
    }
  }
  for (const auto& [name, value] : pending) {
    env.emplace_back(name + "=" + value);
  }
  return spec;
}

json::object with_stop_grace_period(json::object spec, std::chrono::milliseconds period) {
  child(child(spec, "TaskTemplate"), "ContainerSpec")["StopGracePeriod"] = nanoseconds(period);
  return spec;
}

json::object with_restart_delay(json::object spec, std::chrono::milliseconds delay) {
  child(child(spec, "TaskTemplate"), "RestartPolicy")["Delay"] = nanoseconds(delay);
  return spec;
}

json::object with_resources(json::object spec, bool reservations, std::optional<double> cpus,
                            std::optional<std::int64_t> memory_bytes) {
  json::object& amounts = child(child(child(spec, "TaskTemplate"), "Resources"),
                                reservations ? "Reservations" : "Limits");
  if (cpus) {
    amounts["NanoCPUs"] = static_cast<std::int64_t>(std::llround(*cpus * 1e9));
  }
  if (memory_bytes) {
    amounts["MemoryBytes"] = *memory_bytes;
  }
  return spec;
}

}  // namespace swarmop::clients::spec_edit
