#include "semantic_checks.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <variant>

#include "swarmop/model/size.hpp"

namespace swarmop::model::detail {

namespace {

using PathPart = std::variant<std::string_view, std::size_t>;

bool equal_fold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out += (i == 0 ? "" : ", ") + words[i];
  }
  return out;
}

class Checker {
 public:
  Checker(const DesiredState& state, const MarkedNode& root, const std::string& file)
      : state_(state), root_(root), file_(file) {}

  std::vector<Diagnostic> run() {
    check_quantities();
    check_node_names();
    check_quorum();
    check_datacenters();
    for (const auto& [name, service] : state_.services) {
      check_service(name, service);
    }
    if (state_.couchbase) {
      check_couchbase(*state_.couchbase);
    }
    if (state_.rabbitmq) {
      check_rabbitmq(*state_.rabbitmq);
    }
    check_pinned_services_unique();
    return std::move(out_);
  }

 private:
  // The position of the deepest node of `path` that exists (a synthesized default has the
  // position of the object it was added to).
  Mark at(std::initializer_list<PathPart> path) const {
    const MarkedNode* node = &root_;
    Mark mark = node->mark;
    for (const PathPart& part : path) {
      const MarkedNode* next = nullptr;
      if (const auto* key = std::get_if<std::string_view>(&part)) {
        next = node->find(*key);
      } else {
        const std::size_t index = std::get<std::size_t>(part);
        next = index < node->items.size() ? &node->items[index] : nullptr;
      }
      if (next == nullptr) {
        break;
      }
      node = next;
      if (node->mark.known()) {
        mark = node->mark;
      }
    }
    return mark;
  }

  bool declared(std::initializer_list<PathPart> path) const {
    const MarkedNode* node = &root_;
    for (const PathPart& part : path) {
      if (const auto* key = std::get_if<std::string_view>(&part)) {
        node = node->find(*key);
      } else {
        const std::size_t index = std::get<std::size_t>(part);
        node = index < node->items.size() ? &node->items[index] : nullptr;
      }
      if (node == nullptr) {
        return false;
      }
    }
    return !node->synthesized;
  }

  void error(Mark mark, std::string message) {
    out_.push_back({Severity::kError, file_, mark, std::move(message)});
  }
  void warning(Mark mark, std::string message) {
    out_.push_back({Severity::kWarning, file_, mark, std::move(message)});
  }

  // The schema checks the spelling of durations, sizes and CPU counts; here their size is
  // checked, so an absurd value is an error rather than something silently replaced.
  void check_quantity(const MarkedNode* node, const std::string& path, std::string_view kind) {
    if (node == nullptr || node->synthesized || !node->is_string()) {
      if (kind == "cpus" && node != nullptr && node->is_number() && node->as_double() > 100'000) {
        error(node->mark, path + ": " + node->text + " CPUs is more than any node has");
      }
      return;
    }
    bool ok = true;
    if (kind == "duration") {
      ok = parse_duration(node->text).has_value();
    } else if (kind == "size") {
      ok = parse_size(node->text).has_value();
    } else if (kind == "cpus") {
      const double cpus = std::strtod(node->text.c_str(), nullptr);
      ok = std::isfinite(cpus) && cpus <= 100'000;
    }
    if (!ok) {
      error(node->mark, path + ": " + node->text + " is out of range for a " + std::string(kind) +
                            (kind == "duration" ? " (at most 10 years)" : ""));
    }
  }

  void check_quantities() {
    const MarkedNode* spec = root_.find("spec");
    if (const MarkedNode* services = spec->find("services")) {
      for (const auto& entry : services->entries) {
        const std::string path = "spec.services." + entry.key;
        check_quantity(entry.value.find("stopGracePeriod"), path + ".stopGracePeriod", "duration");
        check_quantity(entry.value.find("restartDelay"), path + ".restartDelay", "duration");
        if (const MarkedNode* resources = entry.value.find("resources")) {
          for (const char* which : {"limits", "reservations"}) {
            if (const MarkedNode* amounts = resources->find(which)) {
              const std::string prefix = path + ".resources." + which;
              check_quantity(amounts->find("memory"), prefix + ".memory", "size");
              check_quantity(amounts->find("cpus"), prefix + ".cpus", "cpus");
            }
          }
        }
      }
    }
    if (const MarkedNode* couchbase = spec->find("couchbase")) {
      if (const MarkedNode* failover = couchbase->find("autoFailover")) {
        check_quantity(failover->find("timeout"), "spec.couchbase.autoFailover.timeout",
                       "duration");
      }
    }
    if (const MarkedNode* rabbitmq = spec->find("rabbitmq")) {
      if (const MarkedNode* periods = rabbitmq->find("stopGracePeriods")) {
        for (std::size_t i = 0; i < periods->items.size(); ++i) {
          check_quantity(&periods->items[i],
                         "spec.rabbitmq.stopGracePeriods[" + std::to_string(i) + "]", "duration");
        }
      }
    }
  }

  void check_node_names() {
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < state_.swarm.nodes.size(); ++i) {
      const std::string& hostname = state_.swarm.nodes[i].hostname;
      auto [it, inserted] = seen.emplace(hostname, i);
      if (!inserted) {
        error(at({"spec", "swarm", "nodes", i, "hostname"}),
              "spec.swarm.nodes[" + std::to_string(i) + "].hostname: duplicate hostname \"" +
                  hostname + "\" (also spec.swarm.nodes[" + std::to_string(it->second) + "])");
      }
    }
  }

  std::vector<const NodeSpec*> managers() const {
    std::vector<const NodeSpec*> out;
    for (const NodeSpec& node : state_.swarm.nodes) {
      if (node.present && node.role == NodeRole::kManager) {
        out.push_back(&node);
      }
    }
    return out;
  }

  void check_quorum() {
    const std::size_t count = managers().size();
    const auto nodes =
        static_cast<std::size_t>(std::count_if(state_.swarm.nodes.begin(), state_.swarm.nodes.end(),
                                               [](const NodeSpec& node) { return node.present; }));
    const Mark mark = at({"spec", "swarm", "nodes"});
    const std::string prefix = "spec.swarm.nodes: ";
    if (count == 0) {
      error(mark, prefix + "no node has role manager; a swarm needs at least one manager");
    } else if (count == 2) {
      error(mark, prefix +
                      "2 managers: losing either one loses quorum, so two managers are less "
                      "available than one (the manual: two-node high availability is not "
                      "possible); declare 1 or 3");
    } else if (count % 2 == 0) {
      warning(mark, prefix + std::to_string(count) +
                        " managers: an even count tolerates no more "
                        "failures than " +
                        std::to_string(count - 1) + " and needs " + std::to_string(count / 2 + 1) +
                        " for quorum; use an odd number");
    }
    if (nodes > 1 && count == 1) {
      warning(mark, prefix + "1 manager for " + std::to_string(nodes) +
                        " nodes: the swarm cannot survive its failure; the manual asks for at "
                        "least 3 managers");
    }
  }

  void check_datacenters() {
    std::set<std::string> datacenters;
    for (const NodeSpec* manager : managers()) {
      if (manager->datacenter) {
        datacenters.insert(*manager->datacenter);
      }
    }
    if (datacenters.size() == 2) {
      warning(at({"spec", "swarm", "nodes"}),
              "spec.swarm.nodes: managers span exactly 2 datacenters: losing the one with more "
              "managers loses quorum; the manual requires 3 datacenters for a swarm that "
              "survives a datacenter outage");
    }
  }

  // Swarm compares hostnames without regard to case, so the checks do too.
  const NodeSpec* find_node_fold(std::string_view hostname) const {
    for (const NodeSpec& node : state_.swarm.nodes) {
      if (equal_fold(node.hostname, hostname)) {
        return &node;
      }
    }
    return nullptr;
  }

  static NodeAttributes attributes(const NodeSpec& node) {
    NodeAttributes out;
    out.hostname = node.hostname;
    out.role = std::string(to_string(node.role));
    out.labels = node.labels;
    return out;
  }

  bool any_node_declares_label(const std::string& key) const {
    return std::any_of(state_.swarm.nodes.begin(), state_.swarm.nodes.end(),
                       [&](const NodeSpec& node) { return node.labels.count(key) > 0; });
  }

  void check_service(const std::string& name, const ServiceSpec& service) {
    const std::string path = "spec.services." + name;
    if (service.data_node) {
      check_data_node(*service.data_node, at({"spec", "services", name, "dataNode"}),
                      path + ".dataNode");
    }
    const MarkedNode* constraints_node = nullptr;
    if (const MarkedNode* services = root_.find("spec")->find("services")) {
      if (const MarkedNode* node = services->find(name)) {
        constraints_node = node->find("constraints");
      }
    }
    std::vector<Constraint> constraints;
    if (constraints_node != nullptr) {
      for (std::size_t i = 0; i < constraints_node->items.size(); ++i) {
        const MarkedNode& item = constraints_node->items[i];
        const std::string item_path = path + ".constraints[" + std::to_string(i) + "]";
        std::string reason;
        auto constraint = parse_constraint(item.text, &reason);
        if (!constraint) {
          error(item.mark, item_path + ": invalid constraint \"" + item.text + "\": " + reason);
          continue;
        }
        check_constraint_references(*constraint, item.mark, item_path);
        constraints.push_back(std::move(*constraint));
      }
    }
    if (service.spread_preferences) {
      for (std::size_t i = 0; i < service.spread_preferences->size(); ++i) {
        const std::string& descriptor = (*service.spread_preferences)[i];
        const std::string key = descriptor.substr(std::string_view("node.labels.").size());
        if (!any_node_declares_label(key)) {
          warning(at({"spec", "services", name, "preferences", i}),
                  path + ".preferences[" + std::to_string(i) + "]: no node declares label \"" +
                      key + "\": every node falls in one group and the spread does nothing");
        }
      }
    }
    check_placement(name, service, constraints);
  }

  void check_constraint_references(const Constraint& constraint, Mark mark,
                                   const std::string& path) {
    if (equal_fold(constraint.attribute, "node.hostname") &&
        constraint.op == Constraint::Op::kEqual && find_node_fold(constraint.value) == nullptr) {
      std::vector<std::string> names;
      for (const NodeSpec& node : state_.swarm.nodes) {
        names.push_back(node.hostname);
      }
      error(mark, path + ": node \"" + constraint.value +
                      "\" is not declared in spec.swarm.nodes (declared: " + join(names) + ")");
    }
    if (constraint.is_node_label() && !any_node_declares_label(constraint.label_key())) {
      error(mark, path + ": no node in spec.swarm.nodes declares label \"" +
                      constraint.label_key() + "\"");
    }
  }

  void check_placement(const std::string& name, const ServiceSpec& service,
                       const std::vector<Constraint>& constraints) {
    if (!service.replicas || *service.replicas == 0) {
      return;
    }
    std::vector<std::string> eligible;
    for (const NodeSpec& node : state_.swarm.nodes) {
      if (!node.present || node.availability != Availability::kActive) {
        continue;  // drained and paused nodes take no new tasks; leaving nodes none at all
      }
      const NodeAttributes attrs = attributes(node);
      const bool fits = std::all_of(constraints.begin(), constraints.end(),
                                    [&](auto& c) { return evaluate(c, attrs) != Match::kNo; });
      if (fits) {
        eligible.push_back(node.hostname);
      }
    }
    const std::string path = "spec.services." + name + ".replicas";
    const Mark mark = at({"spec", "services", name, "replicas"});
    const std::string replicas = std::to_string(*service.replicas);
    if (eligible.empty()) {
      std::vector<std::string> texts;
      for (const Constraint& c : constraints) {
        texts.push_back(c.to_string());
      }
      error(mark,
            path + ": " + replicas +
                " replica(s) cannot be placed: no active node in spec.swarm.nodes satisfies " +
                (texts.empty() ? std::string("(no constraints)") : join(texts)) +
                "; every task would stay pending");
      return;
    }
    const std::uint64_t per_node = service.max_replicas_per_node.value_or(0);
    if (per_node > 0 && *service.replicas > eligible.size() * per_node) {
      error(mark, path + ": " + replicas + " replicas cannot be placed: " +
                      std::to_string(eligible.size()) + " eligible active node(s) (" +
                      join(eligible) + ") x maxReplicasPerNode " + std::to_string(per_node) +
                      " = " + std::to_string(eligible.size() * per_node) +
                      "; the rest would stay pending (no suitable node)");
    }
  }

  void check_pinned_nodes(const std::vector<PinnedService>& pinned, std::string_view section,
                          std::string_view product) {
    std::map<std::string, std::size_t> services;
    std::map<std::string, std::size_t> hosts;
    for (std::size_t i = 0; i < pinned.size(); ++i) {
      const PinnedService& entry = pinned[i];
      const std::string path = "spec." + std::string(section) + ".nodes[" + std::to_string(i) + "]";
      const Mark node_mark = at({"spec", section, "nodes", i, "node"});
      if (!services.emplace(entry.service, i).second) {
        error(at({"spec", section, "nodes", i, "service"}),
              path + ".service: duplicate service \"" + entry.service + "\"");
      }
      const NodeSpec* node = state_.find_node(entry.node);
      if (node == nullptr) {
        error(node_mark,
              path + ".node: \"" + entry.node + "\" is not declared in spec.swarm.nodes");
        continue;
      }
      if (!node->present) {
        error(node_mark, path + ".node: " + entry.service + " is pinned to " + entry.node +
                             ", which is declared present: false (leaving the swarm)");
      } else if (node->availability == Availability::kDrain) {
        error(node_mark, path + ".node: " + entry.service + " is pinned to " + entry.node +
                             ", which is drained: it could never run there");
      } else if (node->availability == Availability::kPause) {
        warning(node_mark, path + ".node: " + entry.service + " is pinned to " + entry.node +
                               ", which is paused: it cannot be restarted there");
      }
      if (auto [it, inserted] = hosts.emplace(entry.node, i); !inserted) {
        warning(node_mark, path + ".node: two " + std::string(product) + " nodes on " + entry.node +
                               " (also nodes[" + std::to_string(it->second) +
                               "]): losing that host loses both");
      }
      check_pin_agrees_with_service(entry, path);
      if (entry.data_node) {
        check_data_node(*entry.data_node, at({"spec", section, "nodes", i, "dataNode"}),
                        path + ".dataNode");
      }
    }
  }

  // A data node the swarm section does not declare could never hold the data.
  void check_data_node(const std::string& hostname, const Mark& mark, const std::string& path) {
    if (state_.find_node(hostname) == nullptr) {
      error(mark, path + ": \"" + hostname + "\" is not declared in spec.swarm.nodes");
    }
  }

  // A service section that pins a data-store node elsewhere would fight the data reconciler.
  void check_pin_agrees_with_service(const PinnedService& entry, const std::string& path) {
    const auto service = state_.services.find(entry.service);
    if (service == state_.services.end() || !service->second.constraints) {
      return;
    }
    for (const Constraint& c : *service->second.constraints) {
      if (equal_fold(c.attribute, "node.hostname") && c.op == Constraint::Op::kEqual &&
          !equal_fold(c.value, entry.node)) {
        error(at({"spec", "services", entry.service, "constraints"}),
              "spec.services." + entry.service + ".constraints: pins the service to " + c.value +
                  " but " + path + " pins it to " + entry.node);
      }
    }
  }

  void check_pinned_services_unique() {
    if (!state_.couchbase || !state_.rabbitmq) {
      return;
    }
    for (std::size_t i = 0; i < state_.rabbitmq->nodes.size(); ++i) {
      const std::string& service = state_.rabbitmq->nodes[i].service;
      for (const PinnedService& cb : state_.couchbase->nodes) {
        if (cb.service == service) {
          error(at({"spec", "rabbitmq", "nodes", i, "service"}),
                "spec.rabbitmq.nodes[" + std::to_string(i) + "].service: \"" + service +
                    "\" is also a Couchbase node service");
        }
      }
    }
  }

  void check_couchbase(const CouchbaseSpec& couchbase) {
    check_pinned_nodes(couchbase.nodes, "couchbase", "Couchbase");
    const std::size_t count = couchbase.nodes.size();
    if (count > 4) {
      warning(at({"spec", "couchbase", "nodes"}),
              "spec.couchbase.nodes: " + std::to_string(count) +
                  " Couchbase nodes: a bucket holds at most 3 replicas, so beyond 4 nodes data is "
                  "sharded, not fully replicated (the manual)");
    }
    for (const BucketSpec& bucket : couchbase.buckets) {
      const int placeable = static_cast<int>(count) - 1;
      if (bucket.replicas > placeable) {
        warning(at({"spec", "couchbase", "buckets", bucket.name, "replicas"}),
                "spec.couchbase.buckets." + bucket.name +
                    ".replicas: " + std::to_string(bucket.replicas) + " replicas need " +
                    std::to_string(bucket.replicas + 1) + " Couchbase nodes but " +
                    std::to_string(count) + " are declared; the operator will set " +
                    std::to_string(std::max(placeable, 0)));
      }
    }
    const auto& failover = couchbase.auto_failover;
    const std::string failover_path = "spec.couchbase.autoFailover";
    if (failover.timeout < std::chrono::seconds(5) || failover.timeout > std::chrono::hours(1)) {
      error(at({"spec", "couchbase", "autoFailover", "timeout"}),
            failover_path + ".timeout: " + format_duration(failover.timeout) +
                " is outside what Couchbase accepts (5s to 1h)");
    }
    if (failover.enabled && count < 3 &&
        declared({"spec", "couchbase", "autoFailover", "enabled"})) {
      warning(at({"spec", "couchbase", "autoFailover", "enabled"}),
              failover_path +
                  ".enabled: Couchbase fails over automatically only with 3 or more "
                  "nodes; with " +
                  std::to_string(count) + " it never will");
    }
  }

  void check_rabbitmq(const RabbitmqSpec& rabbitmq) {
    check_pinned_nodes(rabbitmq.nodes, "rabbitmq", "RabbitMQ");
    const std::size_t count = rabbitmq.nodes.size();
    if (rabbitmq.ha_policy_declared && count == 1) {
      warning(at({"spec", "rabbitmq", "haPolicy"}),
              "spec.rabbitmq.haPolicy: one RabbitMQ node has nothing to mirror to; the policy "
              "will not be applied until a second node is declared");
    }
    const HaPolicy& policy = rabbitmq.ha_policy;
    if (policy.mode == HaMode::kExactly && policy.exactly_count &&
        static_cast<std::size_t>(*policy.exactly_count) > count) {
      warning(at({"spec", "rabbitmq", "haPolicy", "params"}),
              "spec.rabbitmq.haPolicy.params: " + std::to_string(*policy.exactly_count) +
                  " copies asked for but only " + std::to_string(count) + " nodes declared");
    }
    if (!declared({"spec", "rabbitmq", "stopGracePeriods"})) {
      return;
    }
    const auto& periods = rabbitmq.stop_grace_periods;
    const Mark mark = at({"spec", "rabbitmq", "stopGracePeriods"});
    const std::size_t written =
        root_.find("spec")->find("rabbitmq")->find("stopGracePeriods")->items.size();
    if (written > count) {
      error(mark, "spec.rabbitmq.stopGracePeriods: " + std::to_string(written) + " periods for " +
                      std::to_string(count) + " RabbitMQ nodes");
      return;
    }
    for (std::size_t i = 1; i < periods.size(); ++i) {
      if (periods[i] >= periods[0]) {
        warning(at({"spec", "rabbitmq", "stopGracePeriods", i}),
                "spec.rabbitmq.stopGracePeriods[" + std::to_string(i) + "]: node " +
                    std::to_string(i + 1) + " waits " + format_duration(periods[i]) +
                    ", not less than node 1's " + format_duration(periods[0]) +
                    "; the manual gives node 1 the longest grace period so the others rejoin it");
        break;
      }
    }
  }

  const DesiredState& state_;
  const MarkedNode& root_;
  const std::string& file_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> check_semantics(const DesiredState& state, const MarkedNode& root,
                                        const std::string& file) {
  return Checker(state, root, file).run();
}

}  // namespace swarmop::model::detail
