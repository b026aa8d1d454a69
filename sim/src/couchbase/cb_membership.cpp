// Topology requests that change membership without a rebalance: addNode, ejectNode, failover
// (hard and graceful), setRecoveryType / reAddNode, reFailOver. Reference §4.1, §4.3, §4.9.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "cb_model.hpp"

namespace swarmop::sim::couchbase {

namespace json = boost::json;

namespace {

const std::set<std::string> kKnownServices = {"kv",   "n1ql",     "index", "fts",
                                              "cbas", "eventing", "backup"};

struct Target {
  std::string scheme;  //!< http, https
  std::string host;
  int port = 0;
  std::string error;
};

//! addNode's hostname: host, host:port, http(s)://host:port (reference §4.1). The default
//! scheme is https: 7.1+ Enterprise adds nodes over TLS.
Target parse_target(std::string text) {
  Target out;
  out.scheme = "https";
  const auto scheme_end = text.find("://");
  if (scheme_end != std::string::npos) {
    out.scheme = text.substr(0, scheme_end);
    text = text.substr(scheme_end + 3);
    if (out.scheme != "http" && out.scheme != "https") {
      out.error = "Unsupported protocol " + out.scheme;
      return out;
    }
  }
  const auto colon = text.find(':');
  out.host = text.substr(0, colon);
  if (colon == std::string::npos) {
    out.port = out.scheme == "https" ? 18091 : 8091;
    return out;
  }
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    out.error = "Malformed URL " + text + "; if using IPv6, enclose in square brackets";
    return out;
  }
  out.port = std::stoi(port);
  if (out.port <= 1023 || out.port >= 65536) {
    out.error = "The port number must be greater than 1023 and less than 65536.";
  }
  return out;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) {
    out += (out.size() > 1 ? "," : "") + std::string("\"") + item + "\"";
  }
  return out + "]";
}

}  // namespace

Reply ClusterModel::add_node(const NodeState& via, const Form& form, UnixNanos now) {
  static const std::set<std::string> kParams = {"hostname", "user", "password", "services",
                                                "clientCertAuth"};
  std::vector<std::string> unknown;
  for (const auto& [key, v] : form) {
    if (!kParams.contains(key) && key != "uuid") {
      unknown.push_back(key);
    }
  }
  if (!unknown.empty()) {
    return Reply::json_list(400, "Got unknown parameters: " + quoted_list(unknown));
  }
  const auto hostname = value(form, "hostname");
  if (!hostname || hostname->empty()) {
    return Reply::json_list(400, "Hostname is required.");
  }
  std::vector<std::string> services = {"kv"};
  if (const auto listed = value(form, "services")) {
    services = split_list(*listed);
    std::vector<std::string> bad;
    for (const auto& service : services) {
      if (!kKnownServices.contains(service)) {
        bad.push_back(service);
      }
    }
    if (!bad.empty()) {
      return Reply::json_list(400, "Unknown services: " + quoted_list(bad));
    }
    if (services.empty()) {
      return Reply::json_list(400, "At least one service has to be selected");
    }
  }
  const auto user = value(form, "user");
  const auto password = value(form, "password");
  if (!user && !password) {
    return Reply::json_list(400, "Missing required parameter.");
  }
  if (user && !password) {
    return Reply::json_list(400, "A password must be supplied.");
  }
  if (!user && password) {
    return Reply::json_list(400,
                            "If a username is not specified, a password must not be supplied.");
  }
  const Target target = parse_target(*hostname);
  if (!target.error.empty()) {
    return Reply::json_list(400, target.error);
  }
  if (target.scheme == "http" || target.port == 8091) {
    return Reply::json_list(400, "http is prohibited due to security reasons, please use https");
  }
  if (!via.provisioned) {
    return Reply::json_list(400, "Adding nodes to not provisioned nodes is not allowed.");
  }
  if (rebalance_running()) {
    return Reply::json_list(400, "Node addition is disallowed while rebalance is in progress");
  }
  if (!has_quorum()) {
    return Reply::json_list(
        503, "Operation temporarily cannot be performed possibly due to loss of quorum");
  }
  const std::string url = "https://" + target.host + ":" + std::to_string(target.port);
  NodeState* node = nullptr;
  for (auto& candidate : nodes_) {
    if (std::find(candidate.aliases.begin(), candidate.aliases.end(), target.host) !=
        candidate.aliases.end()) {
      node = &candidate;
    }
  }
  if (node == nullptr) {
    return Reply::json_list(400, "Failed to connect to " + url +
                                     ". Unable to resolve IPv4 address for \"" + target.host +
                                     "\".  The hostname may be incorrect or not resolvable.");
  }
  if (!node->reachable() || target.port != 18091) {
    return Reply::json_list(
        400, "Failed to connect to " + url + ". Could not connect to \"" + target.host +
                 "\" on port " + std::to_string(target.port) +
                 ".  This could be due to an incorrect host/port combination or a firewall in "
                 "place between the servers.");
  }
  if (node->provisioned) {
    const bool credentials_ok = *user == options_.username && *password == options_.password;
    return Reply::json_list(400, credentials_ok
                                     ? "Prepare join failed. Node is already part of cluster."
                                     : "Prepare join failed. Invalid credentials. Verify "
                                       "username and password.");
  }
  const std::string otp = "ns_1@" + target.host;
  for (const auto* existing : members()) {
    if (existing->otp_node() == otp || existing == node) {
      return Reply::json_list(400, "Node already exists in cluster: " + existing->otp_node());
    }
  }
  join(*node, target.host, services);
  log("info", "ns_cluster", "Started node add transaction by adding node " + otp, now);
  return Reply::json(200, json::object{{"otpNode", otp}});
}

Reply ClusterModel::eject_node(const NodeState& via, const Form& form, UnixNanos now) {
  auto otp = value(form, "otpNode");
  if (!otp) {
    return Reply::text(400, "Bad Request\n");
  }
  if (*otp == "Self") {
    otp = via.otp_node();
  }
  NodeState* node = member(*otp);
  if (node == nullptr) {
    return Reply::text(400, "Server does not exist.\n");
  }
  if (node->membership == "active") {
    return Reply::text(400, "Cannot remove active server.\n");
  }
  remove_member(*node);
  log("info", "ns_cluster", "Node " + *otp + " was ejected from the cluster.", now);
  return Reply::empty();
}

void ClusterModel::fail_over_now(NodeState& node, const std::string& reason, UnixNanos now) {
  node.membership = "inactiveFailed";
  node.recovery_type = "none";
  node.replicas_at_failover.clear();
  for (const auto& b : buckets_) {
    node.replicas_at_failover[b.name] = b.replica_number;
  }
  drop_from_buckets(node.otp_node());
  count("failover");
  count("failover_complete");
  log("info", "failover", "Failed over '" + node.otp_node() + "': ok. " + reason, now);
}

Reply ClusterModel::hard_failover(const Form& form, UnixNanos now) {
  const auto names = all_values(form, "otpNode");
  if (names.empty()) {
    return Reply::text(400, "No server specified.");
  }
  // A name no node ever had is not even an Erlang atom to the server.
  std::vector<std::string> never_seen;
  for (const auto& name : names) {
    const bool seen = std::any_of(nodes_.begin(), nodes_.end(), [&](const NodeState& n) {
      return n.otp_node() == name || "ns_1@" + n.container_hostname == name;
    });
    if (!seen) {
      never_seen.push_back(name);
    }
  }
  if (!never_seen.empty()) {
    return Reply::text(400, "Unknown server given: " + quoted_list(never_seen));
  }
  if (rebalance_running()) {
    return Reply::text(503, "Rebalance running.");
  }
  std::vector<NodeState*> targets;
  for (const auto& name : names) {
    NodeState* node = member(name);
    if (node == nullptr) {
      return Reply::text(400, "Unknown server given.");
    }
    if (node->membership != "active") {
      return Reply::text(400, "Inactive server given.");
    }
    targets.push_back(node);
  }
  const bool allow_unsafe = value(form, "allowUnsafe").value_or("false") == "true";
  auto remaining_kv = active_kv_nodes();
  for (const auto* node : targets) {
    remaining_kv.erase(std::remove(remaining_kv.begin(), remaining_kv.end(), node->otp_node()),
                       remaining_kv.end());
  }
  if (remaining_kv.empty()) {
    return Reply::text(400, "Last active node cannot be failed over.");
  }
  for (const auto& b : buckets_) {
    const bool survives = std::any_of(b.servers.begin(), b.servers.end(), [&](const auto& s) {
      return std::none_of(targets.begin(), targets.end(),
                          [&](const NodeState* t) { return t->otp_node() == s; });
    });
    if (!b.servers.empty() && !survives) {
      return Reply::text(400, "Last server for bucket \"" + b.name + "\" cannot be failed over.");
    }
  }
  if (!allow_unsafe && !has_quorum()) {
    return Reply::text(500, "Cannot safely perform a failover at the moment");
  }
  last_error_.clear();
  count("failover_start");
  for (auto* node : targets) {
    fail_over_now(*node, "Hard failover requested.", now);
  }
  return Reply::empty();
}

Reply ClusterModel::graceful_failover(const Form& form, UnixNanos now) {
  const auto names = all_values(form, "otpNode");
  if (names.empty()) {
    return Reply::text(400, "No server specified.");
  }
  if (rebalance_running()) {
    return Reply::text(503, "Rebalance running.");
  }
  std::vector<NodeState*> targets;
  for (const auto& name : names) {
    NodeState* node = member(name);
    if (node == nullptr) {
      return Reply::text(400, "Unknown server given.");
    }
    if (node->membership != "active") {
      return Reply::text(400, "Inactive server given.");
    }
    if (!node->has_service("kv")) {
      return Reply::text(400,
                         "Failover cannot be done gracefully for a node without data service. "
                         "Use hard failover.");
    }
    targets.push_back(node);
  }
  // Every vBucket on the leaving nodes needs a copy elsewhere.
  for (const auto& b : buckets_) {
    const int leaving = static_cast<int>(
        std::count_if(b.servers.begin(), b.servers.end(), [&](const std::string& s) {
          return std::any_of(targets.begin(), targets.end(),
                             [&](const NodeState* t) { return t->otp_node() == s; });
        }));
    if (leaving > 0 && b.copies - leaving < 1) {
      return Reply::text(400, "Failover cannot be done gracefully (would lose vbuckets).");
    }
  }
  last_error_.clear();
  TopologyTask task;
  task.subtype = "gracefulFailover";
  task.id = random_hex(32);
  task.started = now;
  task.due = now + to_nanos(options_.graceful_failover_duration);
  for (const auto* node : targets) {
    task.failover_nodes.push_back(node->otp_node());
  }
  task_ = std::move(task);
  count("graceful_failover_start");
  log("info", "ns_orchestrator", "Starting graceful failover of " + quoted_list(names), now);
  return Reply::empty();
}

Reply ClusterModel::set_recovery_type(const Form& form, bool full_only, UnixNanos now) {
  const std::string type = full_only ? "full" : value(form, "recoveryType").value_or("");
  NodeState* node = nullptr;
  if (const auto otp = value(form, "otpNode")) {
    node = member(*otp);
  }
  const bool state_ok =
      node != nullptr && (node->membership == "inactiveFailed" ||
                          (node->membership == "inactiveAdded" && node->recovery_type != "none"));
  const bool delta_ok =
      type != "delta" ||
      (node != nullptr && (node->has_service("kv") || node->has_service("index")));
  json::object errors;
  if (!state_ok || !delta_ok) {
    errors["otpNode"] = "invalid node name or node can't be used for delta recovery";
  }
  if (type != "delta" && type != "full") {
    errors["recoveryType"] = "recovery type must be either 'delta' or 'full'";
  }
  if (!errors.empty()) {
    return Reply::json(400, errors);
  }
  node->membership = "inactiveAdded";
  node->recovery_type = type;
  log("info", "ns_cluster", "Node " + node->otp_node() + " was marked for " + type + " recovery.",
      now);
  return Reply::json(200, json::array{});
}

Reply ClusterModel::re_failover(const Form& form, UnixNanos now) {
  NodeState* node = nullptr;
  if (const auto otp = value(form, "otpNode")) {
    node = member(*otp);
  }
  if (node == nullptr || node->membership != "inactiveAdded" || node->recovery_type == "none") {
    return Reply::empty(400);
  }
  node->membership = "inactiveFailed";
  node->recovery_type = "none";
  log("info", "ns_cluster", "Node " + node->otp_node() + " was failed over again.", now);
  return Reply::empty();
}

}  // namespace swarmop::sim::couchbase
