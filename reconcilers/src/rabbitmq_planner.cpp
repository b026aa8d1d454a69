#include "swarmop/reconcilers/rabbitmq_planner.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <regex>

#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/model/duration.hpp"
#include "swarmop/reconcilers/data_store_restart.hpp"
#include "swarmop/reconcilers/pinned_service.hpp"

namespace swarmop::reconcilers {

namespace {

namespace edit = clients::spec_edit;
namespace json = boost::json;

//! The primary's spec with the manual's changes for rabbit node `number`: its own name,
//! hostname and alias, its own data volume, pinned, and 0 replicas (started later, in turn).
json::object rabbit_node_spec(const json::object& primary, const std::string& name,
                              std::size_t number, const std::string& service) {
  auto spec = node_service_from_primary(primary, name, service, rabbit_hostname(number));
  return with_mount_source_suffix(std::move(spec), "/var/lib/rabbitmq", std::to_string(number));
}

std::string definition_text(const json::object& definition) {
  return json::serialize(definition);
}

class RabbitPlanner {
 public:
  RabbitPlanner(const model::DesiredState& desired, const SwarmObservation& swarm,
                const RabbitObservation& rabbit)
      : desired_(desired), spec_(*desired.rabbitmq), swarm_(swarm), rabbit_(rabbit) {}

  RabbitPlan run() {
    plan_services();
    if (rabbit_.unreachable) {
      if (auto restarting = data_store_restarting(swarm_, node_services())) {
        plan_.waiting.push_back(*restarting + ": the management API answers again once it runs");
        return std::move(plan_);
      }
      plan_.blocked.push_back(
          {describe("observe", "cluster", "rabbitmq",
                    "the HA policy and mirrors need the management API"),
           "no RabbitMQ management endpoint answered: " + *rabbit_.unreachable});
      return std::move(plan_);
    }
    report_cluster_health();
    if (!rabbit_.overview.has_classic_mirroring()) {
      finding(model::FindingLevel::kWarning, "ClassicMirroringRemoved", "rabbitmq",
              "RabbitMQ " + rabbit_.overview.rabbitmq_version +
                  " has no classic queue mirroring (removed in 4.0): no ha-* policy is written "
                  "and no mirror is synchronised; quorum queues are the replacement");
      return std::move(plan_);
    }
    if (spec_.nodes.size() <= 1) {
      finding(model::FindingLevel::kInfo, "SingleNode", "rabbitmq",
              "one RabbitMQ node: no HA policy is needed");
      return std::move(plan_);
    }
    const bool policy_in_sync = plan_policy();
    if (policy_in_sync && spec_.sync_mirrors) {
      plan_mirror_sync();
    }
    return std::move(plan_);
  }

 private:
  std::vector<std::string> node_services() const {
    return stack_service_names(desired_, spec_.nodes);
  }

  model::StepDescription describe(std::string action, std::string kind, std::string object,
                                  std::string reason) const {
    return describe_step(kRabbitmq, std::move(action), std::move(kind), std::move(object),
                         std::move(reason));
  }

  void finding(model::FindingLevel level, std::string code, std::string object,
               std::string message) {
    plan_.findings.push_back(
        {kRabbitmq, level, std::move(code), std::move(object), std::move(message)});
  }

  const clients::RabbitNode* cluster_node(const std::string& name) const {
    for (const auto& node : rabbit_.nodes) {
      if (node.name == name) {
        return &node;
      }
    }
    return nullptr;
  }

  // --- the rabbit node services -------------------------------------------------------------
  void plan_services() {
    if (spec_.nodes.empty()) {
      return;
    }
    const std::string primary_name = stack_service_name(desired_, spec_.nodes.front().service);
    const clients::DockerService* primary = find_service(swarm_, primary_name);
    bool previous_running = true;
    for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
      const model::PinnedService& pinned = spec_.nodes[i];
      const std::string name = stack_service_name(desired_, pinned.service);
      const clients::DockerService* service = find_service(swarm_, name);
      if (service == nullptr) {
        auto step = describe("create", "service", name,
                             "rabbit node " + std::to_string(i + 1) + " of the file: copied from " +
                                 primary_name +
                                 " with its own hostname, alias and volume, as the manual does "
                                 "by hand");
        if (primary == nullptr) {
          plan_.blocked.push_back({std::move(step), "the primary rabbit service " + primary_name +
                                                        " does not exist: deploy the stack first"});
          return;
        }
        auto spec = rabbit_node_spec(primary->spec, name, i + 1, pinned.service);
        spec = edit::with_constraints(std::move(spec), pinned_constraints({}, pinned.node));
        if (i < spec_.stop_grace_periods.size()) {
          spec = edit::with_stop_grace_period(std::move(spec), spec_.stop_grace_periods[i]);
        }
        step.changes.push_back({"hostname", "", rabbit_hostname(i + 1)});
        step.changes.push_back({"constraints", "", hostname_constraint(pinned.node)});
        step.changes.push_back({"replicas", "", "0"});
        plan_.steps.push_back({std::move(step), CreateService{std::move(spec)}});
        previous_running = false;
        continue;
      }
      std::string hostname = container_hostname(service->spec);
      if (hostname.empty()) {
        hostname = rabbit_hostname(i + 1);
      }
      const bool running = plan_service_update(*service, pinned, i, hostname, previous_running);
      previous_running = running;
    }
  }

  //! Pin, grace period and start; returns whether the node runs in the cluster.
  bool plan_service_update(const clients::DockerService& service,
                           const model::PinnedService& pinned, std::size_t index,
                           const std::string& hostname, bool previous_running) {
    json::object next = service.spec;
    auto step =
        describe("update", "service", service.name, "rabbit node " + std::to_string(index + 1));
    if (!is_pinned_to(service.constraints, pinned.node)) {
      const auto pins = pinned_constraints(service.constraints, pinned.node);
      step.changes.push_back(
          {"constraints", join_text(service.constraints, " && "), join_text(pins, " && ")});
      next = edit::with_constraints(std::move(next), pins);
      step.reason += "; pinned to " + pinned.node;
    }
    if (index < spec_.stop_grace_periods.size()) {
      const auto wanted = spec_.stop_grace_periods[index];
      auto with_grace = edit::with_stop_grace_period(next, wanted);
      if (with_grace != next) {
        step.changes.push_back({"stopGracePeriod", "", model::format_duration(wanted)});
        step.reason += "; the manual's grace periods let node 1 stop last";
        next = std::move(with_grace);
      }
    }
    // Pin and grace period live in the task template: changing them restarts the node. One
    // restart at a time, and only while every other node runs, or the queues lose mirrors
    // (and pause_minority may pause the survivors).
    if (!step.changes.empty()) {
      if (const auto why = restart_unsafe(service.name)) {
        plan_.waiting.push_back(service.name + ": restart waits: " + *why);
        step.changes.clear();
        next = service.spec;
      } else {
        restart_planned_ = true;
      }
    }
    const std::uint64_t replicas = service.replicas.value_or(1);
    if (replicas == 0) {
      if (previous_running) {
        step.changes.push_back({"replicas", "0", "1"});
        step.reason += index == 0 ? "; started"
                                  : "; started after rabbit node " + std::to_string(index) +
                                        " runs in the cluster";
        next = edit::with_replicas(std::move(next), 1);
      } else {
        plan_.waiting.push_back(service.name + " starts once rabbit node " + std::to_string(index) +
                                " runs in the cluster");
      }
    }
    if (!step.changes.empty()) {
      plan_.steps.push_back({std::move(step), ServiceUpdate{service.id, service.version, next}});
    }
    const std::string node_name = rabbit_node_name(hostname);
    const clients::RabbitNode* node = cluster_node(node_name);
    const bool running = node != nullptr && node->running;
    if (!running && replicas > 0 && !rabbit_.unreachable) {
      finding(model::FindingLevel::kWarning, "RabbitNodeNotRunning", node_name,
              node_name + " (" + service.name + " on " + pinned.node + ") is " +
                  (node == nullptr ? "not in the cluster" : "not running"));
      plan_.waiting.push_back(node_name + " to run in the cluster");
    }
    return running;
  }

  //! Why restarting one rabbit node now could cost mirrors, or nullopt when it is safe.
  std::optional<std::string> restart_unsafe(const std::string& service_name) const {
    if (restart_planned_) {
      return "another rabbit node restarts first";
    }
    if (rabbit_.unreachable) {
      return "the management API does not answer, so the other nodes cannot be checked";
    }
    for (const auto& node : rabbit_.nodes) {
      if (!node.running) {
        return node.name + " is not running";
      }
      if (node.partitions && !node.partitions->empty()) {
        return "a partition is open";
      }
    }
    for (const auto& pinned : spec_.nodes) {
      const clients::DockerService* other =
          find_service(swarm_, stack_service_name(desired_, pinned.service));
      if (other != nullptr && other->name != service_name && other->update_status &&
          other->update_status->state == "updating") {
        return other->name + " is being updated";
      }
    }
    return std::nullopt;
  }

  // --- cluster health -------------------------------------------------------------------------
  void report_cluster_health() {
    for (const auto& node : rabbit_.nodes) {
      if (!node.running) {
        node_down_ = node.name;
      }
      if (node.partitions && !node.partitions->empty()) {
        partition_ = node.name + " sees " + join_text(*node.partitions) + " on the other side";
        finding(model::FindingLevel::kWarning, "NetworkPartition", node.name,
                "partition: " + partition_ +
                    "; left to the cluster's partition handling, never acted on here");
      }
      if (node.mem_alarm || node.disk_free_alarm) {
        finding(model::FindingLevel::kWarning, "ResourceAlarm", node.name,
                node.name + " has a " + (node.mem_alarm ? "memory" : "disk") +
                    " alarm: publishers are blocked");
      }
    }
  }

  // --- the HA policy ------------------------------------------------------------------------
  bool plan_policy() {
    const clients::RabbitPolicy wanted = desired_policy(spec_.ha_policy);
    const clients::RabbitPolicy* current = nullptr;
    for (const auto& policy : rabbit_.policies) {
      if (policy.name == wanted.name) {
        current = &policy;
      }
    }
    report_shadowing(wanted);
    if (current != nullptr && current->same_effect_as(wanted)) {
      return true;
    }
    auto step =
        describe("put-policy", "policy", wanted.name,
                 current == nullptr ? "the cluster has " + std::to_string(spec_.nodes.size()) +
                                          " nodes and no " + wanted.name + " policy"
                                    : "the policy differs from the file (changed by hand?)");
    const auto field = [&](std::string path, std::string before, std::string after) {
      if (current == nullptr || before != after) {
        step.changes.push_back(
            {std::move(path), current == nullptr ? "" : std::move(before), std::move(after)});
      }
    };
    field("pattern", current ? current->pattern : "", wanted.pattern);
    field("apply-to", current ? current->apply_to : "", wanted.apply_to);
    field("priority", current ? std::to_string(current->priority) : "",
          std::to_string(wanted.priority));
    field("definition", current ? definition_text(current->definition) : "",
          definition_text(wanted.definition));
    plan_.steps.push_back({std::move(step), PutPolicy{wanted}});
    return false;
  }

  void report_shadowing(const clients::RabbitPolicy& wanted) {
    std::regex pattern;
    try {
      pattern = std::regex(wanted.pattern);
    } catch (const std::regex_error&) {
      return;  // RabbitMQ's regex dialect: leave it to the server
    }
    std::vector<std::string> shadowed;
    for (const auto& queue : rabbit_.queues) {
      if (queue.policy && *queue.policy != wanted.name && std::regex_search(queue.name, pattern)) {
        shadowed.push_back(queue.name + " (" + *queue.policy + ")");
      }
    }
    if (!shadowed.empty()) {
      finding(model::FindingLevel::kWarning, "PolicyShadowed", wanted.name,
              std::to_string(shadowed.size()) + " queue(s) matching " + wanted.name +
                  " follow another policy (higher priority), so they are not mirrored by it: " +
                  join_text(std::vector<std::string>(
                      shadowed.begin(), shadowed.begin() + static_cast<long>(std::min<std::size_t>(
                                                               5, shadowed.size())))));
    }
  }

  // --- mirrors --------------------------------------------------------------------------------
  void plan_mirror_sync() {
    for (const auto& queue : rabbit_.queues) {
      if (queue.state == "syncing") {
        plan_.waiting.push_back("queue " + queue.name + " is synchronising its mirrors");
        return;  // one sync at a time: each blocks its queue while it runs
      }
    }
    for (const auto& queue : rabbit_.queues) {
      const auto missing = queue.unsynchronised_mirrors();
      if (missing.empty()) {
        continue;
      }
      auto step =
          describe("sync", "queue", queue.name, "mirrors not synchronised: " + join_text(missing));
      step.changes.push_back({"unsynchronisedMirrors", join_text(missing), ""});
      if (!node_down_.empty()) {
        plan_.blocked.push_back({std::move(step),
                                 "a sync blocks the queue while it runs: not "
                                 "while " +
                                     node_down_ + " is down"});
        continue;
      }
      if (!partition_.empty()) {
        plan_.blocked.push_back({std::move(step),
                                 "a sync blocks the queue while it runs: not "
                                 "while a partition is open (" +
                                     partition_ + ")"});
        continue;
      }
      plan_.steps.push_back({std::move(step), SyncQueue{queue.vhost, queue.name}});
    }
  }

  const model::DesiredState& desired_;
  const model::RabbitmqSpec& spec_;
  const SwarmObservation& swarm_;
  const RabbitObservation& rabbit_;
  std::string node_down_;
  std::string partition_;
  bool restart_planned_ = false;
  RabbitPlan plan_;
};

}  // namespace

std::string rabbit_node_name(const std::string& container_hostname) {
  return "rabbit@" + container_hostname;
}

std::string rabbit_hostname(std::size_t number) {
  return "rabbit_node" + std::to_string(number) + ".isnet";
}

clients::RabbitPolicy desired_policy(const model::HaPolicy& policy) {
  clients::RabbitPolicy out;
  out.vhost = policy.vhost;
  out.name = policy.name;
  out.pattern = policy.pattern;
  out.priority = policy.priority;
  out.apply_to = policy.apply_to == model::ApplyTo::kQueues      ? "queues"
                 : policy.apply_to == model::ApplyTo::kExchanges ? "exchanges"
                                                                 : "all";
  switch (policy.mode) {
    case model::HaMode::kAll:
      out.definition["ha-mode"] = "all";
      break;
    case model::HaMode::kExactly:
      out.definition["ha-mode"] = "exactly";
      out.definition["ha-params"] = policy.exactly_count.value_or(2);
      break;
    case model::HaMode::kNodes: {
      out.definition["ha-mode"] = "nodes";
      json::array nodes;
      for (const auto& node : policy.nodes) {
        nodes.emplace_back(node);
      }
      out.definition["ha-params"] = std::move(nodes);
      break;
    }
  }
  out.definition["ha-sync-mode"] =
      policy.sync_mode == model::HaSyncMode::kAutomatic ? "automatic" : "manual";
  return out;
}

model::PlanReport RabbitPlan::report() const {
  return report_of(kRabbitmq, *this);
}

RabbitPlan plan_rabbitmq(const model::DesiredState& desired, const SwarmObservation& swarm,
                         const RabbitObservation& rabbit) {
  if (!desired.rabbitmq) {
    return {};
  }
  return RabbitPlanner(desired, swarm, rabbit).run();
}

}  // namespace swarmop::reconcilers
