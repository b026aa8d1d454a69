#include "snapshot/data_stores.hpp"

#include <boost/json.hpp>

namespace swarmop::snapshot {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) {
    out.emplace_back(item);
  }
  return out;
}

//! Reads fields from one object of a section and remembers the first problem, so a malformed
//! snapshot is reported with the section and field that is wrong.
class Reader {
 public:
  Reader(const json::value& value, std::string where, std::string& error)
      : where_(std::move(where)), error_(error) {
    if (!value.is_object()) {
      fail("is not an object");
    } else {
      object_ = &value.get_object();
    }
  }
  std::string text(std::string_view key) {
    const auto* value = find(key);
    if (value == nullptr) {
      return "";
    }
    if (!value->is_string()) {
      fail(std::string(key) + " is not a string");
      return "";
    }
    return std::string(value->get_string());
  }
  bool flag(std::string_view key) {
    const auto* value = find(key);
    if (value != nullptr && !value->is_bool()) {
      fail(std::string(key) + " is not a boolean");
    }
    return value != nullptr && value->is_bool() && value->get_bool();
  }
  double number(std::string_view key) {
    const auto* value = find(key);
    if (value == nullptr) {
      return 0;
    }
    if (!value->is_number()) {
      fail(std::string(key) + " is not a number");
      return 0;
    }
    return value->to_number<double>();
  }
  std::vector<std::string> list(std::string_view key) {
    std::vector<std::string> out;
    const auto* value = find(key);
    if (value == nullptr) {
      return out;
    }
    if (!value->is_array()) {
      fail(std::string(key) + " is not an array");
      return out;
    }
    for (const auto& item : value->get_array()) {
      if (!item.is_string()) {
        fail(std::string(key) + " holds a non-string");
        return out;
      }
      out.emplace_back(item.get_string());
    }
    return out;
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const json::array& array(std::string_view key) {
    static const json::array kEmpty;
    const auto* value = find(key);
    if (value == nullptr) {
      return kEmpty;
    }
    if (!value->is_array()) {
      fail(std::string(key) + " is not an array");
      return kEmpty;
    }
    return value->get_array();
  }
  const json::value& value(std::string_view key) {
    static const json::value kNull;
    const auto* found = find(key);
    return found != nullptr ? *found : kNull;
  }
  std::string where(std::string_view key) const { return where_ + "." + std::string(key); }

 private:
  const json::value* find(std::string_view key) const {
    return object_ != nullptr ? object_->if_contains(key) : nullptr;
  }
  void fail(const std::string& what) {
    if (error_.empty()) {
      error_ = where_ + ": " + what;
    }
  }

  const json::object* object_ = nullptr;
  std::string where_;
  std::string& error_;
};

model::Error bad_section(const std::string& message) {
  model::Error error;
  error.code = model::ErrorCode::kInvalid;
  error.message = "not a swarm-operator snapshot: " + message;
  return error;
}

json::array reasons_json(const std::vector<clients::RebalanceReason>& reasons) {
  json::array out;
  for (const auto& reason : reasons) {
    out.push_back(json::object{{"code", reason.code},
                               {"description", reason.description},
                               {"names", strings(reason.names)}});
  }
  return out;
}

std::vector<clients::RebalanceReason> reasons_from(const json::array& items,
                                                   const std::string& where, std::string& error) {
  std::vector<clients::RebalanceReason> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Reader r(items[i], where + "[" + std::to_string(i) + "]", error);
    out.push_back({r.text("code"), r.text("description"), r.list("names")});
  }
  return out;
}

}  // namespace

json::object couchbase_json(const reconcilers::CouchbaseObservation& observed) {
  json::object out;
  if (observed.unreachable) {
    out["unreachable"] = *observed.unreachable;
    return out;
  }
  json::array nodes;
  for (const auto& node : observed.cluster.nodes) {
    nodes.push_back(json::object{{"otpNode", node.otp_node},
                                 {"hostname", node.hostname},
                                 {"clusterMembership", node.cluster_membership},
                                 {"status", node.status},
                                 {"recoveryType", node.recovery_type},
                                 {"services", strings(node.services)},
                                 {"version", node.version},
                                 {"thisNode", node.this_node}});
  }
  json::object cluster{{"nodes", std::move(nodes)},
                       {"rebalanceStatus", observed.cluster.rebalance_status},
                       {"balanced", observed.cluster.balanced}};
  if (observed.cluster.services_need_rebalance) {
    cluster["servicesNeedRebalance"] = reasons_json(*observed.cluster.services_need_rebalance);
  }
  if (observed.cluster.buckets_need_rebalance) {
    cluster["bucketsNeedRebalance"] = reasons_json(*observed.cluster.buckets_need_rebalance);
  }
  json::array buckets;
  for (const auto& bucket : observed.buckets) {
    buckets.push_back(json::object{{"name", bucket.name},
                                   {"bucketType", bucket.bucket_type},
                                   {"replicaNumber", bucket.replica_number}});
  }
  json::array tasks;
  for (const auto& task : observed.tasks) {
    tasks.push_back(json::object{{"type", task.type},
                                 {"subtype", task.subtype},
                                 {"status", task.status},
                                 {"progress", task.progress},
                                 {"errorMessage", task.error_message},
                                 {"stale", task.stale},
                                 {"bucket", task.bucket},
                                 {"node", task.node}});
  }
  json::object auto_failover{{"enabled", observed.auto_failover.enabled},
                             {"timeout", observed.auto_failover.timeout_seconds},
                             {"count", observed.auto_failover.count}};
  if (observed.auto_failover.max_count) {
    auto_failover["maxCount"] = *observed.auto_failover.max_count;
  }
  json::array indexes;
  for (const auto& index : observed.indexes.indexes) {
    indexes.push_back(json::object{{"name", index.name},
                                   {"bucket", index.bucket},
                                   {"hosts", strings(index.hosts)},
                                   {"status", index.status},
                                   {"progress", index.progress}});
  }
  out["cluster"] = std::move(cluster);
  out["buckets"] = std::move(buckets);
  out["tasks"] = std::move(tasks);
  out["autoFailover"] = std::move(auto_failover);
  out["indexStatus"] = json::object{{"indexes", std::move(indexes)},
                                    {"warnings", strings(observed.indexes.warnings)}};
  if (observed.swarm_clock) {
    out["swarmClock"] = *observed.swarm_clock;
  }
  return out;
}

model::Expected<reconcilers::CouchbaseObservation> couchbase_from(const json::value& value) {
  std::string error;
  reconcilers::CouchbaseObservation out;
  Reader top(value, "couchbase", error);
  if (top.has("unreachable")) {
    out.unreachable = top.text("unreachable");
    return error.empty() ? model::Expected<reconcilers::CouchbaseObservation>(out)
                         : bad_section(error);
  }
  Reader cluster(top.value("cluster"), "couchbase.cluster", error);
  const auto& nodes = cluster.array("nodes");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    Reader r(nodes[i], "couchbase.cluster.nodes[" + std::to_string(i) + "]", error);
    clients::CouchbaseNode node;
    node.otp_node = r.text("otpNode");
    node.hostname = r.text("hostname");
    node.cluster_membership = r.text("clusterMembership");
    node.status = r.text("status");
    node.recovery_type = r.text("recoveryType");
    node.services = r.list("services");
    node.version = r.text("version");
    node.this_node = r.flag("thisNode");
    out.cluster.nodes.push_back(std::move(node));
  }
  out.cluster.rebalance_status = cluster.text("rebalanceStatus");
  out.cluster.balanced = cluster.flag("balanced");
  if (cluster.has("servicesNeedRebalance")) {
    out.cluster.services_need_rebalance = reasons_from(
        cluster.array("servicesNeedRebalance"), cluster.where("servicesNeedRebalance"), error);
  }
  if (cluster.has("bucketsNeedRebalance")) {
    out.cluster.buckets_need_rebalance = reasons_from(cluster.array("bucketsNeedRebalance"),
                                                      cluster.where("bucketsNeedRebalance"), error);
  }
  const auto& buckets = top.array("buckets");
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    Reader r(buckets[i], "couchbase.buckets[" + std::to_string(i) + "]", error);
    out.buckets.push_back(
        {r.text("name"), r.text("bucketType"), static_cast<int>(r.number("replicaNumber"))});
  }
  const auto& tasks = top.array("tasks");
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    Reader r(tasks[i], "couchbase.tasks[" + std::to_string(i) + "]", error);
    out.tasks.push_back({r.text("type"), r.text("subtype"), r.text("status"), r.number("progress"),
                         r.text("errorMessage"), r.flag("stale"), r.text("bucket"),
                         r.text("node")});
  }
  Reader settings(top.value("autoFailover"), "couchbase.autoFailover", error);
  out.auto_failover.enabled = settings.flag("enabled");
  out.auto_failover.timeout_seconds = static_cast<int>(settings.number("timeout"));
  out.auto_failover.count = static_cast<int>(settings.number("count"));
  if (settings.has("maxCount")) {
    out.auto_failover.max_count = static_cast<int>(settings.number("maxCount"));
  }
  Reader index_status(top.value("indexStatus"), "couchbase.indexStatus", error);
  const auto& indexes = index_status.array("indexes");
  for (std::size_t i = 0; i < indexes.size(); ++i) {
    Reader r(indexes[i], "couchbase.indexStatus.indexes[" + std::to_string(i) + "]", error);
    out.indexes.indexes.push_back({r.text("name"), r.text("bucket"), r.list("hosts"),
                                   r.text("status"), static_cast<int>(r.number("progress"))});
  }
  out.indexes.warnings = index_status.list("warnings");
  if (top.has("swarmClock")) {
    out.swarm_clock = static_cast<std::int64_t>(top.number("swarmClock"));
  }
  if (!error.empty()) {
    return bad_section(error);
  }
  return out;
}

json::object rabbitmq_json(const reconcilers::RabbitObservation& observed) {
  json::object out;
  if (observed.unreachable) {
    out["unreachable"] = *observed.unreachable;
    return out;
  }
  json::array nodes;
  for (const auto& node : observed.nodes) {
    json::object entry{{"name", node.name},
                       {"type", node.type},
                       {"running", node.running},
                       {"memAlarm", node.mem_alarm},
                       {"diskFreeAlarm", node.disk_free_alarm}};
    if (node.partitions) {
      entry["partitions"] = strings(*node.partitions);
    }
    nodes.push_back(std::move(entry));
  }
  json::array policies;
  for (const auto& policy : observed.policies) {
    policies.push_back(json::object{{"vhost", policy.vhost},
                                    {"name", policy.name},
                                    {"pattern", policy.pattern},
                                    {"applyTo", policy.apply_to},
                                    {"priority", policy.priority},
                                    {"definition", policy.definition}});
  }
  json::array queues;
  for (const auto& queue : observed.queues) {
    json::object entry{{"vhost", queue.vhost}, {"name", queue.name},
                       {"type", queue.type},   {"node", queue.node},
                       {"state", queue.state}, {"messages", queue.messages}};
    if (queue.policy) {
      entry["policy"] = *queue.policy;
    }
    if (queue.mirror_nodes) {
      entry["mirrorNodes"] = strings(*queue.mirror_nodes);
    }
    if (queue.synchronised_mirror_nodes) {
      entry["synchronisedMirrorNodes"] = strings(*queue.synchronised_mirror_nodes);
    }
    queues.push_back(std::move(entry));
  }
  out["overview"] = json::object{{"rabbitmqVersion", observed.overview.rabbitmq_version},
                                 {"clusterName", observed.overview.cluster_name},
                                 {"node", observed.overview.node}};
  out["nodes"] = std::move(nodes);
  out["policies"] = std::move(policies);
  out["queues"] = std::move(queues);
  return out;
}

model::Expected<reconcilers::RabbitObservation> rabbitmq_from(const json::value& value) {
  std::string error;
  reconcilers::RabbitObservation out;
  Reader top(value, "rabbitmq", error);
  if (top.has("unreachable")) {
    out.unreachable = top.text("unreachable");
    return error.empty() ? model::Expected<reconcilers::RabbitObservation>(out)
                         : bad_section(error);
  }
  Reader overview(top.value("overview"), "rabbitmq.overview", error);
  out.overview.rabbitmq_version = overview.text("rabbitmqVersion");
  out.overview.cluster_name = overview.text("clusterName");
  out.overview.node = overview.text("node");
  const auto& nodes = top.array("nodes");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    Reader r(nodes[i], "rabbitmq.nodes[" + std::to_string(i) + "]", error);
    clients::RabbitNode node;
    node.name = r.text("name");
    node.type = r.text("type");
    node.running = r.flag("running");
    node.mem_alarm = r.flag("memAlarm");
    node.disk_free_alarm = r.flag("diskFreeAlarm");
    if (r.has("partitions")) {
      node.partitions = r.list("partitions");
    }
    out.nodes.push_back(std::move(node));
  }
  const auto& policies = top.array("policies");
  for (std::size_t i = 0; i < policies.size(); ++i) {
    Reader r(policies[i], "rabbitmq.policies[" + std::to_string(i) + "]", error);
    clients::RabbitPolicy policy;
    policy.vhost = r.text("vhost");
    policy.name = r.text("name");
    policy.pattern = r.text("pattern");
    policy.apply_to = r.text("applyTo");
    policy.priority = static_cast<int>(r.number("priority"));
    if (const auto& definition = r.value("definition"); definition.is_object()) {
      policy.definition = definition.get_object();
    }
    out.policies.push_back(std::move(policy));
  }
  const auto& queues = top.array("queues");
  for (std::size_t i = 0; i < queues.size(); ++i) {
    Reader r(queues[i], "rabbitmq.queues[" + std::to_string(i) + "]", error);
    clients::RabbitQueue queue;
    queue.vhost = r.text("vhost");
    queue.name = r.text("name");
    queue.type = r.text("type");
    queue.node = r.text("node");
    queue.state = r.text("state");
    queue.messages = static_cast<std::uint64_t>(r.number("messages"));
    if (r.has("policy")) {
      queue.policy = r.text("policy");
    }
    if (r.has("mirrorNodes")) {
      queue.mirror_nodes = r.list("mirrorNodes");
    }
    if (r.has("synchronisedMirrorNodes")) {
      queue.synchronised_mirror_nodes = r.list("synchronisedMirrorNodes");
    }
    out.queues.push_back(std::move(queue));
  }
  if (!error.empty()) {
    return bad_section(error);
  }
  return out;
}

}  // namespace swarmop::snapshot
