// The cluster's core: replies, node lives (start, provisioning, wipe), and what the cluster
// reports about nodes, buckets and balance.
#include <algorithm>
#include <boost/json.hpp>

#include "cb_model.hpp"

namespace swarmop::sim::couchbase {

namespace json = boost::json;

Reply Reply::empty(int status) {
  return Reply{status, "", ""};
}

Reply Reply::json(int status, const json::value& body) {
  return Reply{status, "application/json", json::serialize(body)};
}

Reply Reply::json_list(int status, const std::string& message) {
  return json(status, json::array{json::value(message)});
}

Reply Reply::text(int status, std::string body) {
  return Reply{status, "text/plain", std::move(body)};
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (const char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) {
        out.push_back(item);
      }
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

std::vector<std::string> all_values(const Form& form, const std::string& key) {
  std::vector<std::string> out;
  const auto [first, last] = form.equal_range(key);
  for (auto it = first; it != last; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::optional<std::string> value(const Form& form, const std::string& key) {
  const auto it = form.find(key);
  if (it == form.end()) {
    return std::nullopt;
  }
  return it->second;
}

bool NodeState::has_service(const std::string& name) const {
  return std::find(services.begin(), services.end(), name) != services.end();
}

ClusterModel::ClusterModel(CouchbaseSimOptions options, std::uint64_t seed)
    : options_(std::move(options)), random_(seed) {
  auto_failover_.enabled = options_.auto_failover_enabled;
  auto_failover_.timeout_seconds = options_.auto_failover_timeout_seconds;
  auto_failover_.max_count = options_.auto_failover_max_count;
}

std::string ClusterModel::random_hex(std::size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    out += kDigits[random_() % 16];
  }
  return out;
}

NodeState& ClusterModel::add_node_state(NodeState node) {
  node.uuid = random_hex(32);
  nodes_.push_back(std::move(node));
  return nodes_.back();
}

void ClusterModel::log(const std::string& type, const std::string& module, const std::string& text,
                       UnixNanos now) {
  const std::string orchestrator_node = orchestrator();
  logs_.push_back(LogEntry{orchestrator_node, type, module, text, now});
}

void ClusterModel::node_started(NodeState& node, UnixNanos now) {
  if (node.member && node.provisioned) {
    // Its files are on this host's volume (move_data decided which files it has): the buckets
    // and the indexer load them again.
    node.buckets_warm_at = now + to_nanos(options_.bucket_warmup);
    node.indexes_warm_at = now + to_nanos(options_.index_warmup);
    return;
  }
  if (!exists_ && node.service == options_.primary_service) {
    provision_first(node, now);
    return;
  }
  if (!node.provisioned && node.auto_rebalance) {
    node.auto_join_at = now + to_nanos(options_.auto_join_delay);
  }
}

void ClusterModel::provision_first(NodeState& node, UnixNanos now) {
  exists_ = true;
  uuid_ = random_hex(32);
  join(node, node.container_hostname, options_.node_services);
  node.membership = "active";
  node.hosts_indexes = node.has_service("index");
  for (const auto& name : options_.buckets) {
    buckets_.push_back(BucketState{name, random_hex(32), 0, 1, 1, {node.otp_node()}});
    const auto found = options_.indexes.find(name);
    if (found != options_.indexes.end()) {
      for (const auto& index : found->second) {
        indexes_.push_back(IndexDefinition{index, name, random_() % 9'000'000'000'000'000'000ULL});
      }
    }
  }
  log("info", "ns_cluster", "Cluster provisioned on " + node.otp_node() + ".", now);
}

void ClusterModel::join(NodeState& node, const std::string& host,
                        std::vector<std::string> services) {
  node.provisioned = true;
  node.member = true;
  ++node.incarnation;
  node.host = host;
  node.services = std::move(services);
  node.membership = "inactiveAdded";
  node.recovery_type = "none";
  node.hosts_indexes = false;
  node.auto_join_at.reset();
  node.replicas_at_failover.clear();
}

void ClusterModel::remove_member(NodeState& node) {
  // A node leaving the cluster resets itself to a fresh, unprovisioned node.
  node.member = false;
  node.provisioned = false;
  node.membership.clear();
  node.recovery_type = "none";
  node.host.clear();
  node.services.clear();
  node.hosts_indexes = false;
  node.buckets_warm_at = 0;
  node.indexes_warm_at = 0;
  node.replicas_at_failover.clear();
}

void ClusterModel::wipe(NodeState& node) {
  // The cluster still lists it (if it did) but the node no longer knows it: it answers as an
  // unprovisioned node and the cluster sees it as unhealthy.
  node.provisioned = false;
}

void ClusterModel::fail_next_rebalance(std::string reason) {
  next_rebalance_failure_ = std::move(reason);
}

NodeState* ClusterModel::member(const std::string& otp_node) {
  for (auto& node : nodes_) {
    if (node.member && node.otp_node() == otp_node) {
      return &node;
    }
  }
  return nullptr;
}

const NodeState* ClusterModel::member(const std::string& otp_node) const {
  return const_cast<ClusterModel*>(this)->member(otp_node);
}

std::vector<const NodeState*> ClusterModel::members() const {
  std::vector<const NodeState*> out;
  for (const auto& node : nodes_) {
    if (node.member) {
      out.push_back(&node);
    }
  }
  return out;
}

std::string ClusterModel::status(const NodeState& node, UnixNanos now) const {
  if (!node.reachable() || !node.provisioned) {
    return "unhealthy";
  }
  const std::string otp = node.otp_node();
  const bool hosts_bucket = std::any_of(buckets_.begin(), buckets_.end(), [&](const auto& b) {
    return std::find(b.servers.begin(), b.servers.end(), otp) != b.servers.end();
  });
  return hosts_bucket && now < node.buckets_warm_at ? "warmup" : "healthy";
}

bool ClusterModel::indexes_warming(const NodeState& node, UnixNanos now) const {
  return node.hosts_indexes && now < node.indexes_warm_at;
}

const BucketState* ClusterModel::bucket(const std::string& name) const {
  for (const auto& b : buckets_) {
    if (b.name == name) {
      return &b;
    }
  }
  return nullptr;
}

std::vector<std::string> ClusterModel::active_kv_nodes() const {
  std::vector<std::string> out;
  for (const auto* node : members()) {
    if (node->membership == "active" && node->has_service("kv")) {
      out.push_back(node->otp_node());
    }
  }
  return out;
}

bool ClusterModel::has_quorum() const {
  // Topology changes are majority operations over the nodes that take part in the cluster's
  // metadata: every member that has not been failed over.
  std::size_t voters = 0;
  std::size_t reachable = 0;
  for (const auto* node : members()) {
    if (node->membership == "inactiveFailed") {
      continue;
    }
    ++voters;
    reachable += node->reachable() && node->provisioned ? 1 : 0;
  }
  return reachable * 2 > voters;
}

std::string ClusterModel::orchestrator() const {
  for (const auto* node : members()) {
    if (node->membership == "active" && node->reachable() && node->provisioned) {
      return node->otp_node();
    }
  }
  return "";
}

json::array ClusterModel::services_need_rebalance() const {
  std::set<std::string> all_services;
  for (const auto* node : members()) {
    all_services.insert(node->services.begin(), node->services.end());
  }
  json::array services;
  for (const auto& service : all_services) {
    for (const auto* node : members()) {
      if (node->membership != "active" && node->has_service(service)) {
        services.emplace_back(service);
        break;
      }
    }
  }
  json::array out;
  if (!services.empty()) {
    out.push_back(json::object{{"code", "service_not_balanced"},
                               {"description", "Service needs rebalance."},
                               {"services", services}});
  }
  return out;
}

json::array ClusterModel::buckets_need_rebalance() const {
  // The first matching reason per bucket, in ns_rebalancer's order.
  std::vector<std::string> active = active_kv_nodes();
  std::sort(active.begin(), active.end());
  std::map<std::string, json::array> by_code;
  for (const auto& b : buckets_) {
    std::vector<std::string> servers = b.servers;
    std::sort(servers.begin(), servers.end());
    const int wanted = std::min(b.chain_length, static_cast<int>(b.servers.size()));
    if (b.chain_length != b.replica_number + 1) {
      by_code["num_replicas_changed"].emplace_back(b.name);
    } else if (servers != active) {
      by_code["servers_not_balanced"].emplace_back(b.name);
    } else if (b.copies < wanted) {
      by_code["map_needs_rebalance"].emplace_back(b.name);
    }
  }
  static const std::vector<std::pair<std::string, std::string>> kReasons = {
      {"num_replicas_changed", "Number of replicas for bucket has changed."},
      {"servers_not_balanced", "Servers of bucket are not balanced."},
      {"map_needs_rebalance", "Bucket map needs rebalance."}};
  json::array out;
  for (const auto& [code, description] : kReasons) {
    if (by_code.contains(code)) {
      out.push_back(
          json::object{{"code", code}, {"description", description}, {"buckets", by_code[code]}});
    }
  }
  return out;
}

void ClusterModel::drop_from_buckets(const std::string& otp_node) {
  for (auto& b : buckets_) {
    const auto it = std::find(b.servers.begin(), b.servers.end(), otp_node);
    if (it != b.servers.end()) {
      b.servers.erase(it);
      b.copies = std::max(0, b.copies - 1);
    }
  }
}

void ClusterModel::advance(UnixNanos now) {
  advance_task(now);
  advance_auto_failover(now);
  advance_auto_joins(now);
}

}  // namespace swarmop::sim::couchbase
