// Time-driven membership changes: auto-failover of nodes down past the timeout (reference §5.4)
// and the self-join of workers started with AUTO_REBALANCE (the manual's compose file).
#include <algorithm>
#include <boost/json.hpp>

#include "cb_model.hpp"

namespace swarmop::sim::couchbase {

namespace json = boost::json;

void ClusterModel::advance_auto_failover(UnixNanos now) {
  std::set<std::string> down;
  for (const auto* node : members()) {
    if (node->membership == "active" && status(*node, now) == "unhealthy") {
      down.insert(node->otp_node());
    }
  }
  if (down != auto_failover_.down_set) {
    // "The list of nodes being down has changed": every down counter starts again.
    auto_failover_.down_set = down;
    auto_failover_.down_since = now;
  }
  if (down.empty() || !auto_failover_.enabled ||
      now - auto_failover_.down_since < auto_failover_.timeout_seconds * kSecond) {
    return;
  }
  // Majority, maximum count, service minimum, data safety: any refusal fails over nothing.
  if (!has_quorum() || auto_failover_.count >= auto_failover_.max_count) {
    return;
  }
  std::vector<NodeState*> targets;
  for (const auto& name : down) {
    if (static_cast<int>(targets.size()) < auto_failover_.max_count - auto_failover_.count) {
      targets.push_back(member(name));
    }
  }
  const auto leaving = [&](const std::string& otp) {
    return std::any_of(targets.begin(), targets.end(),
                       [&](const NodeState* t) { return t->otp_node() == otp; });
  };
  const auto all = members();
  for (const auto* target : targets) {
    for (const auto& service : target->services) {
      const bool one_left = std::any_of(all.begin(), all.end(), [&](const auto* n) {
        return n->membership == "active" && n->has_service(service) && !leaving(n->otp_node()) &&
               status(*n, now) != "unhealthy";
      });
      if (!one_left) {
        return;
      }
    }
  }
  for (const auto& b : buckets_) {
    const int lost = static_cast<int>(std::count_if(b.servers.begin(), b.servers.end(), leaving));
    if (lost > 0 && b.copies - lost < 1) {
      return;  // would lose vBuckets
    }
  }
  if (task_) {
    std::vector<std::string> names;
    for (const auto* target : targets) {
      names.push_back(target->otp_node());
    }
    log("info", "ns_orchestrator",
        "Rebalance interrupted due to auto-failover of nodes " +
            json::serialize(json::value_from(names)) + ".",
        now);
    task_.reset();
  }
  count("failover_start");
  for (auto* target : targets) {
    fail_over_now(*target, "Auto-failover.", now);
    ++auto_failover_.count;
    log("info", "auto_failover",
        "Node (" + target->otp_node() +
            ") was automatically failed over. Reason: The cluster manager did not respond.",
        now);
  }
}

void ClusterModel::advance_auto_joins(UnixNanos now) {
  for (auto& node : nodes_) {
    if (!node.auto_join_at || now < *node.auto_join_at) {
      continue;
    }
    if (node.provisioned || !node.reachable()) {
      node.auto_join_at.reset();  // joined some other way, or stopped: its next start retries
      continue;
    }
    // The container's entrypoint adds itself through the primary, then rebalances; while the
    // cluster cannot take it, it tries again ("Couchbase-worker fails to connect to master").
    const bool listed = std::any_of(nodes_.begin(), nodes_.end(),
                                    [&](const NodeState& n) { return n.member && &n == &node; });
    if (!exists_ || orchestrator().empty() || task_ || !has_quorum() || listed) {
      node.auto_join_at = now + to_nanos(options_.auto_join_delay);
      continue;
    }
    join(node, node.container_hostname, options_.node_services);
    log("info", "ns_cluster", "Node " + node.otp_node() + " joined by itself (AUTO_REBALANCE).",
        now);
    std::string known;
    for (const auto* m : members()) {
      known += (known.empty() ? "" : ",") + m->otp_node();
    }
    rebalance(Form{{"knownNodes", known}}, now);
  }
}

}  // namespace swarmop::sim::couchbase
