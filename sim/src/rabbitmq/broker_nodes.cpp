// Cluster membership from the simulated world, node liveness, partitions and node statistics.
#include <algorithm>
#include <stdexcept>

#include "broker.hpp"

namespace swarmop::sim::rabbitmq {

namespace {

std::string string_at(const json::object& object, std::initializer_list<const char*> path) {
  const json::object* at = &object;
  const json::value* value = nullptr;
  for (const char* key : path) {
    if (at == nullptr) {
      return {};
    }
    value = at->if_contains(key);
    if (value == nullptr) {
      return {};
    }
    at = value->if_object();
  }
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

// "sciencelogic/is-rabbit:3.7.7-1" -> "3.7.7"; empty when the tag is no version.
std::string version_of_image(const std::string& image) {
  const auto colon = image.rfind(':');
  if (colon == std::string::npos || image.find('/', colon) != std::string::npos) {
    return {};
  }
  std::string out;
  for (const char c : image.substr(colon + 1)) {
    if ((c < '0' || c > '9') && c != '.') {
      break;
    }
    out += c;
  }
  return std::count(out.begin(), out.end(), '.') == 2 ? out : "";
}

}  // namespace

RabbitBroker::RabbitBroker(SwarmWorld& w, const RabbitOptions& o) : world(w), options(o) {
  if (options.partition_handling != "pause_minority" && options.partition_handling != "ignore" &&
      options.partition_handling != "autoheal") {
    throw std::invalid_argument("partition_handling must be pause_minority, ignore or autoheal");
  }
}

UnixNanos RabbitBroker::stats_interval() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(options.stats_interval).count();
}

std::string RabbitBroker::version() const {
  if (!version_override.empty()) {
    return version_override;
  }
  if (!options.version.empty()) {
    return options.version;
  }
  const std::string from_image = nodes.empty() ? "" : version_of_image(nodes.front().image);
  return from_image.empty() ? "3.10.8" : from_image;
}

bool RabbitBroker::has_mirroring() const {
  const std::string v = version();
  return std::atoi(v.c_str()) < 4;
}

BrokerNode* RabbitBroker::find_node(const std::string& name) {
  for (auto& node : nodes) {
    if (node.name == name) {
      return &node;
    }
  }
  return nullptr;
}

void RabbitBroker::refresh() {
  std::lock_guard lock(mutex);
  refresh_locked();
}

void RabbitBroker::refresh_locked() {
  read_world();
  expire_splits();
  update_liveness();
  track_cuts();
  finish_syncs();
  update_mirrors();
  emit_stats();
  emit_queue_stats();
}

void RabbitBroker::read_world() {
  std::map<std::string, std::string> host_of_node;  // swarm node ID -> hostname
  for (const auto& node : world.nodes()) {
    host_of_node[node.id] = node.hostname;
  }
  const auto tasks = world.tasks();
  std::vector<BrokerNode> discovered;
  std::set<std::string> seen;
  for (const auto& service : world.services()) {
    const std::string image = string_at(service.spec, {"TaskTemplate", "ContainerSpec", "Image"});
    if (image.find(options.image_match) == std::string::npos) {
      continue;
    }
    std::string hostname = string_at(service.spec, {"TaskTemplate", "ContainerSpec", "Hostname"});
    if (hostname.empty()) {
      hostname = string_at(service.spec, {"Name"});
    }
    const std::string name = "rabbit@" + hostname;
    std::string host;
    const Task* running = nullptr;
    for (const auto& task : tasks) {
      if (task.service_id == service.id && task.state == "running" &&
          task.desired_state == "running" && host_of_node.count(task.node_id) != 0) {
        host = host_of_node[task.node_id];
        running = &task;
        break;
      }
    }
    seen.insert(name);
    BrokerNode* node = find_node(name);
    if (node == nullptr) {
      if (host.empty()) {
        continue;  // a member only once it has run
      }
      BrokerNode fresh;
      fresh.name = name;
      fresh.service = string_at(service.spec, {"Name"});
      fresh.image = image;
      discovered.push_back(std::move(fresh));
      node = &discovered.back();
    }
    node->host = host;
    node->task_running = !host.empty();
    if (running != nullptr && running->container_id != node->container_id) {
      // A new container (Swarm restarted or moved the task): update_liveness starts it on the
      // files its host has.
      node->container_id = running->container_id;
      node->new_container = true;
      node->arrived_copy = running->data_copy;
    }
    const auto info = host.empty() ? std::nullopt : world.host(host);
    node->host_up = info && info->engine_up;
    node->host_partitioned = info && info->partitioned;
  }
  // A removed service's node stays a (stopped) member, as a container that is gone does.
  for (auto& node : nodes) {
    if (seen.count(node.name) == 0) {
      node.task_running = false;
    }
  }
  std::sort(discovered.begin(), discovered.end(),
            [](const BrokerNode& a, const BrokerNode& b) { return a.name < b.name; });
  for (auto& node : discovered) {
    node.index = static_cast<int>(nodes.size()) + 1;
    nodes.push_back(std::move(node));
  }
}

bool RabbitBroker::split(const std::string& a, const std::string& b) const {
  return std::any_of(splits.begin(), splits.end(), [&](const RecordedSplit& s) {
    return (s.a == a && s.b == b) || (s.a == b && s.b == a);
  });
}

bool RabbitBroker::connected(const BrokerNode& a, const BrokerNode& b) const {
  if (&a == &b) {
    return true;
  }
  if (!a.running() || !b.running() || !same_cluster(a, b)) {
    return false;
  }
  // A partitioned host is cut off from every other host; nodes on one host still talk.
  const bool same_side = a.host == b.host || (!a.host_partitioned && !b.host_partitioned);
  return same_side && !split(a.name, b.name);
}

void RabbitBroker::update_liveness() {
  const UnixNanos t = now();
  const std::size_t members = nodes.size();
  std::vector<bool> was_running;
  for (const auto& node : nodes) {
    was_running.push_back(node.running());
  }
  // The VM first: what pause_minority counts is the nodes it can reach, paused or not.
  for (auto& node : nodes) {
    node.alive = node.task_running && node.host_up && !node.stopped && !node.boot_refused;
  }
  // A new container: Swarm stopped the old one (gracefully) and the new one starts on the
  // database its host holds.
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    BrokerNode& node = nodes[i];
    if (!node.new_container || !node.task_running || !node.host_up || node.stopped) {
      continue;
    }
    node.new_container = false;
    if (was_running[i]) {
      on_node_lost(node);
      was_running[i] = false;
    }
    arrive(node);
    node.alive = !node.boot_refused;
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    BrokerNode& node = nodes[i];
    bool paused = node.alive && t < node.blip_pause_until;
    if (node.alive && options.partition_handling == "pause_minority") {
      std::size_t reachable = 0;
      for (const auto& other : nodes) {
        const bool same_side =
            other.host == node.host || (!other.host_partitioned && !node.host_partitioned);
        reachable += other.alive && same_side && same_cluster(node, other) ? 1 : 0;
      }
      // A standalone node is a cluster of one; the members still count its old identity.
      paused = paused || reachable * 2 <= (node.standalone ? 1 : members);
    }
    node.paused = paused;
    if (was_running[i] && !node.running()) {
      on_node_lost(node);
    } else if (!was_running[i] && node.running()) {
      on_node_back(node);
    }
  }
}

void RabbitBroker::on_node_lost(BrokerNode& node) {
  node.stats.reset();
  std::erase_if(splits,
                [&](const RecordedSplit& s) { return s.a == node.name || s.b == node.name; });
  BrokerDb& db = db_of(node);
  for (auto& [key, queue] : db.queues) {
    queue.mirrors.erase(node.name);
    if (queue.leader != node.name || queue.down) {
      continue;
    }
    // The leader is gone: a graceful stop hands over to a synchronised mirror only
    // (ha-promote-on-shutdown: when-synced); a crash promotes any mirror (on-failure: always).
    std::string heir;
    for (const auto& [mirror, missing] : queue.mirrors) {
      if (missing == 0) {
        heir = mirror;
        break;
      }
    }
    if (heir.empty() && node.killed && !queue.mirrors.empty()) {
      heir = queue.mirrors.begin()->first;
    }
    if (heir.empty()) {
      queue.down = true;
      queue.mirrors.clear();
      continue;
    }
    const std::uint64_t lost = queue.mirrors[heir];
    queue.messages -= std::min(lost, queue.messages);
    queue.mirrors.erase(heir);
    queue.leader = heir;
    for (auto& [mirror, missing] : queue.mirrors) {
      missing -= std::min(missing, lost);
    }
  }
  // Non-durable queues led by a stopped node are gone.
  std::erase_if(db.queues, [&](const auto& entry) {
    return entry.second.down && !entry.second.durable && entry.second.leader == node.name;
  });
}

void RabbitBroker::on_node_back(BrokerNode& node) {
  node.up_since = now();
  node.next_stats = node.up_since + stats_interval();
  node.stats.reset();
  node.killed = false;
  node.os_pid = std::to_string(next_pid++);
  for (auto& [key, queue] : db_of(node).queues) {
    if (queue.down && queue.leader == node.name) {
      queue.down = false;  // durable messages come back with the node
    }
  }
}

void RabbitBroker::track_cuts() {
  for (auto& a : nodes) {
    for (auto& b : nodes) {
      if (a.index >= b.index) {
        continue;
      }
      const auto pair = std::make_pair(a.name, b.name);
      if (!a.running() || !b.running() || !same_cluster(a, b)) {
        cuts.erase(pair);  // a restarted node rejoins cleanly
        continue;
      }
      const bool same_side = a.host == b.host || (!a.host_partitioned && !b.host_partitioned);
      if (!same_side) {
        cuts.insert(pair);
      } else if (cuts.erase(pair) != 0 && options.partition_handling != "pause_minority") {
        // Both sides ran through the cut: mnesia sees running_partitioned_network.
        std::optional<UnixNanos> until;
        if (options.partition_handling == "autoheal") {
          until = now() +
                  std::chrono::duration_cast<std::chrono::nanoseconds>(options.partition_recovery)
                      .count();
        }
        splits.push_back({a.name, b.name, until});
      }
    }
  }
}

void RabbitBroker::expire_splits() {
  const UnixNanos t = now();
  std::set<std::string> restarted;
  for (const auto& s : splits) {
    if (s.until && *s.until <= t && options.partition_handling == "autoheal") {
      // Autoheal restarts the losing side: the node that is split from more nodes.
      const auto count = [&](const std::string& name) {
        return std::count_if(splits.begin(), splits.end(),
                             [&](const RecordedSplit& x) { return x.a == name || x.b == name; });
      };
      restarted.insert(count(s.a) > count(s.b) ? s.a : s.b);
    }
  }
  std::erase_if(splits, [t](const RecordedSplit& s) { return s.until && *s.until <= t; });
  for (const auto& name : restarted) {
    if (BrokerNode* node = find_node(name); node != nullptr && node->running()) {
      on_node_lost(*node);
      on_node_back(*node);
    }
  }
}

void RabbitBroker::emit_stats() {
  const UnixNanos t = now();
  for (auto& node : nodes) {
    if (!node.running() || stats_frozen || t < node.next_stats) {
      continue;
    }
    NodeStats stats;
    for (const auto& s : splits) {
      if (s.a == node.name) {
        stats.partitions.push_back(s.b);
      } else if (s.b == node.name) {
        stats.partitions.push_back(s.a);
      }
    }
    std::sort(stats.partitions.begin(), stats.partitions.end());
    stats.mem_alarm = node.mem_alarm;
    stats.disk_alarm = node.disk_alarm;
    for (const auto& other : nodes) {
      if (&other != &node && connected(node, other)) {
        stats.links.push_back(other.name);
      }
    }
    stats.emitted_at = t;
    node.stats = std::move(stats);
    const UnixNanos interval = std::max<UnixNanos>(stats_interval(), 1);
    node.next_stats += ((t - node.next_stats) / interval + 1) * interval;
  }
}

json::object RabbitBroker::node_entry(const BrokerNode& viewer, const BrokerNode& node) const {
  const bool running = connected(viewer, node);
  if (!node.running() || !same_cluster(viewer, node)) {
    return json::object{{"name", node.name},
                        {"type", "disc"},
                        {"running", false},
                        {"cluster_links", json::array{}}};
  }
  json::object entry{{"name", node.name}, {"type", "disc"}, {"running", running}};
  if (!node.stats) {
    entry["cluster_links"] = json::array{};
    return entry;
  }
  const NodeStats& stats = *node.stats;
  json::array partitions;
  for (const auto& name : stats.partitions) {
    partitions.emplace_back(name);
  }
  json::array links;
  for (const auto& name : stats.links) {
    links.emplace_back(json::object{{"name", name}, {"peer_addr", "127.0.0.1"}});
  }
  entry["partitions"] = std::move(partitions);
  entry["mem_alarm"] = stats.mem_alarm;
  entry["disk_free_alarm"] = stats.disk_alarm;
  entry["mem_used"] = 137879552;
  entry["mem_limit"] = 10110604083LL;
  entry["disk_free"] = 82825138176LL;
  entry["disk_free_limit"] = 50000000;
  entry["uptime"] = (stats.emitted_at - node.up_since) / 1'000'000;
  entry["os_pid"] = node.os_pid;
  entry["net_ticktime"] = 60;
  entry["processors"] = 2;
  entry["rates_mode"] = "basic";
  entry["cluster_links"] = std::move(links);
  return entry;
}

// --- Faults ----------------------------------------------------------------------------------

void RabbitBroker::stop_node(const std::string& name, bool kill) {
  std::lock_guard lock(mutex);
  BrokerNode* node = find_node(name);
  if (node == nullptr) {
    throw std::invalid_argument("no rabbit node " + name);
  }
  node->stopped = true;
  node->killed = kill;
  refresh_locked();
}

void RabbitBroker::start_node(const std::string& name) {
  std::lock_guard lock(mutex);
  BrokerNode* node = find_node(name);
  if (node == nullptr) {
    throw std::invalid_argument("no rabbit node " + name);
  }
  node->stopped = false;
  refresh_locked();
}

void RabbitBroker::blip(const std::string& name) {
  std::lock_guard lock(mutex);
  BrokerNode* node = find_node(name);
  if (node == nullptr) {
    throw std::invalid_argument("no rabbit node " + name);
  }
  refresh_locked();
  if (!node->running()) {
    return;
  }
  std::vector<std::string> peers;
  for (const auto& other : nodes) {
    if (&other != node && connected(*node, other)) {
      peers.push_back(other.name);
    }
  }
  const UnixNanos t = now();
  const UnixNanos recovery =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options.partition_recovery).count();
  std::optional<UnixNanos> until;
  if (options.partition_handling == "pause_minority") {
    // The node sees itself alone and pauses for a second (its rabbit app restarts); the
    // majority's mnesia reports the partition until the cluster settles.
    node->blip_pause_until = t + kSecond;
    refresh_locked();
    until = t + recovery;
  } else if (options.partition_handling == "autoheal") {
    until = t + recovery;
  }
  for (const auto& peer : peers) {
    splits.push_back({peer, name, until});
  }
  refresh_locked();
}

void RabbitBroker::set_alarm(const std::string& name, const std::string& resource, bool on) {
  std::lock_guard lock(mutex);
  BrokerNode* node = find_node(name);
  if (node == nullptr) {
    throw std::invalid_argument("no rabbit node " + name);
  }
  if (resource == "memory") {
    node->mem_alarm = on;
  } else if (resource == "disk space") {
    node->disk_alarm = on;
  } else {
    throw std::invalid_argument("alarm resource must be \"memory\" or \"disk space\"");
  }
}

void RabbitBroker::set_version(const std::string& v) {
  std::lock_guard lock(mutex);
  version_override = v;
  refresh_locked();
}

void RabbitBroker::freeze_stats(bool frozen) {
  std::lock_guard lock(mutex);
  stats_frozen = frozen;
}

bool RabbitBroker::serving(const std::string& name) {
  std::lock_guard lock(mutex);
  const BrokerNode* node = find_node(name);
  return node != nullptr && node->running();
}

std::vector<std::string> RabbitBroker::member_names() {
  std::lock_guard lock(mutex);
  std::vector<std::string> out;
  for (const auto& node : nodes) {
    out.push_back(node.name);
  }
  return out;
}

}  // namespace swarmop::sim::rabbitmq
