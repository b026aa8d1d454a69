#include "swarmop/clients/couchbase_json.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "json_fields.hpp"

namespace swarmop::clients {

namespace json = boost::json;
namespace f = json_fields;

bool CouchbaseNode::has_service(const std::string& service) const {
  return std::find(services.begin(), services.end(), service) != services.end();
}

std::vector<std::string> CouchbaseCluster::otp_nodes() const {
  std::vector<std::string> out;
  out.reserve(nodes.size());
  for (const auto& node : nodes) {
    out.push_back(node.otp_node);
  }
  return out;
}

const CouchbaseNode* CouchbaseCluster::find_by_hostname(const std::string& hostname) const {
  for (const auto& node : nodes) {
    if (node.hostname == hostname) {
      return &node;
    }
  }
  return nullptr;
}

const CouchbaseNode* CouchbaseCluster::find_by_otp_node(const std::string& otp_node) const {
  for (const auto& node : nodes) {
    if (node.otp_node == otp_node) {
      return &node;
    }
  }
  return nullptr;
}

double RebalanceProgress::overall() const {
  if (per_node.empty()) {
    return 0;
  }
  double sum = 0;
  for (const auto& [node, fraction] : per_node) {
    sum += fraction;
  }
  return sum / static_cast<double>(per_node.size());
}

namespace {

std::string trim(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += c;
  }
  return out;
}

std::string value_text(const json::value& value) {
  return value.is_string() ? trim(value.get_string()) : json::serialize(value);
}

std::string join(const json::array& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : "; ") + value_text(item);
  }
  return out;
}

std::string object_text(const json::object& object) {
  if (const auto* errors = object.if_contains("errors")) {
    if (errors->is_object()) {
      std::string out;
      for (const auto& [key, message] : errors->get_object()) {
        const std::string text = value_text(message);
        out += (out.empty() ? "" : "; ") + (key == "_" ? text : std::string(key) + ": " + text);
      }
      return out;
    }
    if (errors->is_array()) {
      return join(errors->get_array());
    }
    return value_text(*errors);
  }
  if (const auto* message = object.if_contains("message"); message && message->is_string()) {
    std::string out = trim(message->get_string());
    if (const auto* permissions = f::array(object, "permissions")) {
      out += " " + join(*permissions);
    }
    return out;
  }
  if (const auto* error = object.if_contains("error"); error && error->is_string()) {
    return trim(error->get_string());
  }
  // Flags ({"mismatch":1}) and field messages ({"otpNode":"invalid node name ..."}).
  std::string out;
  for (const auto& [key, value] : object) {
    const bool flag = (value.is_int64() && value.get_int64() == 1) ||
                      (value.is_uint64() && value.get_uint64() == 1) ||
                      (value.is_bool() && value.get_bool());
    out += (out.empty() ? "" : "; ") +
           (flag ? std::string(key) : std::string(key) + ": " + value_text(value));
  }
  return out;
}

}  // namespace

std::string couchbase_error_text(std::string_view body) {
  constexpr std::size_t kLimit = 300;
  json::error_code ec;
  const json::value value = json::parse(body, ec);
  std::string out;
  if (ec) {
    out = trim(body);
  } else if (value.is_array()) {
    out = join(value.get_array());
  } else if (value.is_object()) {
    out = object_text(value.get_object());
  } else {
    out = value_text(value);
  }
  if (out.size() > kLimit) {
    out = out.substr(0, kLimit) + "...";
  }
  return out;
}

namespace couchbase_json {

namespace {

model::Error bad_response(std::string message) {
  model::Error error;
  error.code = model::ErrorCode::kInternal;
  error.message = "unexpected response from Couchbase: " + std::move(message);
  return error;
}

double number(const json::object& parent, std::string_view key) {
  const auto* value = parent.if_contains(key);
  if (value == nullptr || !value->is_number()) {
    return 0;
  }
  return value->to_number<double>();
}

std::optional<std::vector<RebalanceReason>> reasons(const json::object& object,
                                                    std::string_view key) {
  const auto* items = f::array(object, key);
  if (items == nullptr) {
    return std::nullopt;
  }
  std::vector<RebalanceReason> out;
  for (const auto& item : *items) {
    if (!item.is_object()) {
      continue;
    }
    const auto& reason = item.get_object();
    RebalanceReason entry{f::string(reason, "code"), f::string(reason, "description"),
                          f::strings(reason, "services")};
    const auto buckets = f::strings(reason, "buckets");
    entry.names.insert(entry.names.end(), buckets.begin(), buckets.end());
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

model::Expected<CouchbaseCluster> decode_cluster(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("/pools/default is not a JSON object");
  }
  const auto& object = value.get_object();
  const auto* nodes = f::array(object, "nodes");
  if (nodes == nullptr) {
    return bad_response("/pools/default has no nodes");
  }
  CouchbaseCluster out;
  for (const auto& item : *nodes) {
    if (!item.is_object()) {
      return bad_response("a node is not a JSON object");
    }
    const auto& node_object = item.get_object();
    CouchbaseNode node;
    node.otp_node = f::string(node_object, "otpNode");
    if (node.otp_node.empty()) {
      return bad_response("a node has no otpNode");
    }
    node.hostname = f::string(node_object, "hostname");
    node.cluster_membership = f::string(node_object, "clusterMembership");
    if (node.cluster_membership.empty()) {
      node.cluster_membership = "inactiveAdded";  // ns_server's default for a missing key
    }
    node.status = f::string(node_object, "status");
    if (const auto recovery = f::string(node_object, "recoveryType"); !recovery.empty()) {
      node.recovery_type = recovery;
    }
    node.services = f::strings(node_object, "services");
    node.version = f::string(node_object, "version");
    node.this_node = f::boolean(node_object, "thisNode");
    out.nodes.push_back(std::move(node));
  }
  out.rebalance_status = f::string(object, "rebalanceStatus");
  if (out.rebalance_status.empty()) {
    out.rebalance_status = "none";
  }
  const auto* balanced = object.if_contains("balanced");
  out.balanced = balanced == nullptr || !balanced->is_bool() || balanced->get_bool();
  out.services_need_rebalance = reasons(object, "servicesNeedRebalance");
  out.buckets_need_rebalance = reasons(object, "bucketsNeedRebalance");
  const auto& counters = f::object(object, "counters");
  for (const auto& [name, count] : counters) {
    if (count.is_number()) {
      out.counters[std::string(name)] = f::unsigned_integer(counters, name);
    }
  }
  return out;
}

model::Expected<std::vector<CouchbaseBucket>> decode_buckets(const json::value& value) {
  if (!value.is_array()) {
    return bad_response("/pools/default/buckets is not a JSON array");
  }
  std::vector<CouchbaseBucket> out;
  for (const auto& item : value.get_array()) {
    if (!item.is_object()) {
      return bad_response("a bucket is not a JSON object");
    }
    const auto& object = item.get_object();
    CouchbaseBucket bucket;
    bucket.name = f::string(object, "name");
    if (bucket.name.empty()) {
      return bad_response("a bucket has no name");
    }
    bucket.bucket_type = f::string(object, "bucketType");
    bucket.replica_number = static_cast<int>(f::integer(object, "replicaNumber"));
    out.push_back(std::move(bucket));
  }
  return out;
}

model::Expected<std::string> decode_add_node(const json::value& value) {
  const std::string otp_node = value.is_object() ? f::string(value.get_object(), "otpNode") : "";
  if (otp_node.empty()) {
    return bad_response("/controller/addNode answered without an otpNode");
  }
  return otp_node;
}

model::Expected<RebalanceProgress> decode_rebalance_progress(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("/pools/default/rebalanceProgress is not a JSON object");
  }
  const auto& object = value.get_object();
  RebalanceProgress out;
  out.status = f::string(object, "status");
  if (out.status.empty()) {
    return bad_response("/pools/default/rebalanceProgress has no status");
  }
  out.error_message = f::string(object, "errorMessage");
  for (const auto& [key, entry] : object) {
    if (entry.is_object() && entry.get_object().if_contains("progress") != nullptr) {
      out.per_node[std::string(key)] = number(entry.get_object(), "progress");
    }
  }
  return out;
}

model::Expected<std::vector<CouchbaseTask>> decode_tasks(const json::value& value) {
  if (!value.is_array()) {
    return bad_response("/pools/default/tasks is not a JSON array");
  }
  std::vector<CouchbaseTask> out;
  for (const auto& item : value.get_array()) {
    if (!item.is_object()) {
      return bad_response("a task is not a JSON object");
    }
    const auto& object = item.get_object();
    CouchbaseTask task;
    task.type = f::string(object, "type");
    if (task.type.empty()) {
      return bad_response("a task has no type");
    }
    task.subtype = f::string(object, "subtype");
    task.status = f::string(object, "status");
    task.progress = number(object, "progress");
    task.error_message = f::string(object, "errorMessage");
    task.stale = f::boolean(object, "statusIsStale") || f::boolean(object, "masterRequestTimedOut");
    task.bucket = f::string(object, "bucket");
    task.node = f::string(object, "node");
    out.push_back(std::move(task));
  }
  return out;
}

model::Expected<AutoFailoverSettings> decode_auto_failover(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("/settings/autoFailover is not a JSON object");
  }
  const auto& object = value.get_object();
  const auto* enabled = object.if_contains("enabled");
  if (enabled == nullptr || !enabled->is_bool()) {
    return bad_response("/settings/autoFailover has no enabled");
  }
  AutoFailoverSettings out;
  out.enabled = enabled->get_bool();
  out.timeout_seconds = static_cast<int>(f::integer(object, "timeout"));
  out.count = static_cast<int>(f::integer(object, "count"));
  if (const auto* max_count = object.if_contains("maxCount"); max_count && max_count->is_number()) {
    out.max_count = static_cast<int>(f::integer(object, "maxCount"));
  }
  return out;
}

model::Expected<IndexStatus> decode_index_status(const json::value& value) {
  if (!value.is_object()) {
    return bad_response("/indexStatus is not a JSON object");
  }
  const auto& object = value.get_object();
  const auto* indexes = f::array(object, "indexes");
  if (indexes == nullptr) {
    return bad_response("/indexStatus has no indexes");
  }
  IndexStatus out;
  for (const auto& item : *indexes) {
    if (!item.is_object()) {
      return bad_response("an index is not a JSON object");
    }
    const auto& index = item.get_object();
    IndexStatusEntry entry;
    entry.name = f::string(index, "indexName");
    if (entry.name.empty()) {
      entry.name = f::string(index, "index");
    }
    entry.bucket = f::string(index, "bucket");
    entry.hosts = f::strings(index, "hosts");
    entry.status = f::string(index, "status");
    entry.progress = static_cast<int>(f::integer(index, "progress"));
    out.indexes.push_back(std::move(entry));
  }
  out.warnings = f::strings(object, "warnings");
  return out;
}

}  // namespace couchbase_json
}  // namespace swarmop::clients
