#include "service_spec.hpp"

namespace swarmop::sim::service_spec {

namespace json = boost::json;

namespace {

const json::object* object_at(const json::object* parent, std::string_view key) {
  if (parent == nullptr) {
    return nullptr;
  }
  const auto* value = parent->if_contains(key);
  return value != nullptr ? value->if_object() : nullptr;
}

std::optional<std::int64_t> integer_at(const json::object* parent, std::string_view key) {
  if (parent == nullptr) {
    return std::nullopt;
  }
  const auto* value = parent->if_contains(key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (value->is_int64()) {
    return value->get_int64();
  }
  if (value->is_uint64()) {
    return static_cast<std::int64_t>(value->get_uint64());
  }
  if (value->is_double()) {
    return static_cast<std::int64_t>(value->get_double());
  }
  return std::nullopt;
}

const json::object* placement(const json::object& spec) {
  return object_at(task_template(spec), "Placement");
}

}  // namespace

std::string name(const json::object& spec) {
  const auto* value = spec.if_contains("Name");
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

bool is_global(const json::object& spec) {
  return object_at(object_at(&spec, "Mode"), "Global") != nullptr;
}

std::uint64_t replicas(const json::object& spec) {
  const auto* replicated = object_at(object_at(&spec, "Mode"), "Replicated");
  // A replicated service without a count gets one replica, as in the engine.
  return static_cast<std::uint64_t>(integer_at(replicated, "Replicas").value_or(1));
}

const json::object* task_template(const json::object& spec) {
  return object_at(&spec, "TaskTemplate");
}

std::vector<model::Constraint> constraints(const json::object& spec) {
  std::vector<model::Constraint> out;
  const auto* place = placement(spec);
  const auto* list = place != nullptr ? place->if_contains("Constraints") : nullptr;
  if (list == nullptr || !list->is_array()) {
    return out;
  }
  for (const auto& item : list->get_array()) {
    if (item.is_string()) {
      if (auto parsed = model::parse_constraint(item.get_string())) {
        out.push_back(*parsed);
      }
    }
  }
  return out;
}

std::vector<std::string> spread_labels(const json::object& spec) {
  std::vector<std::string> out;
  const auto* place = placement(spec);
  const auto* list = place != nullptr ? place->if_contains("Preferences") : nullptr;
  if (list == nullptr || !list->is_array()) {
    return out;
  }
  for (const auto& item : list->get_array()) {
    const auto* spread = item.is_object() ? object_at(&item.get_object(), "Spread") : nullptr;
    const auto* descriptor = spread != nullptr ? spread->if_contains("SpreadDescriptor") : nullptr;
    if (descriptor != nullptr && descriptor->is_string()) {
      std::string text(descriptor->get_string());
      constexpr std::string_view kPrefix = "node.labels.";
      if (text.starts_with(kPrefix)) {
        out.push_back(text.substr(kPrefix.size()));
      }
    }
  }
  return out;
}

std::uint64_t max_replicas(const json::object& spec) {
  return static_cast<std::uint64_t>(integer_at(placement(spec), "MaxReplicas").value_or(0));
}

UnixNanos stop_grace_period(const json::object& spec) {
  return integer_at(object_at(task_template(spec), "ContainerSpec"), "StopGracePeriod")
      .value_or(10 * kSecond);
}

UnixNanos restart_delay(const json::object& spec) {
  return integer_at(object_at(task_template(spec), "RestartPolicy"), "Delay").value_or(5 * kSecond);
}

std::uint64_t update_parallelism(const json::object& spec) {
  const auto* config = object_at(&spec, "UpdateConfig");
  // Without an UpdateConfig the engine updates one task at a time.
  return static_cast<std::uint64_t>(integer_at(config, "Parallelism").value_or(config ? 0 : 1));
}

UnixNanos update_delay(const json::object& spec) {
  return integer_at(object_at(&spec, "UpdateConfig"), "Delay").value_or(0);
}

std::optional<UnixNanos> update_monitor(const json::object& spec) {
  return integer_at(object_at(&spec, "UpdateConfig"), "Monitor");
}

std::vector<Mount> mounts(const json::object& spec) {
  std::vector<Mount> out;
  const auto* container = object_at(task_template(spec), "ContainerSpec");
  const auto* list = container != nullptr ? container->if_contains("Mounts") : nullptr;
  if (list == nullptr || !list->is_array()) {
    return out;
  }
  const auto text = [](const json::object* parent, std::string_view key) {
    const auto* value = parent != nullptr ? parent->if_contains(key) : nullptr;
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
  };
  for (const auto& item : list->get_array()) {
    if (!item.is_object()) {
      continue;
    }
    const auto& entry = item.get_object();
    Mount mount;
    mount.type = text(&entry, "Type");
    if (mount.type.empty()) {
      mount.type = "volume";  // the engine's default mount type
    }
    mount.source = text(&entry, "Source");
    mount.target = text(&entry, "Target");
    mount.driver = text(object_at(object_at(&entry, "VolumeOptions"), "DriverConfig"), "Name");
    out.push_back(std::move(mount));
  }
  return out;
}

json::object template_without_placement(const json::object& spec) {
  const auto* tmpl = task_template(spec);
  json::object copy = tmpl != nullptr ? *tmpl : json::object{};
  copy.erase("Placement");
  return copy;
}

void apply_engine_defaults(json::object& spec) {
  auto& tmpl = spec["TaskTemplate"];
  if (!tmpl.is_object()) {
    tmpl = json::object{};
  }
  auto& task = tmpl.get_object();
  if (auto* container = task.if_contains("ContainerSpec"); container && container->is_object()) {
    auto& container_spec = container->get_object();
    if (!container_spec.contains("Isolation")) {
      container_spec["Isolation"] = "default";
    }
  }
  if (!task.contains("ForceUpdate")) {
    task["ForceUpdate"] = 0;
  }
  if (!task.contains("Runtime")) {
    task["Runtime"] = "container";
  }
  if (auto* config = spec.if_contains("UpdateConfig"); config && config->is_object()) {
    auto& update = config->get_object();
    if (auto* delay = update.if_contains("Delay");
        delay && delay->is_number() && delay->to_number<double>() == 0) {
      update.erase("Delay");  // a zero duration is omitted, as Go's omitempty does
    }
    if (!update.contains("MaxFailureRatio")) {
      update["MaxFailureRatio"] = 0;
    }
  }
}

std::optional<Refusal> validate(const json::object& spec) {
  // The daemon converts the spec before swarmkit sees it: no ContainerSpec means it cannot
  // tell which runtime the task uses.
  const auto* tmpl = task_template(spec);
  const auto* runtime = tmpl != nullptr ? tmpl->if_contains("Runtime") : nullptr;
  const bool container_runtime = runtime == nullptr || !runtime->is_string() ||
                                 runtime->get_string() == "" ||
                                 runtime->get_string() == "container";
  if (container_runtime && object_at(tmpl, "ContainerSpec") == nullptr) {
    return Refusal{400, "mismatched Runtime and *Spec fields"};
  }
  const auto* place = tmpl != nullptr ? object_at(tmpl, "Placement") : nullptr;
  if (const auto* list = place ? place->if_contains("Constraints") : nullptr;
      list && list->is_array()) {
    for (const auto& item : list->get_array()) {
      std::string why;
      if (!item.is_string() || !model::parse_constraint(item.get_string(), &why)) {
        const std::string text = item.is_string() ? std::string(item.get_string()) : "";
        return Refusal{400, "rpc error: code = InvalidArgument desc = invalid constraint: " +
                                (why.empty() ? text : why)};
      }
    }
  }
  return std::nullopt;
}

}  // namespace swarmop::sim::service_spec
