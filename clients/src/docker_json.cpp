#include "swarmop/clients/docker_json.hpp"

#include <boost/json.hpp>

#include "json_fields.hpp"
#include "swarmop/clients/docker_time.hpp"

namespace swarmop::clients::docker_json {

namespace json = boost::json;
namespace f = json_fields;

namespace {

model::Error bad_response(std::string message) {
  model::Error error;
  error.code = model::ErrorCode::kInternal;
  error.message = "unexpected response from the Docker engine: " + std::move(message);
  return error;
}

template <class T, class Decode>
model::Expected<std::vector<T>> decode_list(const json::value& value, std::string_view what,
                                            Decode decode) {
  if (!value.is_array()) {
    return bad_response(std::string(what) + " is not a JSON array");
  }
  // No reserve(array size): the size is the server's word, not what decodes. [0,0,...] (2 bytes
  // an element) reserved a DockerNode (~400 bytes) an element before the first was refused:
  // 400 MiB for a 2 MiB body (tests/unit/api_corpus_test.cpp). Growing keeps memory in
  // proportion to what decoded.
  std::vector<T> out;
  for (const auto& item : value.get_array()) {
    auto decoded = decode(item);
    if (!decoded) {
      return decoded.error();
    }
    out.push_back(std::move(decoded.value()));
  }
  return out;
}

}  // namespace

model::Expected<json::value> parse(std::string_view body, std::string_view what) {
  json::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) {
    return bad_response(std::string(what) + " is not valid JSON (" + ec.message() + ")");
  }
  return value;
}

std::string error_message(std::string_view body) {
  json::error_code ec;
  const json::value value = json::parse(body, ec);
  if (!ec && value.is_object()) {
    const std::string message = f::string(value.get_object(), "message");
    if (!message.empty()) {
      return message;
    }
  }
  std::string text(body.substr(0, 200));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

model::Expected<EngineVersion> decode_version(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("/version is not a JSON object");
  }
  const auto& object = value.get_object();
  EngineVersion out{f::string(object, "ApiVersion"), f::string(object, "MinAPIVersion"),
                    f::string(object, "Version")};
  if (out.api_version.empty()) {
    return bad_response("/version has no ApiVersion");
  }
  return out;
}

model::Expected<EngineInfo> decode_info(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("/info is not a JSON object");
  }
  const auto& object = value.get_object();
  const auto& swarm = f::object(object, "Swarm");
  EngineInfo out;
  out.name = f::string(object, "Name");
  out.node_id = f::string(swarm, "NodeID");
  out.node_addr = f::string(swarm, "NodeAddr");
  out.local_node_state = f::string(swarm, "LocalNodeState");
  out.control_available = f::boolean(swarm, "ControlAvailable");
  out.error = f::string(swarm, "Error");
  out.system_time = parse_docker_time(f::string(object, "SystemTime"));
  if (const auto* managers = f::array(swarm, "RemoteManagers")) {
    for (const auto& manager : *managers) {
      if (manager.is_object()) {
        out.remote_manager_addrs.push_back(f::string(manager.get_object(), "Addr"));
      }
    }
  }
  return out;
}

model::Expected<SwarmInfo> decode_swarm(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("/swarm is not a JSON object");
  }
  const auto& object = value.get_object();
  SwarmInfo out;
  out.id = f::string(object, "ID");
  out.version = f::unsigned_integer(f::object(object, "Version"), "Index");
  const auto& tokens = f::object(object, "JoinTokens");
  out.worker_join_token = Secret(f::string(tokens, "Worker"));
  out.manager_join_token = Secret(f::string(tokens, "Manager"));
  return out;
}

model::Expected<DockerNode> decode_node(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("a node is not a JSON object");
  }
  const auto& object = value.get_object();
  DockerNode out;
  out.id = f::string(object, "ID");
  if (out.id.empty()) {
    return bad_response("a node has no ID");
  }
  out.version = f::unsigned_integer(f::object(object, "Version"), "Index");
  out.spec = f::object(object, "Spec");
  out.role = f::string(out.spec, "Role");
  out.availability = f::string(out.spec, "Availability");
  out.labels = f::string_map(out.spec, "Labels");
  const auto& description = f::object(object, "Description");
  out.hostname = f::string(description, "Hostname");
  out.engine_version = f::string(f::object(description, "Engine"), "EngineVersion");
  const auto& status = f::object(object, "Status");
  out.state = f::string(status, "State");
  out.state_message = f::string(status, "Message");
  out.addr = f::string(status, "Addr");
  if (const auto* manager = object.if_contains("ManagerStatus"); manager && manager->is_object()) {
    out.manager_reachability = f::string(manager->get_object(), "Reachability");
    out.leader = f::boolean(manager->get_object(), "Leader");
    out.manager_addr = f::string(manager->get_object(), "Addr");
  }
  return out;
}

model::Expected<std::vector<DockerNode>> decode_nodes(const json::value& value) {
  return decode_list<DockerNode>(value, "/nodes", decode_node);
}

model::Expected<DockerService> decode_service(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("a service is not a JSON object");
  }
  const auto& object = value.get_object();
  DockerService out;
  out.id = f::string(object, "ID");
  if (out.id.empty()) {
    return bad_response("a service has no ID");
  }
  out.version = f::unsigned_integer(f::object(object, "Version"), "Index");
  out.spec = f::object(object, "Spec");
  out.name = f::string(out.spec, "Name");
  const auto& mode = f::object(out.spec, "Mode");
  if (mode.contains("Replicated")) {
    out.mode = "replicated";
    out.replicas = f::unsigned_integer(f::object(mode, "Replicated"), "Replicas");
  } else if (mode.contains("Global")) {
    out.mode = "global";
  } else if (mode.contains("ReplicatedJob")) {
    out.mode = "replicated-job";
  } else if (mode.contains("GlobalJob")) {
    out.mode = "global-job";
  }
  const auto& task = f::object(out.spec, "TaskTemplate");
  const auto& placement = f::object(task, "Placement");
  out.constraints = f::strings(placement, "Constraints");
  out.max_replicas = f::unsigned_integer(placement, "MaxReplicas");
  if (const auto* preferences = f::array(placement, "Preferences")) {
    for (const auto& preference : *preferences) {
      if (preference.is_object()) {
        const auto& spread = f::object(preference.get_object(), "Spread");
        out.spread_preferences.push_back(f::string(spread, "SpreadDescriptor"));
      }
    }
  }
  out.force_update = f::unsigned_integer(task, "ForceUpdate");
  const auto& container = f::object(task, "ContainerSpec");
  out.image = f::string(container, "Image");
  for (const std::string& entry : f::strings(container, "Env")) {
    const std::size_t equals = entry.find('=');
    out.env[entry.substr(0, equals)] = equals == std::string::npos ? "" : entry.substr(equals + 1);
  }
  if (const auto* update = object.if_contains("UpdateStatus"); update && update->is_object()) {
    out.update_status = UpdateStatus{f::string(update->get_object(), "State"),
                                     f::string(update->get_object(), "Message")};
  }
  if (const auto* status = object.if_contains("ServiceStatus"); status && status->is_object()) {
    out.running_tasks = f::unsigned_integer(status->get_object(), "RunningTasks");
    out.desired_tasks = f::unsigned_integer(status->get_object(), "DesiredTasks");
  }
  return out;
}

model::Expected<std::vector<DockerService>> decode_services(const json::value& value) {
  return decode_list<DockerService>(value, "/services", decode_service);
}

model::Expected<std::vector<DockerTask>> decode_tasks(const json::value& value) {
  return decode_list<DockerTask>(
      value, "/tasks", [](const json::value& item) -> model::Expected<DockerTask> {
        if (!item.is_object()) {
          return bad_response("a task is not a JSON object");
        }
        const auto& object = item.get_object();
        DockerTask out;
        out.id = f::string(object, "ID");
        if (out.id.empty()) {
          return bad_response("a task has no ID");
        }
        out.service_id = f::string(object, "ServiceID");
        out.node_id = f::string(object, "NodeID");
        out.slot = f::unsigned_integer(object, "Slot");
        out.desired_state = f::string(object, "DesiredState");
        const auto& status = f::object(object, "Status");
        out.state = f::string(status, "State");
        out.message = f::string(status, "Message");
        out.err = f::string(status, "Err");
        out.force_update = f::unsigned_integer(f::object(object, "Spec"), "ForceUpdate");
        out.status_time = parse_docker_time(f::string(status, "Timestamp"));
        return out;
      });
}

model::Expected<DockerEvent> decode_event(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("an event is not a JSON object");
  }
  const auto& object = value.get_object();
  DockerEvent out;
  out.type = f::string(object, "Type");
  out.action = f::string(object, "Action");
  const auto& actor = f::object(object, "Actor");
  out.actor_id = f::string(actor, "ID");
  out.attributes = f::string_map(actor, "Attributes");
  out.time = f::integer(object, "time");
  out.time_nano = f::integer(object, "timeNano");
  return out;
}

}  // namespace swarmop::clients::docker_json
