// SwarmWorld: construction, time, the raft index, IDs, events, liveness and leadership.
#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "render.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

namespace json = boost::json;

SwarmWorld::SwarmWorld(std::shared_ptr<Clock> clock, WorldOptions options)
    : clock_(std::move(clock)), options_(options), random_(options.seed) {}

SwarmWorld::~SwarmWorld() {
  shutdown();
}

UnixNanos SwarmWorld::now() const {
  return processing_time_ ? *processing_time_ : clock_->now();
}

std::uint64_t SwarmWorld::bump() {
  // The real index advances by more than one per visible write (raft entries for tasks,
  // networks...); a step of one is enough for "every write takes a new, larger index".
  return ++index_;
}

std::string SwarmWorld::new_id() {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::uniform_int_distribution<int> pick(0, 35);
  std::string id(25, '0');
  for (auto& c : id) {
    c = kAlphabet[pick(random_)];
  }
  return id;
}

std::string SwarmWorld::random_hex(std::size_t length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uniform_int_distribution<int> pick(0, 15);
  std::string out(length, '0');
  for (auto& c : out) {
    c = kHex[pick(random_)];
  }
  return out;
}

void SwarmWorld::emit(std::string type, std::string action, std::string actor_id,
                      std::map<std::string, std::string> attributes) {
  events_.publish(
      Event{std::move(type), std::move(action), std::move(actor_id), std::move(attributes), now()});
}

void SwarmWorld::at(UnixNanos due, std::function<void()> action) {
  timers_.emplace(due, std::move(action));
}

void SwarmWorld::advance_locked() {
  const UnixNanos current = clock_->now();
  while (!timers_.empty() && timers_.begin()->first <= current) {
    auto due = timers_.begin()->first;
    auto action = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    processing_time_ = due;
    action();
    processing_time_.reset();
  }
}

void SwarmWorld::tick() {
  {
    Lock lock(mutex_);
    advance_locked();
  }
  time_moved_.notify_all();
}

bool SwarmWorld::wait_for_time(UnixNanos deadline) {
  Lock lock(mutex_);
  while (!shut_down_ && clock_->now() < deadline) {
    // Wall-time polling as well, so that a real clock needs no ticker to wake us.
    time_moved_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return !shut_down_;
}

void SwarmWorld::shutdown() {
  {
    Lock lock(mutex_);
    shut_down_ = true;
  }
  time_moved_.notify_all();
  events_.close();
}

bool SwarmWorld::is_shut_down() const {
  Lock lock(mutex_);
  return shut_down_;
}

Host* SwarmWorld::find_host(const std::string& hostname) {
  auto it = std::find_if(hosts_.begin(), hosts_.end(),
                         [&](const Host& h) { return h.hostname == hostname; });
  return it != hosts_.end() ? &*it : nullptr;
}

const Host* SwarmWorld::find_host(const std::string& hostname) const {
  return const_cast<SwarmWorld*>(this)->find_host(hostname);
}

bool SwarmWorld::node_alive(const Node& node) const {
  const Host* host = find_host(node.hostname);
  return host != nullptr && host->node_id == node.id && host->engine_up && !host->partitioned &&
         host->local_state == "active";
}

std::size_t SwarmWorld::raft_members() const {
  return static_cast<std::size_t>(std::count_if(
      nodes_.begin(), nodes_.end(), [](const auto& entry) { return entry.second.raft_member; }));
}

std::size_t SwarmWorld::reachable_managers() const {
  return static_cast<std::size_t>(std::count_if(nodes_.begin(), nodes_.end(), [&](const auto& e) {
    return e.second.raft_member && node_alive(e.second);
  }));
}

bool SwarmWorld::has_quorum() const {
  return raft_members() > 0 && reachable_managers() > raft_members() / 2;
}

void SwarmWorld::refresh_liveness() {
  for (auto& [id, node] : nodes_) {
    const bool alive = node_alive(node);
    if (alive && node.role == "manager" && !node.raft_member) {
      // Promoted while its engine was dead: it joins the raft itself once it runs again.
      node.raft_member = true;
      touch_node(node);
    }
    if (node.raft_member) {
      // Reachability follows the raft connection at once, and sends no event (reference §3).
      const std::string reachability = alive ? "reachable" : "unreachable";
      if (node.reachability != reachability) {
        node.reachability = reachability;
        touch_node(node);
      }
    }
    if (alive) {
      node.down_deadline.reset();
      if (node.state != "ready") {
        const std::string old_state = node.state;
        node.state = "ready";
        node.message.clear();
        touch_node(node);
        emit("node", "update", node.id,
             {{"name", node.hostname}, {"state.new", "ready"}, {"state.old", old_state}});
        // Its agent reports again and stops the tasks that were replaced while it was away.
        for (auto& task : tasks_) {
          if (task.node_id == node.id && task.desired_state != "running" &&
              task.state == "running") {
            stop_task(task, "shutdown", "shutdown");
          }
        }
      }
    } else if (node.state == "ready" && !node.down_deadline) {
      const UnixNanos deadline = now() + options_.heartbeat_delay.count();
      node.down_deadline = deadline;
      at(deadline, [this, node_id = id] { on_node_became_down(node_id); });
    }
  }
  elect_leader_if_needed();
}

void SwarmWorld::elect_leader_if_needed() {
  Node* leader = nullptr;
  for (auto& [id, node] : nodes_) {
    if (node.leader) {
      leader = &node;
    }
  }
  if (leader != nullptr && leader->raft_member && node_alive(*leader)) {
    return;
  }
  if (leader != nullptr) {
    leader->leader = false;
    touch_node(*leader);
  }
  if (!has_quorum()) {
    return;  // no election can succeed: the cluster API answers "no leader" until it heals
  }
  for (auto& [id, node] : nodes_) {
    if (node.raft_member && node_alive(node)) {
      node.leader = true;
      touch_node(node);
      return;
    }
  }
}

void SwarmWorld::set_engine_up(const std::string& hostname, bool up) {
  {
    Lock lock(mutex_);
    advance_locked();
    Host* host = find_host(hostname);
    if (host == nullptr) {
      throw std::runtime_error("no host " + hostname);
    }
    host->engine_up = up;
    if (up && host->local_state == "active" && !nodes_.contains(host->node_id)) {
      // Its entry was removed while it was down: it cannot find its cluster again
      // (reference §2, node-restart-after-removed.txt).
      host->local_state = "pending";
      host->error =
          "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible "
          "that too few managers are online. Make sure more than half of the managers are "
          "online.";
    }
    refresh_liveness();
    reconcile_all();
  }
  time_moved_.notify_all();
}

void SwarmWorld::set_partitioned(const std::string& hostname, bool partitioned) {
  Lock lock(mutex_);
  advance_locked();
  Host* host = find_host(hostname);
  if (host == nullptr) {
    throw std::runtime_error("no host " + hostname);
  }
  host->partitioned = partitioned;
  refresh_liveness();
  reconcile_all();
}

std::vector<std::string> SwarmWorld::hostnames() const {
  Lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& host : hosts_) {
    out.push_back(host.hostname);
  }
  return out;
}

std::optional<Host> SwarmWorld::host(const std::string& hostname) const {
  Lock lock(mutex_);
  const Host* found = find_host(hostname);
  return found != nullptr ? std::optional<Host>(*found) : std::nullopt;
}

std::vector<Node> SwarmWorld::nodes() const {
  Lock lock(mutex_);
  std::vector<Node> out;
  for (const auto& [id, node] : nodes_) {
    out.push_back(node);
  }
  return out;
}

std::vector<Service> SwarmWorld::services() const {
  Lock lock(mutex_);
  std::vector<Service> out;
  for (const auto& [id, service] : services_) {
    out.push_back(service);
  }
  return out;
}

std::vector<Task> SwarmWorld::tasks() const {
  Lock lock(mutex_);
  return tasks_;
}

std::uint64_t SwarmWorld::raft_index() const {
  Lock lock(mutex_);
  return index_;
}

std::string SwarmWorld::worker_join_token() const {
  Lock lock(mutex_);
  return worker_token_;
}

std::string SwarmWorld::manager_join_token() const {
  Lock lock(mutex_);
  return manager_token_;
}

json::value SwarmWorld::state_json() const {
  Lock lock(mutex_);
  json::array hosts;
  for (const auto& h : hosts_) {
    hosts.push_back(json::object{{"Hostname", h.hostname},
                                 {"Addr", h.addr},
                                 {"LocalNodeState", h.local_state},
                                 {"NodeID", h.node_id},
                                 {"EngineUp", h.engine_up},
                                 {"Partitioned", h.partitioned},
                                 {"Error", h.error}});
  }
  json::array nodes;
  for (const auto& [id, n] : nodes_) {
    nodes.push_back(render::node(n));
  }
  json::array services;
  for (const auto& [id, s] : services_) {
    services.push_back(render::service(s));
  }
  json::array tasks;
  for (const auto& t : tasks_) {
    tasks.push_back(render::task(t));
  }
  json::array timers;
  for (const auto& [due, action] : timers_) {
    timers.emplace_back(render::timestamp(due));
  }
  return json::object{{"Now", render::timestamp(clock_->now())},
                      {"RaftIndex", index_},
                      {"Hosts", std::move(hosts)},
                      {"Nodes", std::move(nodes)},
                      {"Services", std::move(services)},
                      {"Tasks", std::move(tasks)},
                      {"Timers", std::move(timers)}};
}

}  // namespace swarmop::sim
