// Rebalance and the other rebalance-type task (graceful failover): validation, the membership
// changes at start and end, progress over simulated time, failure and stop. Reference §4.4-4.8.
#include <algorithm>
#include <boost/json.hpp>

#include "cb_model.hpp"

namespace swarmop::sim::couchbase {

namespace json = boost::json;

namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

Reply flag(const char* name) {
  return Reply::json(400, json::object{{name, 1}});
}

std::string task_name(const std::string& subtype) {
  return subtype == "gracefulFailover" ? "Graceful failover" : "Rebalance";
}

}  // namespace

Reply ClusterModel::rebalance(const Form& form, UnixNanos now) {
  const auto known = split_list(value(form, "knownNodes").value_or(""));
  const auto ejected = split_list(value(form, "ejectedNodes").value_or(""));
  if (known.empty()) {
    return flag("empty_known_nodes");
  }
  std::vector<std::string> current;
  for (const auto* node : members()) {
    current.push_back(node->otp_node());
  }
  auto known_sorted = known;
  std::sort(known_sorted.begin(), known_sorted.end());
  std::sort(current.begin(), current.end());
  const bool ejected_known = std::all_of(ejected.begin(), ejected.end(),
                                         [&](const auto& name) { return contains(known, name); });
  if (known_sorted != current || !ejected_known) {
    return flag("mismatch");
  }
  if (rebalance_running()) {
    return Reply::empty();  // already in progress: nothing new starts
  }
  std::vector<std::string> keep;
  std::vector<std::string> failed;
  for (const auto& name : known) {
    const NodeState* node = member(name);
    if (node->membership == "inactiveFailed") {
      failed.push_back(name);  // failed-over nodes leave even when not listed as ejected
    } else if (!contains(ejected, name)) {
      keep.push_back(name);
    }
  }
  if (keep.empty()) {
    return Reply::text(400, "No active nodes left");
  }
  if (std::none_of(keep.begin(), keep.end(),
                   [&](const auto& name) { return member(name)->has_service("kv"); })) {
    return flag("noKVNodesLeft");
  }
  for (const auto& name : keep) {
    const NodeState* node = member(name);
    if (node->recovery_type != "delta") {
      continue;
    }
    for (const auto& b : buckets_) {
      const auto was = node->replicas_at_failover.find(b.name);
      if (was == node->replicas_at_failover.end() || was->second != b.replica_number) {
        return flag("deltaRecoveryNotPossible");
      }
    }
  }
  std::vector<std::string> eject;
  for (const auto& name : ejected) {
    if (!contains(failed, name)) {
      eject.push_back(name);
    }
  }
  start_rebalance(std::move(keep), std::move(eject), std::move(failed), now);
  return Reply::json(200, json::object{{"rebalance_id", task_->id}});
}

void ClusterModel::start_rebalance(std::vector<std::string> keep, std::vector<std::string> eject,
                                   std::vector<std::string> failed, UnixNanos now) {
  last_error_.clear();
  TopologyTask task;
  task.subtype = "rebalance";
  task.id = random_hex(32);
  task.started = now;
  task.due = now + to_nanos(options_.rebalance_duration);
  // Before any data moves: recovery types reset, every kept node active, failed nodes gone.
  for (const auto& name : failed) {
    remove_member(*member(name));
  }
  bool index_warming = false;
  for (const auto& name : keep) {
    NodeState* node = member(name);
    if (node->membership == "inactiveAdded" && node->recovery_type == "delta") {
      task.delta.push_back(name);
    }
    node->membership = "active";
    node->recovery_type = "none";
    index_warming = index_warming || indexes_warming(*node, now);
  }
  const UnixNanos length = task.due - task.started;
  if (next_rebalance_failure_) {
    task.fail_at = now + length / 2;
    task.fail_reason = *next_rebalance_failure_;
    next_rebalance_failure_.reset();
  } else if (index_warming) {
    // The manual's known issue: the index service cannot be rebalanced while it warms up.
    task.fail_at = now + length / 10;
    task.fail_reason =
        "{service_rebalance_failed,index,{linked_process_died,<12807.821.0>,{no_connection,"
        "\"index-service_api\"}}}";
  }
  task.keep = std::move(keep);
  task.eject = std::move(eject);
  task.failed = std::move(failed);
  task_ = std::move(task);
  count("rebalance_start");
  log("info", "ns_orchestrator",
      "Starting rebalance, KeepNodes = " + json::serialize(json::value_from(task_->keep)) +
          ", EjectNodes = " + json::serialize(json::value_from(task_->eject)) +
          ", Failed over and being ejected nodes = " +
          json::serialize(json::value_from(task_->failed)) + "; Operation Id = " + task_->id,
      now);
}

void ClusterModel::advance_task(UnixNanos now) {
  if (!task_) {
    return;
  }
  const auto& task = *task_;
  std::vector<std::string> participants = task.keep;
  participants.insert(participants.end(), task.eject.begin(), task.eject.end());
  participants.insert(participants.end(), task.failover_nodes.begin(), task.failover_nodes.end());
  std::vector<std::string> not_ready;
  for (const auto& name : participants) {
    const NodeState* node = member(name);
    if (node == nullptr || !node->reachable() || !node->provisioned) {
      not_ready.push_back(name);
    }
  }
  if (!not_ready.empty()) {
    fail_task("{not_all_nodes_are_ready_yet," + json::serialize(json::value_from(not_ready)) + "}",
              now);
  } else if (task.fail_at && now >= *task.fail_at) {
    const std::string reason = task.fail_reason;  // fail_task ends the task it belongs to
    fail_task(reason, now);
  } else if (now >= task.due) {
    finish_task(now);
  }
}

void ClusterModel::finish_task(UnixNanos now) {
  const TopologyTask task = std::move(*task_);
  task_.reset();
  if (task.subtype == "gracefulFailover") {
    for (const auto& name : task.failover_nodes) {
      if (NodeState* node = member(name)) {
        fail_over_now(*node, "Graceful failover.", now);
      }
    }
    count("graceful_failover_success");
    log("info", "ns_orchestrator", "Graceful failover completed successfully.", now);
    return;
  }
  for (const auto& name : task.eject) {
    if (NodeState* node = member(name)) {
      remove_member(*node);
    }
  }
  const auto servers = active_kv_nodes();
  for (auto& b : buckets_) {
    b.servers = servers;
    b.chain_length = b.replica_number + 1;
    b.copies = std::min(b.chain_length, static_cast<int>(servers.size()));
  }
  for (auto& node : nodes_) {
    if (node.member && node.membership == "active" && node.has_service("index")) {
      node.hosts_indexes = true;
    }
  }
  auto_failover_.count = 0;
  count("rebalance_success");
  log("info", "ns_orchestrator",
      "Rebalance completed successfully.\nRebalance Operation Id = " + task.id, now);
}

void ClusterModel::fail_task(const std::string& reason, UnixNanos now) {
  const TopologyTask task = std::move(*task_);
  task_.reset();
  const std::string name = task_name(task.subtype);
  last_error_ = name + " failed. See logs for detailed reason. You can try again.";
  count(task.subtype == "gracefulFailover" ? "graceful_failover_fail" : "rebalance_fail");
  log("critical", "ns_orchestrator",
      name + " exited with reason " + reason + ".\nRebalance Operation Id = " + task.id, now);
}

Reply ClusterModel::stop_rebalance(UnixNanos now) {
  if (task_) {
    const std::string name = task_name(task_->subtype);
    count(task_->subtype == "gracefulFailover" ? "graceful_failover_stop" : "rebalance_stop");
    task_.reset();
    // Membership changes already made stay; a user stop leaves no errorMessage.
    last_error_.clear();
    log("info", "ns_orchestrator", name + " stopped by user.", now);
  }
  return Reply::empty();
}

}  // namespace swarmop::sim::couchbase
