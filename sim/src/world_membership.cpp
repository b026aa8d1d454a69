// SwarmWorld: what each engine knows about itself (/info, /swarm), join, leave, and which
// engines may answer cluster-state requests.
#include <algorithm>
#include <boost/json.hpp>

#include "render.hpp"
#include "request_parsing.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

namespace json = boost::json;

namespace {

constexpr const char* kNoLeader =
    "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too "
    "few managers are online. Make sure more than half of the managers are online.";

json::object default_swarm_spec() {
  return json::object{{"Name", "default"},
                      {"Labels", json::object{}},
                      {"Orchestration", json::object{{"TaskHistoryRetentionLimit", 5}}},
                      {"Raft", json::object{{"SnapshotInterval", 10000},
                                            {"KeepOldSnapshots", 0},
                                            {"LogEntriesForSlowFollowers", 500},
                                            {"ElectionTick", 10},
                                            {"HeartbeatTick", 1}}},
                      {"Dispatcher", json::object{{"HeartbeatPeriod", 5'000'000'000}}},
                      {"CAConfig", json::object{{"NodeCertExpiry", 7'776'000'000'000'000}}},
                      {"TaskDefaults", json::object{}},
                      {"EncryptionConfig", json::object{{"AutoLockManagers", false}}}};
}

std::string strip_port(const std::string& address) {
  const auto colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

}  // namespace

std::optional<ApiReply> SwarmWorld::cluster_gate(const std::string& hostname) {
  Lock lock(mutex_);
  advance_locked();
  const Host* host = find_host(hostname);
  if (host == nullptr || host->local_state != "active") {
    return ApiReply::error(503,
                           "This node is not a swarm manager. Use \"docker swarm init\" or "
                           "\"docker swarm join\" to connect this node to swarm and try again.");
  }
  const auto node = nodes_.find(host->node_id);
  if (node == nodes_.end() || !node->second.raft_member) {
    return ApiReply::error(
        503,
        "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster "
        "state. Please run this command on a manager node or promote the current node to a "
        "manager.");
  }
  if (host->partitioned || !has_quorum()) {
    return ApiReply::error(500, kNoLeader);
  }
  return std::nullopt;
}

bool SwarmWorld::serves_cluster_events(const std::string& hostname) {
  return !cluster_gate(hostname).has_value();
}

ApiReply SwarmWorld::inspect_swarm() {
  Lock lock(mutex_);
  advance_locked();
  return ApiReply{
      200,
      json::object{
          {"ID", swarm_id_},
          {"Version", json::object{{"Index", swarm_version_}}},
          {"CreatedAt", render::timestamp(swarm_created_)},
          {"UpdatedAt", render::timestamp(swarm_created_)},
          {"Spec", default_swarm_spec()},
          {"TLSInfo", json::object{{"CertIssuerSubject", "MBMxETAPBgNVBAMTCHN3YXJtLWNh"}}},
          {"RootRotationInProgress", false},
          {"DefaultAddrPool", nullptr},
          {"SubnetSize", 24},
          {"DataPathPort", 4789},
          {"JoinTokens", json::object{{"Worker", worker_token_}, {"Manager", manager_token_}}}}};
}

ApiReply SwarmWorld::info(const std::string& hostname) {
  Lock lock(mutex_);
  advance_locked();
  const Host* host = find_host(hostname);
  if (host == nullptr) {
    return ApiReply::error(404, "page not found");
  }
  json::object swarm{{"NodeID", ""},
                     {"NodeAddr", ""},
                     {"LocalNodeState", host->local_state},
                     {"ControlAvailable", false},
                     {"Error", host->error},
                     {"RemoteManagers", nullptr}};
  std::int64_t containers = 0;
  if (host->local_state != "inactive") {
    swarm["NodeID"] = host->node_id;
    swarm["NodeAddr"] = host->addr;
    json::array remotes;
    std::int64_t managers = 0;
    for (const auto& [id, node] : nodes_) {
      if (node.raft_member) {
        ++managers;
        remotes.push_back(json::object{{"NodeID", id}, {"Addr", node.addr + ":2377"}});
      }
    }
    swarm["RemoteManagers"] = std::move(remotes);
    const auto self = nodes_.find(host->node_id);
    const bool manager = self != nodes_.end() && self->second.raft_member;
    swarm["ControlAvailable"] = manager;
    if (manager && host->local_state == "active") {
      swarm["Nodes"] = static_cast<std::int64_t>(nodes_.size());
      swarm["Managers"] = managers;
      swarm["Cluster"] = json::object{{"ID", swarm_id_},
                                      {"Version", json::object{{"Index", swarm_version_}}},
                                      {"CreatedAt", render::timestamp(swarm_created_)},
                                      {"UpdatedAt", render::timestamp(swarm_created_)},
                                      {"Spec", default_swarm_spec()}};
    }
    containers = std::count_if(tasks_.begin(), tasks_.end(), [&](const Task& t) {
      return t.node_id == host->node_id && t.state == "running";
    });
  }
  return ApiReply{200, json::object{{"ID", "SIMU:" + hostname},
                                    {"Containers", containers},
                                    {"ContainersRunning", containers},
                                    {"Name", hostname},
                                    {"ServerVersion", "20.10.24+dfsg1"},
                                    {"NCPU", 2},
                                    {"MemTotal", 25'276'510'208},
                                    {"OperatingSystem", "Debian GNU/Linux 12 (bookworm)"},
                                    {"OSType", "linux"},
                                    {"Architecture", "x86_64"},
                                    {"KernelVersion", "6.1.0-simulated"},
                                    {"Labels", json::array{}},
                                    {"SystemTime", render::timestamp(now())},
                                    {"Swarm", std::move(swarm)}}};
}

ApiReply SwarmWorld::join(const std::string& hostname, const std::string& body) {
  Lock lock(mutex_);
  advance_locked();
  Host* host = find_host(hostname);
  if (host == nullptr) {
    return ApiReply::error(404, "page not found");
  }
  if (host->local_state != "inactive") {
    return ApiReply::error(503,
                           "This node is already part of a swarm. Use \"docker swarm leave\" to "
                           "leave this swarm and join another one.");
  }
  std::string error;
  const auto request = request::json_object_body(body, "swarm.JoinRequest", error);
  if (!request) {
    return ApiReply::error(400, error);
  }
  std::vector<std::string> remotes;
  if (const auto* list = request->if_contains("RemoteAddrs"); list && list->is_array()) {
    for (const auto& item : list->get_array()) {
      if (item.is_string()) {
        remotes.emplace_back(item.get_string());
      }
    }
  }
  if (remotes.empty()) {
    return ApiReply::error(400, "invalid argument: at least 1 RemoteAddr is required to join");
  }
  const bool reachable = std::any_of(remotes.begin(), remotes.end(), [&](const std::string& r) {
    const std::string wanted = strip_port(r);
    return std::any_of(nodes_.begin(), nodes_.end(), [&](const auto& entry) {
      const Node& node = entry.second;
      return node.raft_member && node_alive(node) &&
             (node.addr == wanted || node.hostname == wanted) && !host->partitioned;
    });
  });
  if (!reachable) {
    // The engine keeps trying in the background (pending) and answers after its timeout.
    host->local_state = "pending";
    const UnixNanos deadline = now() + options_.join_timeout.count();
    lock.unlock();
    wait_for_time(deadline);
    return ApiReply::error(503,
                           "Timeout was reached before node joined. The attempt to join the "
                           "swarm will continue in the background. Use the \"docker info\" "
                           "command to see the current swarm status of your node.");
  }
  const auto* token_value = request->if_contains("JoinToken");
  const std::string token =
      token_value && token_value->is_string() ? std::string(token_value->get_string()) : "";
  std::string role;
  if (token == worker_token_) {
    role = "worker";
  } else if (token == manager_token_) {
    role = "manager";
  } else {
    return ApiReply::error(400,
                           "rpc error: code = InvalidArgument desc = A valid join token is "
                           "necessary to join this cluster");
  }
  create_node_entry(*host, role);
  refresh_liveness();
  reconcile_all();
  return ApiReply{200, nullptr};
}

ApiReply SwarmWorld::leave(const std::string& hostname, bool force) {
  Lock lock(mutex_);
  advance_locked();
  Host* host = find_host(hostname);
  if (host == nullptr) {
    return ApiReply::error(404, "page not found");
  }
  if (host->local_state == "inactive") {
    return ApiReply::error(503, "This node is not part of a swarm");
  }
  if (host->local_state == "active" && !force) {
    const auto node = nodes_.find(host->node_id);
    if (node != nodes_.end() && node->second.raft_member) {
      return ApiReply::error(
          503,
          "You are attempting to leave the swarm on a node that is participating as a manager. "
          "The only way to restore a swarm that has lost consensus is to reinitialize it with "
          "`--force-new-cluster`. Use `--force` to suppress this message.");
    }
  }
  // The managers are not told: the entry goes down when its heartbeats stop arriving.
  host->local_state = "inactive";
  host->node_id.clear();
  host->error.clear();
  refresh_liveness();
  reconcile_all();
  return ApiReply{200, nullptr};
}

}  // namespace swarmop::sim
