// SwarmWorld: hosts, node entries and the /nodes API.
#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "render.hpp"
#include "request_parsing.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

namespace json = boost::json;

void SwarmWorld::add_host(const std::string& hostname, const std::string& addr) {
  Lock lock(mutex_);
  if (find_host(hostname) != nullptr) {
    throw std::runtime_error("host " + hostname + " exists");
  }
  Host host;
  host.hostname = hostname;
  host.addr = addr.empty() ? "10.231.0." + std::to_string(11 + hosts_.size()) : addr;
  hosts_.push_back(std::move(host));
}

std::string SwarmWorld::init_swarm(const std::string& hostname) {
  Lock lock(mutex_);
  Host* host = find_host(hostname);
  if (host == nullptr || host->local_state != "inactive" || !swarm_id_.empty()) {
    throw std::runtime_error("cannot init the swarm on " + hostname);
  }
  swarm_id_ = new_id();
  swarm_created_ = now();
  swarm_version_ = bump();
  // SWMTKN-1-<cluster CA digest>-<secret>: one digest, a secret per role.
  std::uniform_int_distribution<int> pick(0, 35);
  const auto base36 = [&](std::size_t length) {
    static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string out(length, '0');
    for (auto& c : out) {
      c = kAlphabet[pick(random_)];
    }
    return out;
  };
  token_secret_ = base36(50);
  worker_token_ = "SWMTKN-1-" + token_secret_ + "-" + base36(25);
  manager_token_ = "SWMTKN-1-" + token_secret_ + "-" + base36(25);
  Node& node = create_node_entry(*host, "manager");
  node.leader = true;
  return node.id;
}

std::string SwarmWorld::join_directly(const std::string& hostname, const std::string& role) {
  Lock lock(mutex_);
  advance_locked();
  Host* host = find_host(hostname);
  if (host == nullptr || host->local_state != "inactive" || swarm_id_.empty()) {
    throw std::runtime_error("cannot join " + hostname);
  }
  const std::string id = create_node_entry(*host, role).id;
  reconcile_all();
  return id;
}

void SwarmWorld::touch_node(Node& node) {
  node.version = bump();
  node.updated_at = now();
}

Node& SwarmWorld::create_node_entry(Host& host, const std::string& role) {
  Node node;
  node.id = new_id();
  node.created_at = now();
  node.hostname = host.hostname;
  node.role = role;
  node.addr = host.addr;
  node.raft_member = role == "manager";
  node.reachability = node.raft_member ? "reachable" : "";
  node.version = bump();
  node.updated_at = node.created_at;
  host.local_state = "active";
  host.node_id = node.id;
  host.error.clear();
  // The hostname is not known when the entry is created; it arrives with the first
  // heartbeat, together with the ready state (events-sample-rejoin-remove.jsonl).
  emit("node", "create", node.id, {{"name", ""}});
  emit("node", "update", node.id,
       {{"name", node.hostname}, {"state.new", "ready"}, {"state.old", "unknown"}});
  return nodes_.emplace(node.id, std::move(node)).first->second;
}

void SwarmWorld::on_node_became_down(const std::string& node_id) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) {
    return;
  }
  Node& node = it->second;
  if (!node.down_deadline || *node.down_deadline > now() || node_alive(node)) {
    return;  // it came back (or went silent again later) before this deadline
  }
  node.down_deadline.reset();
  node.state = "down";
  node.message = "heartbeat failure";
  touch_node(node);
  emit("node", "update", node.id,
       {{"name", node.hostname}, {"state.new", "down"}, {"state.old", "ready"}});
  // Its tasks are replaced at this moment; the dead agent never reports them stopped, so they
  // keep their last state under DesiredState shutdown.
  for (auto& task : tasks_) {
    if (task.node_id == node.id && task.desired_state == "running") {
      task.desired_state = "shutdown";
      task.version = bump();
      task.updated_at = now();
    }
  }
  reconcile_all();
}

SwarmWorld::NodeLookup SwarmWorld::lookup_node(const std::string& id_or_name) {
  if (auto it = nodes_.find(id_or_name); it != nodes_.end()) {
    return {&it->second, std::nullopt};
  }
  const auto ambiguous = [&](std::size_t count) {
    return ApiReply::error(
        400, "node " + id_or_name + " is ambiguous (" + std::to_string(count) + " matches found)");
  };
  std::vector<Node*> matches;
  for (auto& [id, node] : nodes_) {
    if (node.hostname == id_or_name || (node.name && *node.name == id_or_name)) {
      matches.push_back(&node);
    }
  }
  if (matches.size() > 1) {
    return {nullptr, ambiguous(matches.size())};
  }
  if (matches.empty() && !id_or_name.empty()) {
    for (auto& [id, node] : nodes_) {
      if (id.starts_with(id_or_name)) {
        matches.push_back(&node);
      }
    }
    if (matches.size() > 1) {
      return {nullptr, ambiguous(matches.size())};
    }
  }
  if (matches.empty()) {
    return {nullptr, ApiReply::error(404, "node " + id_or_name + " not found")};
  }
  return {matches.front(), std::nullopt};
}

ApiReply SwarmWorld::list_nodes(const std::string& filters_text) {
  Lock lock(mutex_);
  advance_locked();
  std::string error;
  const auto filters = request::filters(filters_text, error);
  if (!filters) {
    return ApiReply::error(400, error);
  }
  json::array out;
  for (const auto& [id, node] : nodes_) {
    if (!request::matches(*filters, "role", node.role) ||
        !request::matches(*filters, "id", node.id) ||
        !request::matches(*filters, "name", node.hostname) ||
        !request::matches(*filters, "membership", "accepted")) {
      continue;
    }
    if (auto wanted = filters->find("node.label"); wanted != filters->end()) {
      const bool all = std::all_of(wanted->second.begin(), wanted->second.end(), [&](auto& f) {
        const auto eq = f.find('=');
        const auto key = f.substr(0, eq);
        const auto label = node.labels.find(key);
        return label != node.labels.end() &&
               (eq == std::string::npos || label->second == f.substr(eq + 1));
      });
      if (!all) {
        continue;
      }
    }
    out.push_back(render::node(node));
  }
  return ApiReply{200, std::move(out)};
}

ApiReply SwarmWorld::inspect_node(const std::string& id_or_name) {
  Lock lock(mutex_);
  advance_locked();
  auto found = lookup_node(id_or_name);
  if (found.error) {
    return *found.error;
  }
  return ApiReply{200, render::node(*found.node)};
}

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string string_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

}  // namespace

ApiReply SwarmWorld::update_node(const std::string& id_or_name,
                                 const std::optional<std::string>& version_text,
                                 const std::string& body) {
  Lock lock(mutex_);
  advance_locked();
  std::string error;
  // The daemon's order: version parameter, body, spec conversion, lookup, swarmkit checks.
  const auto version = request::object_version(version_text, "node", error);
  if (!version) {
    return ApiReply::error(400, error);
  }
  const auto spec = request::json_object_body(body, "swarm.NodeSpec", error);
  if (!spec) {
    return ApiReply::error(400, error);
  }
  const std::string role_text = string_field(*spec, "Role");
  const std::string role = lower(role_text);
  if (role != "manager" && role != "worker") {
    return ApiReply::error(400, "invalid Role: \"" + role_text + "\"");
  }
  const std::string availability_text = string_field(*spec, "Availability");
  const std::string availability = lower(availability_text);
  if (availability != "active" && availability != "pause" && availability != "drain") {
    return ApiReply::error(400, "invalid Availability: \"" + availability_text + "\"");
  }
  std::map<std::string, std::string> labels;
  if (const auto* given = spec->if_contains("Labels"); given && given->is_object()) {
    for (const auto& [key, value] : given->get_object()) {
      labels[std::string(key)] = value.is_string() ? std::string(value.get_string()) : "";
    }
  }
  auto found = lookup_node(id_or_name);
  if (found.error) {
    return *found.error;
  }
  Node& node = *found.node;
  const bool demotion = node.role == "manager" && role == "worker";
  if (demotion) {
    const auto managers = std::count_if(nodes_.begin(), nodes_.end(), [](const auto& entry) {
      return entry.second.role == "manager";
    });
    if (managers == 1) {
      return ApiReply::error(400,
                             "rpc error: code = FailedPrecondition desc = attempting to demote "
                             "the last manager of the swarm");
    }
    if (node.raft_member) {
      // Raft's CanRemoveMember: the members left must still hold a reachable majority.
      const std::size_t remaining = raft_members() - 1;
      const std::size_t reachable_left = reachable_managers() - (node_alive(node) ? 1 : 0);
      if (reachable_left <= remaining / 2) {
        return ApiReply::error(400,
                               "rpc error: code = FailedPrecondition desc = can't remove member "
                               "from the raft: this would result in a loss of quorum");
      }
    }
  }
  if (*version != node.version) {
    return ApiReply::error(500, "rpc error: code = Unknown desc = update out of sequence");
  }
  std::map<std::string, std::string> attributes{{"name", node.hostname}};
  if (node.role != role) {
    attributes["role.new"] = role;
    attributes["role.old"] = node.role;
  }
  if (node.availability != availability) {
    attributes["availability.new"] = availability;
    attributes["availability.old"] = node.availability;
  }
  const bool labels_changed = node.labels != labels;
  node.role = role;
  node.availability = availability;
  node.labels = std::move(labels);
  const std::string name = string_field(*spec, "Name");
  node.name = name.empty() ? std::nullopt : std::optional<std::string>(name);
  if (demotion) {
    node.raft_member = false;
    node.leader = false;
    node.reachability.clear();
  } else if (role == "manager" && !node.raft_member && node_alive(node)) {
    // A promoted node joins the raft itself (swarmkit's Join from the new manager): one whose
    // engine is dead stays outside it, and quorum counts it only once it runs again
    // (refresh_liveness).
    node.raft_member = true;
    node.reachability = "reachable";
  }
  touch_node(node);
  emit("node", "update", node.id, std::move(attributes));
  elect_leader_if_needed();
  if (labels_changed || demotion) {
    enforce_constraints(node);
  }
  reconcile_all();
  return ApiReply{200, nullptr};
}

ApiReply SwarmWorld::remove_node(const std::string& id_or_name, bool force) {
  Lock lock(mutex_);
  advance_locked();
  auto found = lookup_node(id_or_name);
  if (found.error) {
    return *found.error;
  }
  Node& node = *found.node;
  if (node.raft_member) {
    return ApiReply::error(
        400, "rpc error: code = FailedPrecondition desc = node " + node.id +
                 " is a cluster manager and is a member of the raft cluster. It must be demoted "
                 "to worker before removal");
  }
  if (!force && node.state != "down") {
    return ApiReply::error(400, "rpc error: code = FailedPrecondition desc = node " + node.id +
                                    " is not down and can't be removed");
  }
  const std::string id = node.id;
  const std::string hostname = node.hostname;
  nodes_.erase(id);
  bump();
  emit("node", "remove", id, {{"name", hostname}});
  for (auto& task : tasks_) {
    if (task.node_id == id && task.desired_state == "running") {
      task.desired_state = "shutdown";
      task.version = bump();
      task.updated_at = now();
    }
  }
  reconcile_all();
  return ApiReply{200, nullptr};
}

}  // namespace swarmop::sim
