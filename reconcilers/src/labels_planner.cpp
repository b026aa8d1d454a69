#include "swarmop/reconcilers/labels_planner.hpp"

#include <algorithm>
#include <set>

#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/reconcilers/data_homes.hpp"

namespace swarmop::reconcilers {

namespace {

namespace edit = clients::spec_edit;

std::set<std::string> managed_keys(const clients::DockerNode& node) {
  std::set<std::string> out;
  auto it = node.labels.find(kManagedLabelsKey);
  if (it == node.labels.end()) {
    return out;
  }
  std::string key;
  for (char c : it->second + ",") {
    if (c == ',') {
      if (!key.empty()) {
        out.insert(key);
      }
      key.clear();
    } else {
      key += c;
    }
  }
  return out;
}

std::string managed_value(const std::set<std::string>& keys) {
  return join_text(std::vector<std::string>(keys.begin(), keys.end()), ",");
}

std::vector<std::string> constraint_texts(const std::vector<model::Constraint>& constraints) {
  std::vector<std::string> out;
  for (const auto& c : constraints) {
    out.push_back(c.to_string());
  }
  return out;
}

class LabelsPlanner {
 public:
  LabelsPlanner(const model::DesiredState& desired, const SwarmObservation& observed)
      : desired_(desired),
        observed_(observed),
        nodes_(observed.nodes),
        services_(observed.services) {
    plan_.reconciler = kLabels;
  }

  SwarmPlan run() {
    record_data_homes();
    plan_label_additions();
    plan_placement_rules();
    plan_label_removals();
    return std::move(plan_);
  }

 private:
  model::StepDescription describe(std::string action, std::string kind, std::string object,
                                  std::string reason) const {
    return describe_step(kLabels, std::move(action), std::move(kind), std::move(object),
                         std::move(reason));
  }

  clients::DockerNode* node_for(const model::NodeSpec& spec) {
    const clients::DockerNode* found = index_.find(spec.hostname);
    if (found == nullptr || found->id.empty()) {
      return nullptr;
    }
    return &nodes_[static_cast<std::size_t>(found - nodes_.data())];
  }

  // Phase 0: where each stateful service keeps its data, recorded on the service the first
  // time the evidence is unambiguous (its tasks have only ever run on one node, and one runs
  // there now), so the answer survives Swarm trimming its task history. A service label: Swarm
  // restarts no task for it. Ambiguous evidence is reported; the admission check then blocks
  // whatever would move the service until a person records the node.
  void record_data_homes() {
    for (const auto& [name, home] : find_data_homes(desired_, observed_)) {
      if (home.recorded) {
        continue;
      }
      if (!home.ambiguous.empty()) {
        plan_.findings.push_back(
            {kLabels, model::FindingLevel::kWarning, "DataNodeUnknown", name,
             name + " has run on " + join_text(home.ambiguous) +
                 " and no node is recorded as holding its data (" + home.mounts_text() +
                 "); nothing that would move it is allowed until one is: set `dataNode` for it "
                 "in the file (its spec.services entry, or its Couchbase or RabbitMQ node), or "
                 "docker service update --label-add " +
                 kDataNodeLabel + "=HOSTNAME " + name});
        continue;
      }
      if (home.nodes.size() != 1 || home.running_on != home.nodes) {
        continue;  // no data yet, or not running where it ran: wait for clear evidence
      }
      clients::DockerService* service = service_named(name);
      if (service == nullptr) {
        continue;
      }
      auto step = describe("record-data-node", "service", name,
                           "the node that holds its data (" + home.mounts_text() +
                               "), so that nothing moves it away from it");
      step.changes.push_back({std::string("labels.") + kDataNodeLabel, "", home.nodes.front()});
      plan_.steps.push_back(
          {std::move(step),
           ServiceUpdate{
               service->id, service->version,
               edit::with_labels(service->spec, {{kDataNodeLabel, home.nodes.front()}})}});
    }
  }

  // Phase 1: labels the file sets (added or changed), and ownership of their keys recorded.
  // Keys still to be removed stay recorded until phase 3 removes them.
  void plan_label_additions() {
    for (const auto& spec : desired_.swarm.nodes) {
      clients::DockerNode* node = node_for(spec);
      if (node == nullptr || !spec.present) {
        continue;
      }
      std::map<std::string, std::string> set;
      auto step = describe("set-labels", "node", spec.hostname, "labels the file sets");
      for (const auto& [key, value] : spec.labels) {
        auto it = node->labels.find(key);
        if (it == node->labels.end() || it->second != value) {
          set[key] = value;
          step.changes.push_back(
              {"labels." + key, it == node->labels.end() ? "" : it->second, value});
        }
      }
      std::set<std::string> owned = managed_keys(*node);
      for (const auto& [key, value] : spec.labels) {
        owned.insert(key);
      }
      const std::string owned_text = managed_value(owned);
      auto current = node->labels.find(kManagedLabelsKey);
      const std::string current_text = current == node->labels.end() ? "" : current->second;
      if (set.empty() && owned_text == current_text) {
        continue;
      }
      if (owned_text != current_text) {
        set[kManagedLabelsKey] = owned_text;
        step.changes.push_back(
            {std::string("labels.") + kManagedLabelsKey, current_text, owned_text});
      }
      if (step.changes.size() == 1 && set.count(kManagedLabelsKey) > 0) {
        step.reason = "record the label keys this operator owns on the node";
      }
      plan_.steps.push_back({std::move(step), NodeUpdate{node->id, node->hostname, node->version,
                                                         edit::with_labels(node->spec, set)}});
      for (const auto& [key, value] : set) {
        node->labels[key] = value;
      }
    }
  }

  // Phase 2: constraints and spread preferences of the services the file manages.
  void plan_placement_rules() {
    for (const auto& [name, spec] : desired_.services) {
      if (!spec.constraints && !spec.spread_preferences) {
        continue;
      }
      const std::string full_name = stack_service_name(desired_, name);
      clients::DockerService* service = service_named(full_name);
      if (service == nullptr) {
        continue;  // reported by the placement reconciler
      }
      boost::json::object new_spec = service->spec;
      auto step = describe("set-placement", "service", full_name, "placement the file sets");
      if (spec.constraints) {
        std::vector<std::string> unparsed;
        const auto current = parse_constraints(service->constraints, &unparsed);
        const bool same = unparsed.empty() && same_set(current, *spec.constraints);
        if (!same) {
          const auto wanted = constraint_texts(*spec.constraints);
          step.changes.push_back(
              {"constraints", join_text(service->constraints, " && "), join_text(wanted, " && ")});
          if (auto reason = unsatisfiable(*spec.constraints)) {
            plan_.blocked.push_back({std::move(step), *reason});
            continue;
          }
          new_spec = edit::with_constraints(new_spec, wanted);
        }
      }
      if (spec.spread_preferences && *spec.spread_preferences != service->spread_preferences) {
        step.changes.push_back({"preferences", join_text(service->spread_preferences),
                                join_text(*spec.spread_preferences)});
        new_spec = edit::with_spread_preferences(new_spec, *spec.spread_preferences);
      }
      if (step.changes.empty()) {
        continue;
      }
      plan_.steps.push_back(
          {std::move(step), ServiceUpdate{service->id, service->version, new_spec}});
      if (spec.constraints) {
        service->constraints = constraint_texts(*spec.constraints);
      }
      if (spec.spread_preferences) {
        service->spread_preferences = *spec.spread_preferences;
      }
    }
  }

  // Phase 3: owned keys the file no longer sets, once no constraint needs them on that node.
  void plan_label_removals() {
    for (const auto& spec : desired_.swarm.nodes) {
      clients::DockerNode* node = node_for(spec);
      if (node == nullptr || !spec.present) {
        continue;
      }
      std::vector<std::string> remove;
      std::set<std::string> owned = managed_keys(*node);
      auto step = describe("remove-labels", "node", spec.hostname,
                           "owned label keys the file no longer sets");
      for (const auto& key : owned) {
        if (spec.labels.count(key) == 0) {
          if (auto it = node->labels.find(key); it != node->labels.end()) {
            remove.push_back(key);
            step.changes.push_back({"labels." + key, it->second, ""});
          }
        }
      }
      std::set<std::string> wanted_owned;
      for (const auto& [key, value] : spec.labels) {
        wanted_owned.insert(key);
      }
      if (remove.empty() && owned == wanted_owned) {
        continue;
      }
      std::map<std::string, std::string> set{{kManagedLabelsKey, managed_value(wanted_owned)}};
      step.changes.push_back({std::string("labels.") + kManagedLabelsKey, managed_value(owned),
                              managed_value(wanted_owned)});
      if (auto users = services_needing(*node, remove); !users.empty()) {
        plan_.blocked.push_back(
            {std::move(step), "removing " + join_text(remove) + " from " + spec.hostname +
                                  " would stop tasks of " + join_text(users) +
                                  ", whose constraints still need it (not managed by this file)"});
        continue;
      }
      plan_.steps.push_back(
          {std::move(step), NodeUpdate{node->id, node->hostname, node->version,
                                       edit::with_labels(node->spec, set, remove)}});
    }
  }

  clients::DockerService* service_named(const std::string& full_name) {
    for (auto& service : services_) {
      if (service.name == full_name) {
        return &service;
      }
    }
    return nullptr;
  }

  static bool same_set(const std::vector<model::Constraint>& a,
                       const std::vector<model::Constraint>& b) {
    auto contains = [](const std::vector<model::Constraint>& list, const model::Constraint& c) {
      return std::find(list.begin(), list.end(), c) != list.end();
    };
    return std::all_of(a.begin(), a.end(), [&](auto& c) { return contains(b, c); }) &&
           std::all_of(b.begin(), b.end(), [&](auto& c) { return contains(a, c); });
  }

  //! Why no Ready, active node (with the labels planned so far) satisfies the constraints.
  std::optional<std::string> unsatisfiable(const std::vector<model::Constraint>& constraints) {
    std::vector<std::string> seen;
    for (const auto& node : nodes_) {
      if (node.state != "ready" || node.availability != "active") {
        continue;
      }
      if (meets_all(constraints, attributes_of(node))) {
        return std::nullopt;
      }
      auto labels = node.labels;
      labels.erase(kManagedLabelsKey);
      seen.push_back(node.hostname + " (" + node.role + ": " + labels_text(labels) + ")");
    }
    return "no Ready, active node satisfies " + join_text(constraint_texts(constraints), " && ") +
           ", so every task would stay pending; nodes: " +
           (seen.empty() ? std::string("none Ready and active") : join_text(seen, "; "));
  }

  //! Services whose running tasks on this node would be rejected without these labels.
  std::vector<std::string> services_needing(const clients::DockerNode& node,
                                            const std::vector<std::string>& removed) {
    std::vector<std::string> out;
    if (removed.empty()) {
      return out;
    }
    model::NodeAttributes before = attributes_of(node);
    model::NodeAttributes after = before;
    for (const auto& key : removed) {
      after.labels.erase(key);
    }
    const auto running_here = [&](const clients::DockerService& service) {
      auto counts = running_tasks_by_node(observed_, service.id);
      return counts.count(node.id) > 0;
    };
    for (const auto& service : services_) {
      const auto constraints = parse_constraints(service.constraints);
      if (meets_all(constraints, before) && !meets_all(constraints, after) &&
          running_here(service)) {
        out.push_back(service.name);
      }
    }
    return out;
  }

  const model::DesiredState& desired_;
  const SwarmObservation& observed_;
  std::vector<clients::DockerNode> nodes_;  //!< with the label steps so far applied
  NodeIndex index_{nodes_};
  std::vector<clients::DockerService> services_;  //!< with the placement steps so far applied
  SwarmPlan plan_;
};

}  // namespace

SwarmPlan plan_labels(const model::DesiredState& desired, const SwarmObservation& observed) {
  return LabelsPlanner(desired, observed).run();
}

}  // namespace swarmop::reconcilers
