#include "snapshot/snapshot.hpp"

#include <boost/json.hpp>
#include <ctime>
#include <random>

#include "snapshot/data_stores.hpp"
#include "snapshot/redaction.hpp"
#include "swarmop/clients/docker_json.hpp"
#include "swarmop/clients/docker_time.hpp"

namespace swarmop::snapshot {

namespace json = boost::json;

namespace {

model::Error bad_snapshot(std::string message) {
  model::Error error;
  error.code = model::ErrorCode::kInvalid;
  error.message = "not a usable snapshot: " + std::move(message);
  return error;
}

// The encoders write the fields docker_json's decoders read, under the Engine API's names,
// and nothing else: whatever a decoder does not read cannot leak into a snapshot.

json::object node_json(const clients::DockerNode& node, std::string_view salt) {
  json::object out{
      {"ID", node.id},
      {"Version", json::object{{"Index", node.version}}},
      {"Spec", redact_spec(node.spec, salt)},
      {"Description",
       json::object{{"Hostname", node.hostname},
                    {"Engine", json::object{{"EngineVersion", node.engine_version}}}}},
      {"Status",
       json::object{{"State", node.state}, {"Message", node.state_message}, {"Addr", node.addr}}}};
  if (node.manager_reachability) {
    out["ManagerStatus"] = json::object{{"Reachability", *node.manager_reachability},
                                        {"Leader", node.leader},
                                        {"Addr", node.manager_addr}};
  }
  return out;
}

json::object service_json(const clients::DockerService& service, std::string_view salt) {
  json::object out{{"ID", service.id},
                   {"Version", json::object{{"Index", service.version}}},
                   {"Spec", redact_spec(service.spec, salt)}};
  if (service.update_status) {
    out["UpdateStatus"] = json::object{{"State", service.update_status->state},
                                       {"Message", service.update_status->message}};
  }
  if (service.running_tasks || service.desired_tasks) {
    out["ServiceStatus"] = json::object{{"RunningTasks", service.running_tasks.value_or(0)},
                                        {"DesiredTasks", service.desired_tasks.value_or(0)}};
  }
  return out;
}

json::object task_json(const clients::DockerTask& task) {
  json::object status{{"State", task.state}, {"Message", task.message}, {"Err", task.err}};
  if (task.status_time) {
    status["Timestamp"] = clients::format_docker_time(*task.status_time);
  }
  return json::object{{"ID", task.id},
                      {"ServiceID", task.service_id},
                      {"NodeID", task.node_id},
                      {"Slot", task.slot},
                      {"DesiredState", task.desired_state},
                      {"Status", std::move(status)},
                      {"Spec", json::object{{"ForceUpdate", task.force_update}}}};
}

json::object engine_json(const reconcilers::EngineObservation& engine) {
  return json::object{{"reachable", engine.reachable},
                      {"error", engine.error},
                      {"localNodeState", engine.local_node_state},
                      {"nodeId", engine.node_id},
                      {"swarmError", engine.swarm_error}};
}

std::string string_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

model::Expected<std::map<std::string, reconcilers::EngineObservation>> engines_from(
    const json::object& swarm) {
  std::map<std::string, reconcilers::EngineObservation> out;
  const auto* engines = swarm.if_contains("engines");
  if (engines == nullptr) {
    return out;
  }
  if (!engines->is_object()) {
    return bad_snapshot("swarm.engines is not an object");
  }
  for (const auto& [hostname, value] : engines->get_object()) {
    if (!value.is_object()) {
      return bad_snapshot("swarm.engines." + std::string(hostname) + " is not an object");
    }
    const auto& object = value.get_object();
    reconcilers::EngineObservation engine;
    const auto* reachable = object.if_contains("reachable");
    engine.reachable = reachable != nullptr && reachable->is_bool() && reachable->get_bool();
    engine.error = string_at(object, "error");
    engine.local_node_state = string_at(object, "localNodeState");
    engine.node_id = string_at(object, "nodeId");
    engine.swarm_error = string_at(object, "swarmError");
    out[std::string(hostname)] = std::move(engine);
  }
  return out;
}

const json::value& section(const json::object& swarm, std::string_view key) {
  static const json::value kEmpty = json::array{};
  const auto* value = swarm.if_contains(key);
  return value != nullptr ? *value : kEmpty;
}

}  // namespace

json::value to_json(const Snapshot& snapshot) {
  json::array nodes;
  for (const auto& node : snapshot.swarm.nodes) {
    nodes.push_back(node_json(node, snapshot.salt));
  }
  json::array services;
  for (const auto& service : snapshot.swarm.services) {
    services.push_back(service_json(service, snapshot.salt));
  }
  json::array tasks;
  // As the engine lists them: the running tasks and the history Swarm keeps (where a stateful
  // service has run tells where its data may be).
  for (const auto& task : snapshot.swarm.tasks) {
    tasks.push_back(task_json(task));
  }
  for (const auto& task : snapshot.swarm.task_history) {
    tasks.push_back(task_json(task));
  }
  json::object engines;
  for (const auto& [hostname, engine] : snapshot.swarm.engines) {
    engines[hostname] = engine_json(engine);
  }
  json::object out{{"apiVersion", kSnapshotApiVersion},
                   {"kind", "Snapshot"},
                   {"takenAt", snapshot.taken_at},
                   {"redaction", json::object{{"method", "salted-sha1"}, {"salt", snapshot.salt}}},
                   {"swarm", json::object{{"nodes", std::move(nodes)},
                                          {"services", std::move(services)},
                                          {"tasks", std::move(tasks)},
                                          {"engines", std::move(engines)}}}};
  // The data stores' sections are optional within v1: a snapshot taken without a file (or
  // without their endpoints) has none, and an offline plan says it did not check them.
  if (snapshot.couchbase) {
    out["couchbase"] = couchbase_json(*snapshot.couchbase);
  }
  if (snapshot.rabbitmq) {
    out["rabbitmq"] = rabbitmq_json(*snapshot.rabbitmq);
  }
  return out;
}

model::Expected<Snapshot> from_json(const json::value& value) {
  if (!value.is_object()) {
    return bad_snapshot("the document is not a JSON object");
  }
  const auto& object = value.get_object();
  const std::string api_version = string_at(object, "apiVersion");
  if (api_version != kSnapshotApiVersion) {
    return bad_snapshot("apiVersion is \"" + api_version + "\"; this version reads \"" +
                        kSnapshotApiVersion + '"');
  }
  Snapshot out;
  out.taken_at = string_at(object, "takenAt");
  if (const auto* redaction = object.if_contains("redaction");
      redaction && redaction->is_object()) {
    out.salt = string_at(redaction->get_object(), "salt");
  }
  if (out.salt.empty()) {
    return bad_snapshot("redaction.salt is missing");
  }
  const auto* swarm = object.if_contains("swarm");
  if (swarm == nullptr || !swarm->is_object()) {
    return bad_snapshot("the swarm section is missing");
  }
  const auto& swarm_object = swarm->get_object();
  auto nodes = clients::docker_json::decode_nodes(section(swarm_object, "nodes"));
  if (!nodes) {
    return bad_snapshot(nodes.error().message);
  }
  auto services = clients::docker_json::decode_services(section(swarm_object, "services"));
  if (!services) {
    return bad_snapshot(services.error().message);
  }
  auto tasks = clients::docker_json::decode_tasks(section(swarm_object, "tasks"));
  if (!tasks) {
    return bad_snapshot(tasks.error().message);
  }
  auto engines = engines_from(swarm_object);
  if (!engines) {
    return engines.error();
  }
  out.swarm.nodes = std::move(*nodes);
  out.swarm.services = std::move(*services);
  for (auto& task : *tasks) {
    auto& list = task.desired_state == "running" ? out.swarm.tasks : out.swarm.task_history;
    list.push_back(std::move(task));
  }
  out.swarm.engines = std::move(*engines);
  if (const auto* couchbase = object.if_contains("couchbase")) {
    auto observed = couchbase_from(*couchbase);
    if (!observed) {
      return observed.error();
    }
    out.couchbase = std::move(*observed);
  }
  if (const auto* rabbitmq = object.if_contains("rabbitmq")) {
    auto observed = rabbitmq_from(*rabbitmq);
    if (!observed) {
      return observed.error();
    }
    out.rabbitmq = std::move(*observed);
  }
  return out;
}

std::string new_salt() {
  std::random_device device;
  std::string out;
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) {
    out += kHex[device() % 16];
  }
  return out;
}

std::string now_rfc3339() {
  return clients::format_docker_time(static_cast<std::int64_t>(std::time(nullptr)));
}

}  // namespace swarmop::snapshot
