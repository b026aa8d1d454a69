// SwarmWorld: the orchestrator (tasks for each slot or node) and the scheduler (a node for
// each pending task), following swarmkit's filter pipeline so that pending tasks carry the
// engine's exact "no suitable node (...)" explanation.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "service_spec.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

namespace json = boost::json;

namespace {

bool active(const Task& task) {
  return task.desired_state == "running";
}

//! swarmkit's filters, in their pipeline order; Explain() lists them by failure count,
//! highest first, keeping this order between equal counts.
enum FilterKind { kReady, kConstraint, kMaxReplicas, kFilterCount };

std::string explain(const std::array<std::size_t, kFilterCount>& failures) {
  const auto plural = [](std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + (n == 1 ? one : many);
  };
  std::array<FilterKind, kFilterCount> order{kReady, kConstraint, kMaxReplicas};
  std::stable_sort(order.begin(), order.end(),
                   [&](FilterKind a, FilterKind b) { return failures[a] > failures[b]; });
  std::string text;
  for (const FilterKind kind : order) {
    const std::size_t n = failures[kind];
    if (n == 0) {
      continue;
    }
    if (!text.empty()) {
      text += "; ";
    }
    switch (kind) {
      case kReady:
        text +=
            plural(n, " node not available for new tasks", " nodes not available for new tasks");
        break;
      case kConstraint:
        text += "scheduling constraints not satisfied on " + plural(n, " node", " nodes");
        break;
      default:
        text += "max replicas per node limit exceed";
        break;
    }
  }
  return text.empty() ? "no suitable node" : "no suitable node (" + text + ")";
}

}  // namespace

bool SwarmWorld::node_meets_constraints(const Service& service, const Node& node) const {
  model::NodeAttributes attributes;
  attributes.id = node.id;
  attributes.hostname = node.hostname;
  attributes.role = node.role;
  attributes.platform_os = "linux";
  attributes.platform_arch = "x86_64";
  attributes.labels = node.labels;
  for (const auto& constraint : service_spec::constraints(service.spec)) {
    if (model::evaluate(constraint, attributes) != model::Match::kYes) {
      return false;
    }
  }
  return true;
}

Task& SwarmWorld::new_task(Service& service, std::uint64_t slot, const std::string& node_id) {
  Task task;
  task.id = new_id();
  task.created_at = now();
  task.updated_at = task.created_at;
  task.status_time = task.created_at;
  task.service_id = service.id;
  task.slot = slot;
  task.node_id = node_id;
  task.global_task = service_spec::is_global(service.spec);
  if (const auto* tmpl = service_spec::task_template(service.spec)) {
    task.spec = *tmpl;
    task.spec.erase("Runtime");  // tasks carry the template without the runtime field
  }
  task.version = bump();
  tasks_.push_back(std::move(task));
  return tasks_.back();
}

void SwarmWorld::start_task(Task& task, const Node& node) {
  // The real agent goes assigned -> preparing -> starting -> running in a fraction of a
  // second; the simulator reports running at once.
  task.node_id = node.id;
  task.state = "running";
  task.message = "started";
  task.err.clear();
  task.container_id = random_hex(64);
  task.pid = std::uniform_int_distribution<std::int64_t>(1000, 60000)(random_);
  place_data(task, node.hostname);
  task.status_time = now();
  task.updated_at = now();
  task.version = bump();
}

void SwarmWorld::stop_task(Task& task, const std::string& state, const std::string& message) {
  task.desired_state = "shutdown";
  task.state = state;
  task.message = message;
  task.status_time = now();
  task.updated_at = now();
  task.version = bump();
}

void SwarmWorld::reconcile_all() {
  std::vector<std::string> ids;
  for (const auto& [id, service] : services_) {
    ids.push_back(id);
  }
  for (const auto& id : ids) {
    if (auto it = services_.find(id); it != services_.end()) {
      reconcile_service(it->second);
    }
  }
}

void SwarmWorld::reconcile_service(Service& service) {
  if (service_spec::is_global(service.spec)) {
    reconcile_global(service);
  } else {
    reconcile_replicated(service);
    place_pending(service);
  }
  check_rollout_progress(service);
  trim_history(service);
}

void SwarmWorld::reconcile_replicated(Service& service) {
  // Tasks on drained or removed nodes are stopped; their slots are refilled below.
  for (auto& task : tasks_) {
    if (task.service_id != service.id || !active(task) || task.node_id.empty()) {
      continue;
    }
    const auto node = nodes_.find(task.node_id);
    if (node == nodes_.end()) {
      task.desired_state = "shutdown";
      task.version = bump();
    } else if (node->second.availability == "drain") {
      stop_task(task, "shutdown", "shutdown");
    }
  }
  const std::uint64_t wanted = service_spec::replicas(service.spec);
  std::set<std::uint64_t> used;
  std::vector<Task*> running;
  for (auto& task : tasks_) {
    if (task.service_id == service.id && active(task)) {
      used.insert(task.slot);
      running.push_back(&task);
    }
  }
  for (const auto& [slot, until] : service.slot_blocked_until) {
    if (until > now()) {
      used.insert(slot);  // a stopping or restarting slot counts as filled
    }
  }
  std::erase_if(service.slot_blocked_until,
                [&](const auto& entry) { return entry.second <= now(); });
  // Scale down: pending tasks first, then the nodes with the most tasks of the service.
  if (running.size() > wanted) {
    std::map<std::string, int> per_node;
    for (const Task* task : running) {
      ++per_node[task->node_id];
    }
    std::sort(running.begin(), running.end(), [&](const Task* a, const Task* b) {
      if (a->node_id.empty() != b->node_id.empty()) {
        return a->node_id.empty();
      }
      if (per_node[a->node_id] != per_node[b->node_id]) {
        return per_node[a->node_id] > per_node[b->node_id];
      }
      return a->slot > b->slot;
    });
    for (std::size_t i = 0; i < running.size() - wanted; ++i) {
      stop_task(*running[i], "shutdown", "shutdown");
    }
    return;
  }
  // Scale up, or refill slots whose task stopped: the lowest free slot numbers first.
  std::size_t missing = wanted - std::min<std::size_t>(wanted, used.size());
  for (std::uint64_t slot = 1; missing > 0; ++slot) {
    if (!used.contains(slot)) {
      new_task(service, slot, "");
      --missing;
    }
  }
}

void SwarmWorld::reconcile_global(Service& service) {
  std::set<std::string> covered;
  for (auto& task : tasks_) {
    if (task.service_id != service.id || !active(task)) {
      continue;
    }
    const auto node = nodes_.find(task.node_id);
    if (node == nodes_.end() || node->second.availability == "drain" ||
        !node_meets_constraints(service, node->second)) {
      stop_task(task, "shutdown", "shutdown");
      continue;
    }
    covered.insert(task.node_id);
  }
  for (const auto& [id, node] : nodes_) {
    if (covered.contains(id) || node.state != "ready" || node.availability != "active" ||
        !node_meets_constraints(service, node)) {
      continue;
    }
    if (auto blocked = service.slot_blocked_until.find(0);
        blocked != service.slot_blocked_until.end() && blocked->second > now()) {
      continue;
    }
    Task& task = new_task(service, 0, id);
    start_task(task, node);
  }
}

void SwarmWorld::place_pending(Service& service) {
  std::vector<Task*> pending;
  std::map<std::string, std::size_t> service_tasks;  // per node
  std::map<std::string, std::size_t> all_tasks;      // per node, every service
  for (auto& task : tasks_) {
    if (!active(task)) {
      continue;
    }
    if (task.node_id.empty()) {
      if (task.service_id == service.id) {
        pending.push_back(&task);
      }
      continue;
    }
    ++all_tasks[task.node_id];
    if (task.service_id == service.id) {
      ++service_tasks[task.node_id];
    }
  }
  if (pending.empty()) {
    return;
  }
  std::sort(pending.begin(), pending.end(),
            [](const Task* a, const Task* b) { return a->slot < b->slot; });
  const std::uint64_t max_per_node = service_spec::max_replicas(service.spec);
  std::array<std::size_t, kFilterCount> failures{};
  std::vector<const Node*> eligible;
  for (const auto& [id, node] : nodes_) {
    if (node.state != "ready" || node.availability != "active") {
      ++failures[kReady];
    } else if (!node_meets_constraints(service, node)) {
      ++failures[kConstraint];
    } else if (max_per_node > 0 && service_tasks[id] >= max_per_node) {
      ++failures[kMaxReplicas];
    } else {
      eligible.push_back(&node);
    }
  }
  const auto spread_labels = service_spec::spread_labels(service.spec);
  const auto spread_value = [&](const Node* node) {
    std::string key;
    for (const auto& label : spread_labels) {
      const auto it = node->labels.find(label);
      key += (it != node->labels.end() ? "=" + it->second : "#") + "\n";
    }
    return key;
  };
  for (Task* task : pending) {
    if (eligible.empty()) {
      const std::string err = explain(failures);
      if (task->err != err) {
        task->err = err;
        task->status_time = now();
        task->version = bump();
      }
      continue;
    }
    // Spread preferences first (fewest tasks in the label value's group), then fewest tasks of
    // this service, then fewest tasks overall.
    std::map<std::string, std::size_t> per_group;
    for (const auto& [node_id, count] : service_tasks) {
      if (auto it = nodes_.find(node_id); it != nodes_.end()) {
        per_group[spread_value(&it->second)] += count;
      }
    }
    const auto best = std::min_element(eligible.begin(), eligible.end(), [&](auto* a, auto* b) {
      const auto ga = per_group[spread_value(a)];
      const auto gb = per_group[spread_value(b)];
      if (ga != gb) {
        return ga < gb;
      }
      if (service_tasks[a->id] != service_tasks[b->id]) {
        return service_tasks[a->id] < service_tasks[b->id];
      }
      return all_tasks[a->id] < all_tasks[b->id];
    });
    const Node* node = *best;
    start_task(*task, *node);
    ++service_tasks[node->id];
    ++all_tasks[node->id];
    if (max_per_node > 0 && service_tasks[node->id] >= max_per_node) {
      eligible.erase(best);
      ++failures[kMaxReplicas];
    }
  }
}

void SwarmWorld::enforce_constraints(const Node& node) {
  for (auto& task : tasks_) {
    if (task.node_id != node.id || !active(task)) {
      continue;
    }
    auto service = services_.find(task.service_id);
    if (service == services_.end() || node_meets_constraints(service->second, node)) {
      continue;
    }
    stop_task(task, "rejected", "task rejected by constraint enforcer");
    task.err = "assigned node no longer meets constraints";
    // The restart supervisor waits RestartPolicy.Delay before the replacement appears.
    const UnixNanos restart_at = now() + service_spec::restart_delay(service->second.spec);
    service->second.slot_blocked_until[task.slot] = restart_at;
    at(restart_at, [this, id = service->first] {
      if (auto it = services_.find(id); it != services_.end()) {
        reconcile_service(it->second);
      }
    });
  }
}

void SwarmWorld::trim_history(const Service& service) {
  // TaskHistoryRetentionLimit 5: the newest five tasks of each slot (or node) stay listed.
  std::map<std::string, std::vector<std::size_t>> by_key;
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    const Task& task = tasks_[i];
    if (task.service_id == service.id) {
      by_key[task.global_task ? task.node_id : std::to_string(task.slot)].push_back(i);
    }
  }
  std::set<std::string> doomed;
  for (auto& [key, indexes] : by_key) {
    if (indexes.size() <= 5) {
      continue;
    }
    for (std::size_t i = 0; i + 5 < indexes.size(); ++i) {
      if (!active(tasks_[indexes[i]])) {
        doomed.insert(tasks_[indexes[i]].id);
      }
    }
  }
  std::erase_if(tasks_, [&](const Task& task) { return doomed.contains(task.id); });
}

}  // namespace swarmop::sim
