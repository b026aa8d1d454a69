#include "swarmop/sim/invariant_monitor.hpp"

#include <map>
#include <mutex>
#include <set>

namespace swarmop::sim {

namespace {

// The operator records where a stateful service's data is under this service label
// (reconcilers/data_homes.hpp); the simulator knows where it really is.
constexpr const char* kDataNodeLabel = "swarm-operator.data-node";

std::string image_of(const Service& service) {
  const auto* task = service.spec.if_contains("TaskTemplate");
  const auto* container = task ? task->as_object().if_contains("ContainerSpec") : nullptr;
  const auto* image = container ? container->as_object().if_contains("Image") : nullptr;
  return image && image->is_string() ? std::string(image->as_string()) : "";
}

std::string name_of(const Service& service) {
  const auto* name = service.spec.if_contains("Name");
  return name && name->is_string() ? std::string(name->as_string()) : service.id;
}

std::string label_of(const Service& service, const char* key) {
  const auto* labels = service.spec.if_contains("Labels");
  const auto* value =
      labels && labels->is_object() ? labels->as_object().if_contains(key) : nullptr;
  return value && value->is_string() ? std::string(value->as_string()) : "";
}

std::int64_t wanted_replicas(const Service& service) {
  const auto* mode = service.spec.if_contains("Mode");
  const auto* replicated =
      mode && mode->is_object() ? mode->as_object().if_contains("Replicated") : nullptr;
  const auto* replicas = replicated && replicated->is_object()
                             ? replicated->as_object().if_contains("Replicas")
                             : nullptr;
  return replicas && replicas->is_int64() ? replicas->as_int64() : 0;
}

std::set<std::string> split_hosts(const std::string& text) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    if (end > start) {
      out.insert(text.substr(start, end - start));
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

std::string joined(const std::set<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ",") + item;
  }
  return out;
}

}  // namespace

struct InvariantMonitor::State {
  SimulatedCluster* cluster = nullptr;
  InvariantProbes probes;
  mutable std::mutex mutex;
  std::size_t checks = 0;
  std::vector<InvariantViolation> violations;
  // Quorum: the raft members when quorum last held, and whether the loss is already reported.
  std::set<std::string> members_with_quorum;
  bool quorum_loss_reported = false;
  std::size_t losses_seen = 0;
  std::set<std::string> records_reported;  // "service@host"
  // Couchbase node tasks running at the previous check, taken while a rebalance ran.
  std::set<std::string> couchbase_tasks_in_rebalance;
  bool rebalance_was_running = false;
  std::set<std::string> rabbits_seen_running;
  bool rabbits_down_reported = false;

  void add(UnixNanos now, std::string invariant, std::string detail) {
    violations.push_back({std::move(invariant), std::move(detail), now});
  }
  void check();
};

void InvariantMonitor::State::check() {
  std::lock_guard lock(mutex);
  auto& world = cluster->world();
  const UnixNanos now = world.clock().now();
  ++checks;
  const auto nodes = world.nodes();
  const auto services = world.services();
  const auto tasks = world.tasks();
  std::map<std::string, std::string> host_of_node;
  for (const auto& node : nodes) {
    host_of_node[node.id] = node.hostname;
  }
  // A host a test broke: its engine is dead or it is cut off.
  const auto faulted = [&](const std::string& hostname) {
    const auto host = world.host(hostname);
    return host && (!host->engine_up || host->partitioned);
  };

  // Swarm quorum, lost by a change of raft membership (not by a fault alone).
  std::set<std::string> members;
  std::size_t reachable = 0;
  for (const auto& node : nodes) {
    if (node.raft_member) {
      members.insert(node.hostname);
      reachable += node.reachability == "reachable" ? 1 : 0;
    }
  }
  const bool quorum = !members.empty() && reachable > members.size() / 2;
  if (quorum) {
    members_with_quorum = members;
    quorum_loss_reported = false;
  } else if (members != members_with_quorum && !quorum_loss_reported) {
    add(now, "quorum",
        "quorum lost after the managers changed from " + joined(members_with_quorum) + " to " +
            joined(members) + " (" + std::to_string(reachable) + " reachable)");
    quorum_loss_reported = true;
  }

  // No data lost: every start of a stateful task away from its data is in the world's record.
  const auto losses = world.data_losses();
  for (std::size_t i = losses_seen; i < losses.size(); ++i) {
    const auto& loss = losses[i];
    add(loss.time, "data-loss",
        loss.store + " " + loss.service + ": data on " + loss.data_host + ", started on " +
            loss.started_on + (loss.lost ? " (data lost)" : " (came up empty)"));
  }
  losses_seen = losses.size();

  // The operator's record of where a service's data is agrees with where it is.
  for (const auto& service : services) {
    const auto recorded = label_of(service, kDataNodeLabel);
    if (recorded.empty()) {
      continue;
    }
    const auto name = name_of(service);
    const auto data = world.data_of(name);
    if (!data || data->current_host.empty() || split_hosts(recorded).contains(data->current_host)) {
      continue;
    }
    if (records_reported.insert(name + "@" + data->current_host).second) {
      add(now, "data-record",
          name + ": recorded on " + recorded + ", its data is on " + data->current_host);
    }
  }

  // While Couchbase moves data (a rebalance, a graceful failover), no node of it is stopped
  // on a healthy host.
  const bool rebalancing = probes.couchbase_topology_change && probes.couchbase_topology_change();
  struct Placed {
    std::string service;
    std::string host;
  };
  std::set<std::string> couchbase_running;
  std::map<std::string, Placed> couchbase_tasks;  // by task ID
  for (const auto& service : services) {
    if (image_of(service).find(probes.couchbase_image) == std::string::npos) {
      continue;
    }
    for (const auto& task : tasks) {
      if (task.service_id == service.id) {
        couchbase_tasks[task.id] = {name_of(service), host_of_node[task.node_id]};
        if (task.state == "running") {
          couchbase_running.insert(task.id);
        }
      }
    }
  }
  if (rebalancing && rebalance_was_running) {
    for (const auto& task : couchbase_tasks_in_rebalance) {
      const auto placed = couchbase_tasks.find(task);
      const bool known = placed != couchbase_tasks.end();
      if (!couchbase_running.contains(task) && !(known && faulted(placed->second.host))) {
        add(now, "rebalance-alone",
            (known ? placed->second.service + " on " + placed->second.host : task) +
                ": stopped while Couchbase was moving data");
      }
    }
  }
  rebalance_was_running = rebalancing;
  couchbase_tasks_in_rebalance = rebalancing ? couchbase_running : std::set<std::string>{};

  // Never two RabbitMQ nodes down at once but for a fault: a node is down when its service
  // wants a task, has run one before, and runs none on a healthy host now.
  std::set<std::string> rabbits_down;
  for (const auto& service : services) {
    if (image_of(service).find(probes.rabbit_image) == std::string::npos ||
        wanted_replicas(service) < 1) {
      continue;
    }
    const auto name = name_of(service);
    bool running = false;
    bool on_faulted_host = false;
    for (const auto& task : tasks) {
      if (task.service_id != service.id) {
        continue;
      }
      running = running || task.state == "running";
      on_faulted_host =
          on_faulted_host || (!task.node_id.empty() && faulted(host_of_node[task.node_id]));
    }
    if (running) {
      rabbits_seen_running.insert(name);
    } else if (rabbits_seen_running.contains(name) && !on_faulted_host) {
      rabbits_down.insert(name);
    }
  }
  if (rabbits_down.size() < 2) {
    rabbits_down_reported = false;
  } else if (!rabbits_down_reported) {
    add(now, "rabbit-nodes-down", "RabbitMQ nodes down together: " + joined(rabbits_down));
    rabbits_down_reported = true;
  }
}

InvariantMonitor::InvariantMonitor(SimulatedCluster& cluster, InvariantProbes probes)
    : cluster_(cluster), state_(std::make_shared<State>()) {
  state_->cluster = &cluster;
  state_->probes = std::move(probes);
  state_->check();
  // The cluster may call from an engine's thread while this monitor goes away: hold it weakly.
  std::weak_ptr<State> weak = state_;
  handle_ = cluster.observe_changes([weak] {
    if (auto state = weak.lock()) {
      state->check();
    }
  });
}

InvariantMonitor::~InvariantMonitor() {
  cluster_.stop_observing(handle_);
}

void InvariantMonitor::set_couchbase_probe(std::function<bool()> topology_change) {
  std::lock_guard lock(state_->mutex);
  state_->probes.couchbase_topology_change = std::move(topology_change);
}

void InvariantMonitor::check() {
  state_->check();
}

std::size_t InvariantMonitor::checks() const {
  std::lock_guard lock(state_->mutex);
  return state_->checks;
}

std::vector<InvariantViolation> InvariantMonitor::violations() const {
  std::lock_guard lock(state_->mutex);
  return state_->violations;
}

std::string InvariantMonitor::report() const {
  std::string out;
  for (const auto& violation : violations()) {
    out += violation.invariant + ": " + violation.detail + "\n";
  }
  return out;
}

}  // namespace swarmop::sim
