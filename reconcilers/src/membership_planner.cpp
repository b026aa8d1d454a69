#include "swarmop/reconcilers/membership_planner.hpp"

#include <algorithm>

#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/reconcilers/quorum.hpp"

namespace swarmop::reconcilers {

namespace {

namespace edit = clients::spec_edit;

//! The plan under construction and the swarm as it will be after the steps so far.
class MembershipPlanner {
 public:
  MembershipPlanner(const model::DesiredState& desired, const SwarmObservation& observed)
      : desired_(desired),
        observed_(observed),
        listed_(desired),
        projected_(observed.nodes),
        index_(projected_) {
    plan_.reconciler = kMembership;
  }

  SwarmPlan run() {
    report_health();
    const QuorumCount quorum = count_quorum(projected_);
    // A manager promoted a moment ago is listed as a manager (Spec.Role) before it has joined
    // raft: for a few seconds it has no ManagerStatus, then reachability "unknown", although the
    // node is ready. Seen on a real swarm right after a promotion. The swarm is not in sync
    // until it is a reachable manager, so wait; and in a one-manager swarm (1 of 2 reachable
    // after `promote node2`) this is not a lost quorum either.
    std::vector<std::string> settling;
    for (const auto& node : projected_) {
      if (node.role == "manager" && node.state == "ready" &&
          node.manager_reachability.value_or("unknown") == "unknown") {
        settling.push_back(node.hostname);
      }
    }
    if (!settling.empty()) {
      plan_.waiting.push_back("manager(s) " + join_text(settling) +
                              " joining raft (reachability not yet known; " + quorum.text() + ")");
      // No other membership change until it has joined: raft counts it already, so with one
      // manager promoted to two, both must answer for a commit. Promoting node3 while node2 was
      // still joining stalled the real swarm's raft ("context deadline exceeded", 19 s).
      if (quorum.reachable + static_cast<int>(settling.size()) >= quorum.needed()) {
        return std::move(plan_);
      }
    }
    if (!quorum.has_quorum()) {
      // Without a leader no write can succeed, and guessing would be unsafe.
      block(describe("any", "swarm", "", "change membership"),
            "the swarm has no quorum (" + quorum.text() +
                "): restore the unreachable managers first");
      return std::move(plan_);
    }
    plan_joins();
    index_ = NodeIndex(projected_);  // joins added entries (and may have moved the vector)
    plan_promotions();
    plan_availability(/*draining=*/false);
    plan_availability(/*draining=*/true);
    plan_demotions();
    plan_leaves();
    plan_removals();
    return std::move(plan_);
  }

 private:
  model::StepDescription describe(std::string action, std::string kind, std::string object,
                                  std::string reason) const {
    return describe_step(kMembership, std::move(action), std::move(kind), std::move(object),
                         std::move(reason));
  }

  void block(model::StepDescription step, std::string reason) {
    plan_.blocked.push_back({std::move(step), std::move(reason)});
  }

  void finding(model::FindingLevel severity, std::string code, std::string object,
               std::string message) {
    plan_.findings.push_back(
        {kMembership, severity, std::move(code), std::move(object), std::move(message)});
  }

  clients::DockerNode* projected(std::string_view hostname) {
    const clients::DockerNode* found = index_.find(hostname);
    return found == nullptr ? nullptr
                            : &projected_[static_cast<std::size_t>(found - projected_.data())];
  }

  // --- status: the manual's warnings, from what is observed now ----------------------------
  void report_health() {
    const QuorumCount quorum = count_quorum(observed_.nodes);
    if (quorum.managers < 3) {
      finding(model::FindingLevel::kWarning, "FewerThanThreeManagers", "swarm",
              std::to_string(quorum.managers) +
                  " manager(s): the swarm cannot survive losing one; the manual asks for 3");
    } else if (quorum.managers % 2 == 0) {
      finding(model::FindingLevel::kWarning, "EvenManagerCount", "swarm",
              std::to_string(quorum.managers) + " managers tolerate no more failures than " +
                  std::to_string(quorum.managers - 1) + "; use an odd number");
    }
    for (const auto& node : observed_.nodes) {
      if (node.state == "down") {
        finding(model::FindingLevel::kWarning, "NodeDown", node.hostname,
                node.hostname + " is down" +
                    (node.state_message.empty() ? "" : " (" + node.state_message + ")"));
      }
      if (node.role == "manager" && node.manager_reachability.value_or("") != "reachable") {
        finding(model::FindingLevel::kWarning, "ManagerUnreachable", node.hostname,
                "manager " + node.hostname + " is " +
                    node.manager_reachability.value_or("unknown") + " (" + quorum.text() + ")");
      }
      const model::NodeSpec* listed = listed_.find(node.hostname);
      if (listed == nullptr) {
        finding(model::FindingLevel::kInfo, "NodeNotListed", node.hostname,
                node.hostname + " (" + node.role + ", " + node.state +
                    ") is in the swarm but not in the file; left alone" +
                    (desired_.swarm.prune ? (node.state == "down" ? "" : " until it is down")
                                          : " (prune is off)"));
      }
    }
  }

  // --- joins ------------------------------------------------------------------------------
  void plan_joins() {
    for (const auto& spec : desired_.swarm.nodes) {
      if (!spec.present) {
        continue;
      }
      const clients::DockerNode* node = index_.find(spec.hostname);
      if (node != nullptr && node->state != "down") {
        continue;
      }
      const std::string role(model::to_string(spec.role));
      auto step = describe("join", "node", spec.hostname,
                           node == nullptr ? "listed in the file but not in the swarm"
                                           : "its swarm entry is down and its engine is not in "
                                             "the swarm");
      step.changes.push_back({"role", "", role});
      if (!spec.engine) {
        if (node == nullptr) {
          block(std::move(step),
                "no engine endpoint in the file: join " + spec.hostname +
                    " by hand (docker swarm join) or give spec.swarm.nodes[].engine");
        }
        continue;  // a down node without an endpoint is reported as NodeDown
      }
      auto engine = observed_.engines.find(spec.hostname);
      if (engine == observed_.engines.end()) {
        block(std::move(step), "the engine at " + spec.engine->endpoint + " was not observed");
        continue;
      }
      const EngineObservation& seen = engine->second;
      if (!seen.reachable) {
        if (node == nullptr) {
          block(std::move(step),
                "its engine at " + spec.engine->endpoint + " does not answer: " + seen.error);
        }
        continue;
      }
      if (seen.local_node_state == "pending") {
        plan_.waiting.push_back(spec.hostname + " is joining the swarm");
        continue;
      }
      if (seen.local_node_state == "active") {
        if (node == nullptr) {
          // Joined a moment ago (the list lags) or belongs to another swarm: never guess.
          plan_.waiting.push_back(spec.hostname + " reports an active swarm membership (node " +
                                  seen.node_id + ") that this swarm does not list yet");
        }
        continue;
      }
      if (seen.local_node_state != "inactive") {
        block(std::move(step), "its engine reports swarm state " + seen.local_node_state +
                                   (seen.swarm_error.empty() ? "" : ": " + seen.swarm_error));
        continue;
      }
      plan_.steps.push_back({std::move(step), JoinNode{spec.hostname, role}});
      clients::DockerNode joined;
      joined.hostname = spec.hostname;
      joined.role = role;
      joined.availability = "active";
      joined.state = "ready";
      if (role == "manager") {
        joined.manager_reachability = "reachable";
      }
      projected_.push_back(std::move(joined));
    }
  }

  // --- roles -------------------------------------------------------------------------------
  void plan_promotions() {
    for (const auto& spec : desired_.swarm.nodes) {
      clients::DockerNode* node = projected(spec.hostname);
      if (!spec.present || spec.role != model::NodeRole::kManager || node == nullptr ||
          node->role == "manager" || node->id.empty()) {
        continue;
      }
      auto step = describe("promote", "node", spec.hostname,
                           "the file makes it a manager (promotions come before demotions)");
      step.changes.push_back({"role", "worker", "manager"});
      if (node->state != "ready") {
        block(std::move(step), spec.hostname + " is " + node->state +
                                   ": promoting it would add a manager that cannot vote");
        continue;
      }
      plan_.steps.push_back({std::move(step), NodeUpdate{node->id, node->hostname, node->version,
                                                         edit::with_role(node->spec, "manager")}});
      node->role = "manager";
      node->manager_reachability = "reachable";
    }
  }

  void plan_demotions() {
    std::vector<clients::DockerNode*> to_demote;
    for (auto& node : projected_) {
      if (node.role != "manager" || node.id.empty()) {
        continue;
      }
      const model::NodeSpec* spec = listed_.find(node.hostname);
      const bool listed_worker =
          spec != nullptr && spec->present && spec->role == model::NodeRole::kWorker;
      const bool leaving = spec != nullptr && !spec->present;
      const bool pruned = spec == nullptr && desired_.swarm.prune && node.state == "down";
      if (listed_worker || leaving || pruned) {
        to_demote.push_back(&node);
      }
    }
    // The leader goes last: demoting it forces an election, so every other change comes first.
    std::stable_partition(to_demote.begin(), to_demote.end(),
                          [](const clients::DockerNode* node) { return !node->leader; });
    for (clients::DockerNode* node : to_demote) {
      const model::NodeSpec* spec = listed_.find(node->hostname);
      auto step = describe("demote", "node", node->hostname,
                           spec == nullptr  ? "down, not in the file, and prune is on"
                           : !spec->present ? "present: false (demoted before it leaves)"
                                            : "the file makes it a worker");
      if (node->leader) {
        step.reason += "; it is the leader, so it goes last";
      }
      step.changes.push_back({"role", "manager", "worker"});
      QuorumCount after = count_quorum(projected_);
      after.managers -= 1;
      if (is_reachable_manager(*node)) {
        after.reachable -= 1;
      }
      if (after.managers == 0) {
        block(std::move(step), "it is the last manager; a swarm needs one");
        continue;
      }
      if (!after.has_quorum()) {
        block(std::move(step), "after demoting " + node->hostname + ", " + after.text() +
                                   ": the swarm would lose quorum");
        continue;
      }
      plan_.steps.push_back({std::move(step), NodeUpdate{node->id, node->hostname, node->version,
                                                         edit::with_role(node->spec, "worker")}});
      node->role = "worker";
      node->manager_reachability.reset();
      node->leader = false;
    }
  }

  // --- availability ------------------------------------------------------------------------
  void plan_availability(bool draining) {
    for (const auto& spec : desired_.swarm.nodes) {
      clients::DockerNode* node = projected(spec.hostname);
      if (node == nullptr || node->id.empty()) {
        continue;
      }
      // A node that leaves is drained first, so its tasks move before it goes.
      const std::string wanted =
          spec.present ? std::string(model::to_string(spec.availability)) : "drain";
      if (node->availability == wanted || (wanted == "drain") != draining) {
        continue;
      }
      auto step = describe(wanted == "active" ? "activate" : wanted, "node", spec.hostname,
                           spec.present ? "the file sets availability " + wanted
                                        : "present: false: its tasks move before it leaves");
      step.changes.push_back({"availability", node->availability, wanted});
      if (wanted != "active") {
        auto after = projected_;
        find_and_set_availability(after, node->id, wanted);
        std::vector<std::string> short_before =
            services_without_room(observed_.services, projected_);
        std::vector<std::string> newly_short;
        for (const auto& name : services_without_room(observed_.services, after)) {
          if (std::find(short_before.begin(), short_before.end(), name) == short_before.end()) {
            newly_short.push_back(name);
          }
        }
        if (!newly_short.empty()) {
          block(std::move(step), "the other active nodes could not hold every replica of " +
                                     join_text(newly_short) +
                                     " (constraints and max replicas per node): their tasks "
                                     "would go pending");
          continue;
        }
      }
      plan_.steps.push_back(
          {std::move(step), NodeUpdate{node->id, node->hostname, node->version,
                                       edit::with_availability(node->spec, wanted)}});
      node->availability = wanted;
    }
  }

  static void find_and_set_availability(std::vector<clients::DockerNode>& nodes,
                                        const std::string& id, const std::string& availability) {
    for (auto& node : nodes) {
      if (node.id == id) {
        node.availability = availability;
      }
    }
  }

  // --- leaving and removal -----------------------------------------------------------------
  void plan_leaves() {
    for (const auto& spec : desired_.swarm.nodes) {
      clients::DockerNode* node = projected(spec.hostname);
      if (spec.present || node == nullptr || node->state == "down") {
        continue;
      }
      auto step = describe("leave", "node", spec.hostname,
                           "present: false: the node leaves the swarm through its own engine");
      step.changes.push_back({"member", "yes", "no"});
      if (node->role == "manager") {
        continue;  // its demotion is planned or blocked above; it leaves after
      }
      if (node->availability != "drain") {
        continue;  // its drain is planned or blocked above
      }
      if (!spec.engine) {
        block(std::move(step), "no engine endpoint in the file: run docker swarm leave on " +
                                   spec.hostname + " by hand");
        continue;
      }
      auto engine = observed_.engines.find(spec.hostname);
      if (engine != observed_.engines.end() && engine->second.reachable &&
          engine->second.local_node_state == "inactive") {
        // It has left; its entry turns down after the heartbeat timeout.
        if (desired_.swarm.prune) {
          plan_.waiting.push_back(spec.hostname +
                                  " has left; waiting for its entry to turn down to remove it");
        }
        continue;
      }
      plan_.steps.push_back({std::move(step), LeaveSwarm{spec.hostname}});
      node->state = "down";
    }
  }

  void plan_removals() {
    for (const auto& node : projected_) {
      if (node.state != "down" || node.id.empty()) {
        continue;
      }
      const model::NodeSpec* spec = listed_.find(node.hostname);
      const clients::DockerNode* live = index_.find(node.hostname);
      const bool stale_duplicate = live != &node && live != nullptr;
      if (spec != nullptr && spec->present && !stale_duplicate) {
        continue;  // a listed node that is down is reported, never removed
      }
      auto step = describe("remove", "node", node.hostname,
                           stale_duplicate   ? "a stale down entry left by a re-join"
                           : spec == nullptr ? "down and not in the file"
                                             : "present: false and it has left");
      step.changes.push_back({"entry", node.id, ""});
      if (!desired_.swarm.prune) {
        finding(model::FindingLevel::kInfo, "PruneOff", node.hostname,
                "down entry " + node.id + " of " + node.hostname +
                    " would be removed with prune: true");
        continue;
      }
      if (node.role == "manager") {
        continue;  // demoted first (planned or blocked above)
      }
      plan_.steps.push_back({std::move(step), RemoveNode{node.id}});
    }
  }

  const model::DesiredState& desired_;
  const SwarmObservation& observed_;
  DesiredNodeIndex listed_;
  std::vector<clients::DockerNode> projected_;
  NodeIndex index_;  //!< over projected_
  SwarmPlan plan_;
};

}  // namespace

SwarmPlan plan_membership(const model::DesiredState& desired, const SwarmObservation& observed) {
  return MembershipPlanner(desired, observed).run();
}

}  // namespace swarmop::reconcilers
