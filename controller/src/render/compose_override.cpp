#include "render/compose_override.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <vector>

#include "render/comment.hpp"
#include "swarmop/model/duration.hpp"
#include "swarmop/reconcilers/couchbase_node_spec.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"
#include "swarmop/reconcilers/pinned_service.hpp"
#include "swarmop/reconcilers/rabbitmq_planner.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"

namespace swarmop::render {

namespace {

namespace json = boost::json;

struct PublishedPort {
  std::int64_t target = 0;
  std::int64_t published = 0;
  std::string protocol;
  std::string mode;
};

//! What the override says about one service; unset parts are left to docker-compose.yml.
struct ComposeService {
  std::optional<std::string> hostname;
  std::map<std::string, std::string> environment;
  std::optional<model::Duration> stop_grace_period;
  std::vector<PublishedPort> ports;
  std::optional<std::uint64_t> replicas;
  std::optional<std::vector<std::string>> constraints;
  std::optional<std::uint64_t> max_replicas_per_node;
  std::optional<std::vector<std::string>> preferences;
  std::optional<model::Duration> restart_delay;
  std::optional<model::Resources> resources;
};

ComposeService from_file(const model::ServiceSpec& spec) {
  ComposeService out;
  out.replicas = spec.replicas;
  out.max_replicas_per_node = spec.max_replicas_per_node;
  if (spec.constraints) {
    out.constraints.emplace();
    for (const auto& constraint : *spec.constraints) {
      out.constraints->push_back(constraint.to_string());
    }
  }
  out.preferences = spec.spread_preferences;
  out.stop_grace_period = spec.stop_grace_period;
  out.restart_delay = spec.restart_delay;
  out.resources = spec.resources;
  out.environment = spec.env;
  return out;
}

const json::value* at(const json::object& object, std::initializer_list<std::string_view> path) {
  const json::object* current = &object;
  const json::value* value = nullptr;
  for (const auto key : path) {
    if (current == nullptr) {
      return nullptr;
    }
    value = current->if_contains(key);
    if (value == nullptr) {
      return nullptr;
    }
    current = value->if_object();
  }
  return value;
}

//! The parts of a service spec the operator builds that compose can express: hostname,
//! environment and published ports. Placement is taken from the pin itself.
void merge_created_spec(const json::object& spec, ComposeService& service) {
  if (const std::string hostname = reconcilers::container_hostname(spec); !hostname.empty()) {
    service.hostname = hostname;
  }
  if (const auto* env = at(spec, {"TaskTemplate", "ContainerSpec", "Env"});
      env != nullptr && env->is_array()) {
    for (const auto& entry : env->get_array()) {
      if (!entry.is_string()) {
        continue;
      }
      const std::string text(entry.get_string());
      const auto equals = text.find('=');
      // A value the file sets for the service itself wins, as the placement reconciler's does.
      service.environment.emplace(text.substr(0, equals),
                                  equals == std::string::npos ? "" : text.substr(equals + 1));
    }
  }
  if (const auto* ports = at(spec, {"EndpointSpec", "Ports"}); ports && ports->is_array()) {
    for (const auto& port : ports->get_array()) {
      if (!port.is_object()) {
        continue;
      }
      const auto& object = port.get_object();
      PublishedPort out;
      if (const auto* v = object.if_contains("TargetPort"); v && v->is_int64()) {
        out.target = v->get_int64();
      }
      if (const auto* v = object.if_contains("PublishedPort"); v && v->is_int64()) {
        out.published = v->get_int64();
      }
      if (const auto* v = object.if_contains("Protocol"); v && v->is_string()) {
        out.protocol = std::string(v->get_string());
      }
      if (const auto* v = object.if_contains("PublishMode"); v && v->is_string()) {
        out.mode = std::string(v->get_string());
      }
      service.ports.push_back(std::move(out));
    }
  }
}

void pin(ComposeService& service, const std::string& node) {
  service.constraints = reconcilers::pinned_constraints(
      service.constraints.value_or(std::vector<std::string>{}), node);
  if (!service.replicas) {
    service.replicas = 1;  // the operator starts every listed node service, one at a time
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

// --- scalars ---------------------------------------------------------------------------------

//! A plain scalar YAML 1.1 or 1.2 would read as something other than this string (a number,
//! a boolean, null), so it must be quoted. yaml-cpp quotes the syntactically special ones itself.
bool ambiguous_plain(const std::string& text) {
  static constexpr std::array<std::string_view, 23> kWords = {
      "y",    "Y",     "yes",   "Yes",   "YES", "n",  "N",  "no",  "No",  "NO",  "true", "True",
      "TRUE", "false", "False", "FALSE", "on",  "On", "ON", "off", "Off", "OFF", "~"};
  if (text.empty() || text == "null" || text == "Null" || text == "NULL") {
    return true;
  }
  for (const auto word : kWords) {
    if (text == word) {
      return true;
    }
  }
  const unsigned char first = static_cast<unsigned char>(text.front());
  return std::isdigit(first) || first == '+' || first == '-' || first == '.';
}

void scalar(YAML::Emitter& out, const std::string& text) {
  if (ambiguous_plain(text)) {
    out << YAML::DoubleQuoted;
  }
  out << text;
}

void key(YAML::Emitter& out, const std::string& text) {
  out << YAML::Key;
  scalar(out, text);
  out << YAML::Value;
}

void string_list(YAML::Emitter& out, const std::vector<std::string>& items) {
  if (items.empty()) {
    out << YAML::Flow;
  }
  out << YAML::BeginSeq;
  for (const auto& item : items) {
    scalar(out, item);
  }
  out << YAML::EndSeq;
}

std::string format_cpus(double cpus) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), cpus);
  return std::string(buffer.data(), result.ptr);
}

//! Compose's byte sizes are 1024-based: the largest unit that divides the value exactly.
std::string format_memory(std::int64_t bytes) {
  constexpr std::array<std::pair<std::int64_t, char>, 4> kUnits = {
      {{std::int64_t{1} << 40, 'T'}, {1 << 30, 'G'}, {1 << 20, 'M'}, {1 << 10, 'K'}}};
  for (const auto& [size, unit] : kUnits) {
    if (bytes > 0 && bytes % size == 0) {
      return std::to_string(bytes / size) + unit;
    }
  }
  return std::to_string(bytes);
}

void amounts(YAML::Emitter& out, const char* name, const std::optional<model::ResourceAmounts>& a) {
  if (!a || (!a->cpus && !a->memory_bytes)) {
    return;
  }
  key(out, name);
  out << YAML::BeginMap;
  if (a->cpus) {
    // Compose 3.x takes cpus as a string.
    out << YAML::Key << "cpus" << YAML::Value << YAML::DoubleQuoted << format_cpus(*a->cpus);
  }
  if (a->memory_bytes) {
    out << YAML::Key << "memory" << YAML::Value << YAML::DoubleQuoted
        << format_memory(*a->memory_bytes);
  }
  out << YAML::EndMap;
}

bool has_resources(const ComposeService& service) {
  const auto set = [](const std::optional<model::ResourceAmounts>& a) {
    return a && (a->cpus || a->memory_bytes);
  };
  return service.resources &&
         (set(service.resources->limits) || set(service.resources->reservations));
}

void emit_deploy(YAML::Emitter& out, const ComposeService& service) {
  const bool placement =
      service.constraints || service.max_replicas_per_node || service.preferences;
  if (!service.replicas && !placement && !service.restart_delay && !has_resources(service)) {
    return;
  }
  key(out, "deploy");
  out << YAML::BeginMap;
  if (service.replicas) {
    out << YAML::Key << "replicas" << YAML::Value << *service.replicas;
  }
  if (placement) {
    key(out, "placement");
    out << YAML::BeginMap;
    if (service.constraints) {
      key(out, "constraints");
      string_list(out, *service.constraints);
    }
    if (service.max_replicas_per_node) {
      out << YAML::Key << "max_replicas_per_node" << YAML::Value << *service.max_replicas_per_node;
    }
    if (service.preferences) {
      key(out, "preferences");
      if (service.preferences->empty()) {
        out << YAML::Flow;
      }
      out << YAML::BeginSeq;
      for (const auto& descriptor : *service.preferences) {
        out << YAML::BeginMap;
        key(out, "spread");
        scalar(out, descriptor);
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  if (service.restart_delay) {
    key(out, "restart_policy");
    out << YAML::BeginMap;
    key(out, "delay");
    scalar(out, model::format_duration(*service.restart_delay));
    out << YAML::EndMap;
  }
  if (has_resources(service)) {
    key(out, "resources");
    out << YAML::BeginMap;
    amounts(out, "limits", service.resources->limits);
    amounts(out, "reservations", service.resources->reservations);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void emit_service(YAML::Emitter& out, const ComposeService& service) {
  out << YAML::BeginMap;
  if (service.hostname) {
    key(out, "hostname");
    scalar(out, *service.hostname);
  }
  if (!service.environment.empty()) {
    key(out, "environment");
    out << YAML::BeginMap;
    for (const auto& [name, value] : service.environment) {
      key(out, name);
      // Always quoted: every value is a string to the container, whatever it looks like.
      out << YAML::DoubleQuoted << value;
    }
    out << YAML::EndMap;
  }
  if (service.stop_grace_period) {
    key(out, "stop_grace_period");
    scalar(out, model::format_duration(*service.stop_grace_period));
  }
  if (!service.ports.empty()) {
    key(out, "ports");
    out << YAML::BeginSeq;
    for (const auto& port : service.ports) {
      out << YAML::BeginMap;
      out << YAML::Key << "target" << YAML::Value << port.target;
      out << YAML::Key << "published" << YAML::Value << port.published;
      if (!port.protocol.empty()) {
        key(out, "protocol");
        scalar(out, port.protocol);
      }
      if (!port.mode.empty()) {
        key(out, "mode");
        scalar(out, port.mode);
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  emit_deploy(out, service);
  out << YAML::EndMap;
}

}  // namespace

std::string render_compose_override(const model::DesiredState& desired, std::string_view source) {
  std::map<std::string, ComposeService> services;
  std::vector<std::string> notes;
  std::vector<std::string> spread;
  for (const auto& [name, spec] : desired.services) {
    services[name] = from_file(spec);
    if (spec.spread) {
      spread.push_back(name);
    }
  }

  if (desired.couchbase && !desired.couchbase->nodes.empty()) {
    const model::CouchbaseSpec& couchbase = *desired.couchbase;
    const std::string& primary = couchbase.nodes.front().service;
    std::vector<std::string> workers;
    for (std::size_t i = 0; i < couchbase.nodes.size(); ++i) {
      const model::PinnedService& node = couchbase.nodes[i];
      ComposeService& service = services[node.service];
      if (i > 0) {
        // What the operator gives a worker it creates, built by the same function.
        merge_created_spec(
            reconcilers::couchbase_worker_spec(
                json::object{}, reconcilers::stack_service_name(desired, node.service), node, i + 1,
                primary, couchbase.auto_rebalance),
            service);
        workers.push_back(node.service);
      }
      pin(service, node.node);
    }
    if (!workers.empty()) {
      notes.push_back(
          join(workers) + ": the operator creates these Couchbase worker services from " + primary +
          "'s spec (same image and networks, its own data volume, aliases SERVICE.isnet); the "
          "entries here hold what the operator sets, so a deploy that creates them needs the rest "
          "of " +
          primary + "'s definition in docker-compose.yml or here.");
    }
    notes.push_back("db_host: the operator sets \"" + reconcilers::db_host_list(couchbase) +
                    "\" on every other service of the stack that has a db_host and whose db_host "
                    "the file does not set; keep docker-compose.yml's values the same.");
  }

  if (desired.rabbitmq && !desired.rabbitmq->nodes.empty()) {
    const model::RabbitmqSpec& rabbitmq = *desired.rabbitmq;
    std::vector<std::string> created;
    for (std::size_t i = 0; i < rabbitmq.nodes.size(); ++i) {
      const model::PinnedService& node = rabbitmq.nodes[i];
      ComposeService& service = services[node.service];
      if (i > 0) {
        service.hostname = reconcilers::rabbit_hostname(i + 1);
        created.push_back(node.service);
      }
      if (i < rabbitmq.stop_grace_periods.size()) {
        service.stop_grace_period = rabbitmq.stop_grace_periods[i];
      }
      pin(service, node.node);
    }
    if (!created.empty()) {
      notes.push_back(join(created) + ": the operator creates these RabbitMQ node services from " +
                      rabbitmq.nodes.front().service +
                      "'s spec (same image and networks, its own /var/lib/rabbitmq volume, the "
                      "service name and hostname as aliases); a deploy that creates them needs the "
                      "rest of that definition too.");
    }
  }

  if (!spread.empty()) {
    notes.push_back(join(spread) +
                    ": spread: true has no compose equivalent; the operator keeps the running "
                    "tasks balanced across the eligible nodes itself.");
  }
  notes.push_back(
      "docker stack deploy appends the constraints and preferences of this file to those "
      "docker-compose.yml gives the same service: keep placement out of docker-compose.yml for "
      "the services listed here.");

  std::string header;
  append_comment(header, "docker-compose-override.yml generated by swarm-operator from " +
                             std::string(source) + " (SwarmCluster " + desired.metadata.name +
                             "). Regenerate it when the file changes instead of editing it.");
  header += "#\n";
  append_comment(header, "Deployed with it,");
  header += "#   docker stack deploy -c docker-compose.yml -c docker-compose-override.yml " +
            desired.stack + "\n";
  append_comment(
      header,
      "does not fight the operator: every service below gets what the file sets (replicas, "
      "placement, restart delay, resources, grace periods, environment) and the Couchbase "
      "and RabbitMQ node services what the operator gives them (one replica pinned with "
      "node.hostname, hostnames, the worker environment, admin ports, grace periods).");
  append_comment(
      header,
      "Environment values are copied from the file as written: keep this file as private as "
      "the file.");
  header += "#\n";
  for (const auto& note : notes) {
    append_comment(header, note);
  }

  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << "3.8";
  key(out, "services");
  if (services.empty()) {
    out << YAML::Flow;
  }
  out << YAML::BeginMap;
  for (const auto& [name, service] : services) {
    key(out, name);
    emit_service(out, service);
  }
  out << YAML::EndMap;
  out << YAML::EndMap;
  return header + "\n" + out.c_str() + "\n";
}

}  // namespace swarmop::render
