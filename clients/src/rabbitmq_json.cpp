#include "swarmop/clients/rabbitmq_json.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <set>

#include "json_fields.hpp"

namespace swarmop::clients {

namespace json = boost::json;
namespace f = json_fields;

int RabbitOverview::major_version() const {
  // Saturates: more digits than an int holds would overflow it (undefined behaviour).
  constexpr int kMax = std::numeric_limits<int>::max();
  int major = 0;
  for (const char c : rabbitmq_version) {
    if (c < '0' || c > '9') {
      break;
    }
    const int digit = c - '0';
    if (major > (kMax - digit) / 10) {
      return kMax;
    }
    major = major * 10 + digit;
  }
  return major;
}

bool RabbitPolicy::same_effect_as(const RabbitPolicy& other) const {
  const auto normalise = [](const json::object& object) {
    // Numbers compare by value: the server may echo 2 where we sent 2.0.
    json::object out;
    for (const auto& [key, value] : object) {
      out[key] = value.is_number() ? json::value(value.to_number<double>()) : value;
    }
    return out;
  };
  return pattern == other.pattern && apply_to == other.apply_to && priority == other.priority &&
         normalise(definition) == normalise(other.definition);
}

std::vector<std::string> RabbitQueue::unsynchronised_mirrors() const {
  if (!mirror_nodes) {
    return {};
  }
  const std::vector<std::string> none;
  const auto& synced = synchronised_mirror_nodes ? *synchronised_mirror_nodes : none;
  const std::set<std::string> in_sync(synced.begin(), synced.end());
  std::set<std::string> out;
  for (const auto& mirror : *mirror_nodes) {
    if (in_sync.count(mirror) == 0) {
      out.insert(mirror);
    }
  }
  return {out.begin(), out.end()};
}

namespace rabbitmq_json {

namespace {

model::Error bad_response(std::string message) {
  model::Error error;
  error.code = model::ErrorCode::kInternal;
  error.message = "unexpected response from RabbitMQ: " + std::move(message);
  return error;
}

std::optional<std::vector<std::string>> optional_strings(const json::object& object,
                                                         std::string_view key) {
  if (f::array(object, key) == nullptr) {
    return std::nullopt;
  }
  return f::strings(object, key);
}

}  // namespace

model::Expected<RabbitOverview> decode_overview(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("/api/overview is not a JSON object");
  }
  const auto& object = value.get_object();
  RabbitOverview out{f::string(object, "rabbitmq_version"), f::string(object, "cluster_name"),
                     f::string(object, "node")};
  if (out.rabbitmq_version.empty()) {
    return bad_response("/api/overview has no rabbitmq_version");
  }
  return out;
}

model::Expected<std::vector<RabbitNode>> decode_nodes(const json::value& value) {
  if (!value.is_array()) {
    return bad_response("/api/nodes is not a JSON array");
  }
  std::vector<RabbitNode> out;
  for (const auto& item : value.get_array()) {
    if (!item.is_object()) {
      return bad_response("a node is not a JSON object");
    }
    const auto& object = item.get_object();
    RabbitNode node;
    node.name = f::string(object, "name");
    if (node.name.empty()) {
      return bad_response("a node has no name");
    }
    node.type = f::string(object, "type");
    node.running = f::boolean(object, "running");
    node.partitions = optional_strings(object, "partitions");
    node.mem_alarm = f::boolean(object, "mem_alarm");
    node.disk_free_alarm = f::boolean(object, "disk_free_alarm");
    out.push_back(std::move(node));
  }
  return out;
}

model::Expected<RabbitPolicy> decode_policy(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("a policy is not a JSON object");
  }
  const auto& object = value.get_object();
  RabbitPolicy out;
  out.vhost = f::string(object, "vhost");
  out.name = f::string(object, "name");
  out.pattern = f::string(object, "pattern");
  out.apply_to = f::string(object, "apply-to");
  out.priority = static_cast<int>(f::integer(object, "priority"));
  out.definition = f::object(object, "definition");
  if (out.name.empty()) {
    return bad_response("a policy has no name");
  }
  return out;
}

model::Expected<std::vector<RabbitPolicy>> decode_policies(const json::value& value) {
  if (!value.is_array()) {
    return bad_response("/api/policies is not a JSON array");
  }
  std::vector<RabbitPolicy> out;
  for (const auto& item : value.get_array()) {
    auto policy = decode_policy(item);
    if (!policy) {
      return policy.error();
    }
    out.push_back(std::move(*policy));
  }
  return out;
}

model::Expected<std::vector<RabbitQueue>> decode_queues(const json::value& value) {
  if (!value.is_array()) {
    return bad_response("/api/queues is not a JSON array");
  }
  std::vector<RabbitQueue> out;
  for (const auto& item : value.get_array()) {
    if (!item.is_object()) {
      return bad_response("a queue is not a JSON object");
    }
    const auto& object = item.get_object();
    RabbitQueue queue;
    queue.vhost = f::string(object, "vhost");
    queue.name = f::string(object, "name");
    if (queue.name.empty()) {
      return bad_response("a queue has no name");
    }
    queue.type = f::string(object, "type");
    queue.node = f::string(object, "node");
    if (const auto* policy = object.if_contains("policy"); policy && policy->is_string()) {
      queue.policy = std::string(policy->get_string());
    }
    queue.mirror_nodes = optional_strings(object, "slave_nodes");
    queue.synchronised_mirror_nodes = optional_strings(object, "synchronised_slave_nodes");
    queue.state = f::string(object, "state");
    queue.messages = f::unsigned_integer(object, "messages");
    out.push_back(std::move(queue));
  }
  return out;
}

HealthCheckResult decode_health(int status, const json::value& value) {
  HealthCheckResult out;
  out.ok = status == 200;
  if (value.is_object()) {
    out.reason = f::string(value.get_object(), "reason");
    if (f::string(value.get_object(), "status") == "failed") {
      out.ok = false;
    }
  }
  return out;
}

json::object encode_policy(const RabbitPolicy& policy) {
  return json::object{{"pattern", policy.pattern},
                      {"apply-to", policy.apply_to},
                      {"priority", policy.priority},
                      {"definition", policy.definition}};
}

}  // namespace rabbitmq_json
}  // namespace swarmop::clients
