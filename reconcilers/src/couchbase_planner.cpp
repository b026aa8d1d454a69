#include "swarmop/reconcilers/couchbase_planner.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/reconcilers/couchbase_node_spec.hpp"
#include "swarmop/reconcilers/data_store_restart.hpp"
#include "swarmop/reconcilers/pinned_service.hpp"

namespace swarmop::reconcilers {

namespace {

namespace edit = clients::spec_edit;
namespace json = boost::json;

//! "couchbase-worker.isnet:8091" -> "couchbase-worker.isnet".
std::string host_part(const std::string& host_and_port) {
  return host_and_port.substr(0, host_and_port.rfind(':'));
}

std::string percent(double fraction) {
  return std::to_string(static_cast<int>(std::lround(fraction))) + "%";
}

//! One Couchbase node the file lists, with what the swarm and the cluster show of it.
struct ListedNode {
  const model::PinnedService* pinned = nullptr;
  std::size_t index = 0;  //!< 0: the primary
  std::string full_name;  //!< iservices_couchbase-worker
  std::string hostname;   //!< couchbase-worker.isnet
  const clients::DockerService* service = nullptr;
  const clients::CouchbaseNode* member = nullptr;  //!< in /pools/default, any membership
};

class CouchbasePlanner {
 public:
  CouchbasePlanner(const model::DesiredState& desired, const SwarmObservation& swarm,
                   const CouchbaseObservation& couchbase)
      : desired_(desired),
        spec_(*desired.couchbase),
        swarm_(swarm),
        cb_(couchbase),
        swarm_nodes_(swarm.nodes) {}

  CouchbasePlan run() {
    collect_listed();
    if (cb_.unreachable) {
      plan_services(/*cluster_known=*/false);
      if (auto restarting =
              data_store_restarting(swarm_, stack_service_names(desired_, spec_.nodes))) {
        plan_.waiting.push_back(*restarting + ": the admin REST API answers again once it runs");
        return std::move(plan_);
      }
      plan_.blocked.push_back(
          {describe("observe", "cluster", "couchbase",
                    "the Couchbase topology, buckets and failover need the admin REST API"),
           "no Couchbase admin endpoint answered: " + *cb_.unreachable});
      return std::move(plan_);
    }
    report_failed_rebalance();
    if (wait_for_rebalance() || wait_for_warmup() || wait_for_service_updates()) {
      return std::move(plan_);
    }
    if (handle_unavailable_nodes()) {
      plan_auto_failover();
      return std::move(plan_);
    }
    plan_services(/*cluster_known=*/true);
    if (!topology_done()) {
      plan_scale_out();
    }
    if (!topology_done()) {
      plan_buckets();
    }
    plan_auto_failover();
    if (!topology_done()) {
      plan_scale_in();
    }
    return std::move(plan_);
  }

 private:
  model::StepDescription describe(std::string action, std::string kind, std::string object,
                                  std::string reason) const {
    return describe_step(kCouchbase, std::move(action), std::move(kind), std::move(object),
                         std::move(reason));
  }

  void finding(model::FindingLevel level, std::string code, std::string object,
               std::string message) {
    plan_.findings.push_back(
        {kCouchbase, level, std::move(code), std::move(object), std::move(message)});
  }

  void wait(std::string what) {
    plan_.waiting.push_back(std::move(what));
    topology_waits_ = true;
  }

  //! A disruptive step (a topology change, a rebalance, a Couchbase restart) ends the pass.
  void disruptive(CouchbaseStep step) {
    plan_.steps.push_back(std::move(step));
    disruptive_planned_ = true;
  }

  bool topology_done() const { return disruptive_planned_ || topology_waits_; }

  const clients::CouchbaseNode* member_named(const std::string& hostname) const {
    return couchbase_member(cb_.cluster, hostname);
  }

  const ListedNode* listed_for(const clients::CouchbaseNode& node) const {
    for (const auto& listed : listed_) {
      if (listed.member == &node) {
        return &listed;
      }
    }
    return nullptr;
  }

  bool swarm_node_ready(const std::string& hostname) const {
    const auto* node = swarm_nodes_.find(hostname);
    return node != nullptr && node->state == "ready";
  }

  bool task_running(const clients::DockerService& service) const {
    return !running_tasks_by_node(swarm_, service.id).empty();
  }

  //! How long the service's running task has run, on the swarm's clock; nullopt when the
  //! clock or the task's start time is unknown (then nothing is decided by time).
  std::optional<std::int64_t> seconds_running(const clients::DockerService& service) const {
    if (!cb_.swarm_clock) {
      return std::nullopt;
    }
    std::optional<std::int64_t> latest_start;
    for (const auto& task : swarm_.tasks) {
      if (task.service_id == service.id && task.desired_state == "running" &&
          task.state == "running" && task.status_time) {
        latest_start = std::max(latest_start.value_or(*task.status_time), *task.status_time);
      }
    }
    if (!latest_start) {
      return std::nullopt;
    }
    return *cb_.swarm_clock - *latest_start;
  }

  std::string name_of(const clients::CouchbaseNode& node) const {
    const auto* listed = listed_for(node);
    return listed != nullptr ? listed->pinned->service : host_part(node.hostname);
  }

  void collect_listed() {
    for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
      ListedNode node;
      node.pinned = &spec_.nodes[i];
      node.index = i;
      node.full_name = stack_service_name(desired_, node.pinned->service);
      node.service = find_service(swarm_, node.full_name);
      node.hostname = node.service != nullptr ? container_hostname(node.service->spec) : "";
      if (node.hostname.empty()) {
        node.hostname = couchbase_hostname(node.pinned->service);
      }
      node.member = member_named(node.hostname);
      listed_.push_back(node);
    }
  }

  // --- 1. rebalance -------------------------------------------------------------------------
  const clients::CouchbaseTask* rebalance_task() const {
    for (const auto& task : cb_.tasks) {
      if (task.type == "rebalance") {
        return &task;
      }
    }
    return nullptr;
  }

  void report_failed_rebalance() {
    const auto* task = rebalance_task();
    if (task != nullptr && !task->running() && !task->error_message.empty()) {
      finding(model::FindingLevel::kWarning, "RebalanceFailed", "cluster",
              "the last rebalance failed (" + task->error_message +
                  "); it is retried once the cluster is ready for it");
    }
  }

  bool wait_for_rebalance() {
    const auto* task = rebalance_task();
    if (task != nullptr && task->stale) {
      wait(
          "the rebalance status is unknown (the orchestrator did not answer): no topology "
          "change until it is known");
      return true;
    }
    if (!cb_.cluster.rebalancing() && (task == nullptr || !task->running())) {
      return false;
    }
    std::string what = task != nullptr && task->subtype == "gracefulFailover"
                           ? "a graceful failover is running"
                           : "a rebalance is running";
    if (task != nullptr) {
      what += ": " + percent(task->progress) + " done";
    }
    wait(what + "; no topology change until it ends");
    return true;
  }

  // --- 2. warm-up ---------------------------------------------------------------------------
  bool wait_for_warmup() {
    for (const auto& node : cb_.cluster.nodes) {
      if (node.warming_up()) {
        wait(name_of(node) + " is warming up (loading its data from disk)");
        return true;
      }
    }
    for (const auto& task : cb_.tasks) {
      if (task.type == "warming_up" && task.running()) {
        wait("bucket " + task.bucket + " is warming up on " + task.node);
        return true;
      }
    }
    return false;
  }

  //! A Couchbase service whose tasks are being replaced restarts its node: nothing else moves
  //! until the rollout ends (the restart shows as a down or warming node only once it starts).
  bool wait_for_service_updates() {
    for (const auto& node : listed_) {
      if (node.service == nullptr || !node.service->update_status) {
        continue;
      }
      const std::string& state = node.service->update_status->state;
      if (state == "updating" || state == "rollback_started") {
        wait(node.full_name + " is being updated (its Couchbase node restarts)");
        return true;
      }
      if (state == "paused" || state == "rollback_paused") {
        finding(model::FindingLevel::kWarning, "UpdatePaused", node.full_name,
                node.full_name + ": the last update " + state + " (" +
                    node.service->update_status->message +
                    "); no topology change until a "
                    "person resolves it");
        wait(node.full_name + "'s update is " + state);
        return true;
      }
    }
    return false;
  }

  // --- 3. down and failed-over nodes --------------------------------------------------------
  bool handle_unavailable_nodes() {
    std::vector<const clients::CouchbaseNode*> down;
    for (const auto& node : cb_.cluster.nodes) {
      if (node.active() && !node.healthy()) {
        down.push_back(&node);
        finding(model::FindingLevel::kWarning, "CouchbaseNodeDown", name_of(node),
                node.otp_node + " is " + node.status);
      }
    }
    if (!down.empty()) {
      plan_down_nodes(down);
      return true;
    }
    for (const auto& node : cb_.cluster.nodes) {
      if (node.failed_over()) {
        plan_failed_over(node);
        return true;
      }
    }
    for (const auto& node : cb_.cluster.nodes) {
      if (node.pending_add() && node.recovery_type != "none") {
        plan_rebalance("a " + node.recovery_type + " recovery of " + name_of(node) +
                           " takes effect at a rebalance",
                       {});
        return true;
      }
    }
    return false;
  }

  //! Buckets that would lose data if a node failed over now.
  std::vector<std::string> buckets_without_copies() const {
    std::vector<std::string> out;
    for (const auto& bucket : cb_.buckets) {
      if (bucket.bucket_type != "memcached" && bucket.replica_number == 0) {
        out.push_back(bucket.name + " (0 replicas)");
      }
    }
    return out;
  }

  void plan_down_nodes(const std::vector<const clients::CouchbaseNode*>& down) {
    std::size_t not_failed = 0;
    for (const auto& node : cb_.cluster.nodes) {
      not_failed += node.failed_over() ? 0 : 1;
    }
    const std::size_t reachable = not_failed - down.size();
    const bool majority = reachable * 2 > not_failed;
    const auto& settings = cb_.auto_failover;
    const bool count_left = !settings.max_count || settings.count < *settings.max_count;
    auto without_copies = buckets_without_copies();
    const bool unbalanced = !cb_.cluster.balanced;
    std::vector<std::string> names;
    for (const auto* node : down) {
      names.push_back(name_of(*node));
    }
    auto step = describe("failover", "node", join_text(names),
                         join_text(names) + (down.size() == 1 ? " is" : " are") +
                             " down: its data is served from the replicas once failed over");
    const std::string arithmetic =
        std::to_string(reachable) + " of " + std::to_string(not_failed) + " Couchbase nodes answer";
    if (!without_copies.empty()) {
      manual_intervention(std::move(step),
                          "a failover would lose data: " + join_text(without_copies) +
                              " have no copy on another node; bring the node back, or restore "
                              "from backup (the manual's Restoring a Couchbase Node)");
      return;
    }
    if (!majority) {
      manual_intervention(std::move(step),
                          arithmetic +
                              ": without a majority Couchbase cannot fail over safely and this "
                              "operator never forces it (the manual's two-of-three failure "
                              "needs a person)");
      return;
    }
    if (down.size() == 1 && settings.enabled && count_left && not_failed >= 3 && !unbalanced) {
      wait(names.front() + " is down: Couchbase's auto-failover acts after " +
           std::to_string(settings.timeout_seconds) + " s (" + arithmetic + ")");
      return;
    }
    std::string why = !settings.enabled ? "auto-failover is disabled"
                      : !count_left
                          ? "auto-failover has used its count (" + std::to_string(settings.count) +
                                " of " + std::to_string(settings.max_count.value_or(0)) + ")"
                      : not_failed < 3  ? "auto-failover needs at least three nodes"
                      : down.size() > 1 ? "more than one node is down"
                                        : "the cluster is not balanced, so some replicas may "
                                          "not exist yet";
    plan_.blocked.push_back(
        {std::move(step), why + " (" + arithmetic +
                              "); a hard failover is left to a person: this operator never fails "
                              "over a node Couchbase itself would not"});
  }

  void manual_intervention(model::StepDescription step, std::string reason) {
    finding(model::FindingLevel::kWarning, "ManualInterventionRequired", step.object, reason);
    plan_.blocked.push_back({std::move(step), std::move(reason)});
  }

  //! Why a failed-over node counts as gone for good, or nullopt while it may come back. A Down
  //! swarm node may return (a reboot), and recovering it then keeps its data; the file or the
  //! swarm has to say it is gone before its data is given up.
  std::optional<std::string> gone_for_good(const ListedNode* listed) const {
    if (listed == nullptr) {
      return std::string("is not in the file");
    }
    const std::string& host = listed->pinned->node;
    if (const auto* node = desired_.find_node(host); node != nullptr && !node->present) {
      return "its swarm node " + host + " is marked present: false";
    }
    if (swarm_nodes_.find(host) == nullptr) {
      return "its swarm node " + host + " is not in the swarm";
    }
    return std::nullopt;
  }

  void plan_failed_over(const clients::CouchbaseNode& node) {
    const auto* listed = listed_for(node);
    const std::string name = name_of(node);
    if (const auto gone = gone_for_good(listed)) {
      plan_rebalance(name + " was failed over and " + *gone +
                         ": rebalanced out so the others hold every replica again",
                     {node.otp_node});
      return;
    }
    const std::string& host = listed->pinned->node;
    if (node.healthy() && swarm_node_ready(host)) {
      auto step = describe("recover", "node", name,
                           name + " was failed over and answers again on " + host +
                               ": delta recovery keeps its data, then a rebalance makes it "
                               "active");
      step.changes.push_back({"recoveryType", node.recovery_type, "delta"});
      disruptive({std::move(step), RecoverNode{node.otp_node}});
      return;
    }
    if (swarm_node_ready(host)) {
      wait(name + " was failed over; its swarm node " + host +
           " is Ready again: waits for Couchbase on it to answer, then recovers it");
      return;
    }
    finding(model::FindingLevel::kWarning, "FailedOverNodeAway", name,
            name + " was failed over and its swarm node " + host +
                " is not Ready: it is recovered when the node returns; to give it up, mark " +
                host + " present: false or take " + listed->pinned->service +
                " out of the file, and it is rebalanced out");
    wait(name + " was failed over: waits for " + host + " to return");
  }

  // --- rebalance ----------------------------------------------------------------------------
  std::optional<std::string> rebalance_unsafe() const {
    std::vector<std::string> warming;
    for (const auto& index : cb_.indexes.indexes) {
      if (index.status == "Warmup") {
        warming.push_back(index.bucket + "/" + index.name);
      }
    }
    if (!warming.empty()) {
      return "indexes are warming up (" + join_text(warming) +
             "): a rebalance now fails (the manual's known issue)";
    }
    return std::nullopt;
  }

  void plan_rebalance(std::string reason, std::vector<std::string> ejected) {
    auto step = describe("rebalance", "cluster", "couchbase", std::move(reason));
    if (const auto why = rebalance_unsafe()) {
      wait("rebalance waits: " + *why);
      return;
    }
    const auto known = cb_.cluster.otp_nodes();
    step.changes.push_back({"knownNodes", "", join_text(known)});
    if (!ejected.empty()) {
      step.changes.push_back({"ejectedNodes", "", join_text(ejected)});
    }
    disruptive({std::move(step), Rebalance{known, std::move(ejected)}});
  }

  // --- 4. node services, pins and db_host ---------------------------------------------------
  void plan_services(bool cluster_known) {
    if (listed_.empty()) {
      return;
    }
    const ListedNode& primary = listed_.front();
    for (const auto& node : listed_) {
      if (node.service == nullptr && node.index == 0) {
        plan_.blocked.push_back({describe("create", "service", node.full_name, "the primary"),
                                 "the primary Couchbase service " + node.full_name +
                                     " does not exist: deploy the stack first"});
        topology_waits_ = true;
        return;
      }
      if (node.service == nullptr) {
        plan_create(node, *primary.service);
      } else {
        plan_pin(node, cluster_known);
      }
    }
    plan_db_hosts();
  }

  void plan_create(const ListedNode& node, const clients::DockerService& primary) {
    auto step =
        describe("create", "service", node.full_name,
                 "Couchbase node " + std::to_string(node.index + 1) + " of the file: copied from " +
                     primary.name + " with the manual's worker changes");
    auto spec = couchbase_worker_spec(primary.spec, node.full_name, *node.pinned, node.index + 1,
                                      spec_.nodes.front().service, spec_.auto_rebalance);
    step.changes.push_back({"hostname", "", node.hostname});
    step.changes.push_back(
        {"env", "",
         "TYPE=WORKER, AUTO_REBALANCE=" + std::string(spec_.auto_rebalance ? "true" : "false") +
             ", db_host=" + spec_.nodes.front().service});
    step.changes.push_back({"constraints", "", hostname_constraint(node.pinned->node)});
    if (node.pinned->admin_port) {
      step.changes.push_back({"adminPort", "", std::to_string(*node.pinned->admin_port)});
    }
    step.changes.push_back({"replicas", "", "0"});
    plan_.steps.push_back({std::move(step), CreateService{std::move(spec)}});
  }

  //! The swarm nodes the service's tasks run on.
  std::vector<std::string> running_on(const clients::DockerService& service) const {
    std::vector<std::string> out;
    for (const auto& [node_id, count] : running_tasks_by_node(swarm_, service.id)) {
      for (const auto& node : swarm_.nodes) {
        if (node.id == node_id) {
          out.push_back(node.hostname);
        }
      }
    }
    return out;
  }

  void plan_pin(const ListedNode& node, bool cluster_known) {
    const auto& service = *node.service;
    if (is_pinned_to(service.constraints, node.pinned->node)) {
      return;
    }
    const auto pins = pinned_constraints(service.constraints, node.pinned->node);
    auto step = describe("update", "service", service.name,
                         "Couchbase node " + std::to_string(node.index + 1) + " pinned to " +
                             node.pinned->node + ", as the manual's compose file does");
    step.changes.push_back(
        {"constraints", join_text(service.constraints, " && "), join_text(pins, " && ")});
    ServiceUpdate update{service.id, service.version, edit::with_constraints(service.spec, pins)};
    const auto hosts = running_on(service);
    const bool holds_data = node.member != nullptr || !cluster_known;
    if (service.replicas.value_or(1) == 0 || (hosts.empty() && node.member == nullptr)) {
      plan_.steps.push_back({std::move(step), std::move(update)});
      return;
    }
    const bool in_place = hosts.size() == 1 && same_hostname(hosts.front(), node.pinned->node);
    if (!in_place && holds_data) {
      plan_.blocked.push_back(
          {std::move(step),
           service.name + " keeps its Couchbase data on " +
               (hosts.empty() ? std::string("the node it last ran on") : join_text(hosts)) +
               "; pinned to " + node.pinned->node +
               " it would start on an empty volume there. Take it out of the file first (it is "
               "rebalanced out), then list it on " +
               node.pinned->node});
      return;
    }
    // Swarm does not restart a task for a placement-only change its node still satisfies
    // (swarmkit's IsTaskDirtyPlacementConstraintsOnly), so pinning in place moves nothing.
    step.reason += "; it already runs there, so Swarm keeps it running";
    plan_.steps.push_back({std::move(step), std::move(update)});
  }

  bool is_couchbase_service(const clients::DockerService& service) const {
    const auto* primary = listed_.front().service;
    if (primary != nullptr && image_repository(service.image) == image_repository(primary->image)) {
      return true;
    }
    return std::any_of(listed_.begin(), listed_.end(),
                       [&](const ListedNode& node) { return node.service == &service; });
  }

  void plan_db_hosts() {
    const std::string wanted = db_host_list(spec_);
    const std::string prefix = desired_.stack + "_";
    for (const auto& service : swarm_.services) {
      const auto current = service.env.find("db_host");
      if (current == service.env.end() || current->second == wanted ||
          service.name.rfind(prefix, 0) != 0 || is_couchbase_service(service)) {
        continue;
      }
      const std::string short_name = service.name.substr(prefix.size());
      if (const auto declared = desired_.services.find(short_name);
          declared != desired_.services.end() && declared->second.env.count("db_host") > 0) {
        if (declared->second.env.at("db_host") != wanted) {
          finding(model::FindingLevel::kWarning, "DbHostIncomplete", service.name,
                  "services." + short_name + ".env.db_host is \"" +
                      declared->second.env.at("db_host") +
                      "\"; the manual wants every "
                      "Couchbase node in order: \"" +
                      wanted + "\"");
        }
        continue;  // the file sets it: the placement reconciler owns the value
      }
      auto step = describe("update", "service", service.name,
                           "every db_host lists all Couchbase nodes, primary first (manual)");
      step.changes.push_back({"env.db_host", current->second, wanted});
      plan_.steps.push_back(
          {std::move(step), ServiceUpdate{service.id, service.version,
                                          edit::with_env(service.spec, {{"db_host", wanted}})}});
    }
  }

  // --- 5. scale-out -------------------------------------------------------------------------
  //! Why the next worker may not start yet, or nullopt.
  std::optional<std::string> not_ready_for(const ListedNode& next) const {
    for (const auto& node : listed_) {
      if (node.index >= next.index) {
        break;
      }
      if (node.member == nullptr || !node.member->active() || !node.member->healthy()) {
        return node.pinned->service + " is not an active, healthy member yet";
      }
    }
    for (const auto& index : cb_.indexes.indexes) {
      if (index.status != "Ready") {
        return "index " + index.bucket + "/" + index.name + " is " + index.status +
               " (the manual adds the next worker once the indexes are in)";
      }
    }
    return std::nullopt;
  }

  std::vector<std::string> node_services() const {
    if (const auto* primary = listed_.front().member; primary && !primary->services.empty()) {
      return primary->services;
    }
    return {"kv", "index", "n1ql"};
  }

  void plan_scale_out() {
    for (const auto& node : listed_) {
      if (node.index == 0) {
        continue;
      }
      if (node.service == nullptr) {
        wait(node.full_name + " joins once its service exists");
        return;
      }
      if (node.member != nullptr && node.member->active()) {
        continue;
      }
      if (node.member != nullptr && node.member->pending_add()) {
        plan_rebalance(node.pinned->service + " was added (" + node.member->cluster_membership +
                           "): a rebalance makes it active",
                       {});
        return;
      }
      if (node.service->replicas.value_or(1) == 0) {
        if (!cb_.cluster.balanced) {
          // Not a wait for the rules below: the rebalance they plan is what it waits for.
          plan_.waiting.push_back(node.full_name + " starts once the cluster is balanced");
          return;
        }
        if (const auto why = not_ready_for(node)) {
          wait(node.full_name + " starts once " + *why);
          return;
        }
        auto step = describe("scale", "service", node.full_name,
                             "scale-out one worker at a time: every earlier Couchbase node is "
                             "active and the cluster is balanced");
        step.changes.push_back({"replicas", "0", "1"});
        disruptive({std::move(step), ServiceUpdate{node.service->id, node.service->version,
                                                   edit::with_replicas(node.service->spec, 1)}});
        return;
      }
      if (!task_running(*node.service)) {
        wait(node.full_name + " has no running task on " + node.pinned->node);
        return;
      }
      std::string why_add = node.full_name + " runs but is not in the cluster";
      const auto flag = node.service->env.find("AUTO_REBALANCE");
      if (flag != node.service->env.end() && flag->second == "true") {
        const auto running_for = seconds_running(*node.service);
        if (!running_for || *running_for < kSelfJoinGraceSeconds) {
          wait(node.pinned->service + " runs and joins by itself (AUTO_REBALANCE=true; added by " +
               "the operator if it has not joined " + std::to_string(kSelfJoinGraceSeconds) +
               " s after its start)");
          return;
        }
        why_add = node.full_name + " has run for " + std::to_string(*running_for) +
                  " s with AUTO_REBALANCE=true without joining by itself";
      }
      auto step = describe("add-node", "node", node.pinned->service, why_add);
      step.changes.push_back({"services", "", join_text(node_services(), ",")});
      disruptive({std::move(step), AddCouchbaseNode{node.hostname, node_services()}});
      return;
    }
  }

  // --- 6. buckets ---------------------------------------------------------------------------
  void plan_buckets() {
    int active_data_nodes = 0;
    for (const auto& node : listed_) {
      if (node.member != nullptr && node.member->active() && node.member->has_service("kv")) {
        ++active_data_nodes;
      }
    }
    const int listed_cap = replica_cap(static_cast<int>(listed_.size()));
    const int active_cap = replica_cap(active_data_nodes);
    bool changed = false;
    for (const auto& wanted : spec_.buckets) {
      const auto observed = std::find_if(cb_.buckets.begin(), cb_.buckets.end(),
                                         [&](const auto& b) { return b.name == wanted.name; });
      if (observed == cb_.buckets.end()) {
        finding(model::FindingLevel::kWarning, "BucketMissing", wanted.name,
                "bucket " + wanted.name + " does not exist (the stack creates its buckets)");
        continue;
      }
      int target = std::min(wanted.replicas, listed_cap);
      if (target > observed->replica_number) {
        target = std::max(observed->replica_number, std::min(target, active_cap));
      }
      if (target < wanted.replicas) {
        finding(model::FindingLevel::kInfo, "ReplicasCapped", wanted.name,
                wanted.name + " wants " + std::to_string(wanted.replicas) + " replicas; " +
                    std::to_string(active_data_nodes) + " active data node(s) of " +
                    std::to_string(listed_.size()) + " hold at most " +
                    std::to_string(std::min(listed_cap, active_cap)) +
                    " (at most 3, and one fewer than the data nodes)");
      }
      if (target == observed->replica_number) {
        continue;
      }
      auto step = describe("set-replicas", "bucket", wanted.name,
                           "the bucket's replicas follow the file; they take effect at the next "
                           "rebalance");
      step.changes.push_back(
          {"replicaNumber", std::to_string(observed->replica_number), std::to_string(target)});
      plan_.steps.push_back({std::move(step), SetBucketReplicas{wanted.name, target}});
      changed = true;
    }
    if (changed) {
      plan_rebalance("new bucket replica counts take effect at a rebalance", {});
    } else if (!cb_.cluster.balanced) {
      plan_rebalance("the cluster is not balanced" + unbalanced_reasons(), {});
    }
  }

  std::string unbalanced_reasons() const {
    std::vector<std::string> reasons;
    for (const auto* list :
         {&cb_.cluster.services_need_rebalance, &cb_.cluster.buckets_need_rebalance}) {
      if (*list) {
        for (const auto& reason : **list) {
          reasons.push_back(reason.code + " (" + join_text(reason.names) + ")");
        }
      }
    }
    return reasons.empty() ? "" : ": " + join_text(reasons);
  }

  // --- 7. auto-failover ---------------------------------------------------------------------
  void plan_auto_failover() {
    const auto& wanted = spec_.auto_failover;
    const auto& current = cb_.auto_failover;
    const int timeout =
        static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(wanted.timeout).count());
    const std::optional<int> max_count =
        current.max_count ? std::optional<int>(wanted.max_count) : std::nullopt;
    auto step = describe("set-auto-failover", "settings", "autoFailover",
                         "Couchbase's auto-failover follows the file");
    if (current.enabled != wanted.enabled) {
      step.changes.push_back(
          {"enabled", current.enabled ? "true" : "false", wanted.enabled ? "true" : "false"});
    }
    if (wanted.enabled && current.timeout_seconds != timeout) {
      step.changes.push_back({"timeout", std::to_string(current.timeout_seconds) + "s",
                              std::to_string(timeout) + "s"});
    }
    if (wanted.enabled && max_count && current.max_count != max_count) {
      step.changes.push_back(
          {"maxCount", std::to_string(*current.max_count), std::to_string(*max_count)});
    }
    if (!step.changes.empty()) {
      plan_.steps.push_back({std::move(step), SetAutoFailover{wanted.enabled, timeout, max_count}});
    }
  }

  // --- 8. scale-in --------------------------------------------------------------------------
  const clients::DockerService* service_running(const std::string& hostname) const {
    const std::string prefix = desired_.stack + "_";
    for (const auto& service : swarm_.services) {
      if (service.name.rfind(prefix, 0) != 0 || !is_couchbase_service(service)) {
        continue;
      }
      std::string host = container_hostname(service.spec);
      if (host.empty()) {
        host = couchbase_hostname(service.name.substr(prefix.size()));
      }
      if (same_hostname(host, hostname)) {
        return &service;
      }
    }
    return nullptr;
  }

  bool listed_service(const clients::DockerService& service) const {
    return std::any_of(listed_.begin(), listed_.end(),
                       [&](const ListedNode& node) { return node.service == &service; });
  }

  void plan_scale_in() {
    // Members the file does not list, last-added first (the manual's numbering, reversed).
    std::vector<std::pair<const clients::DockerService*, const clients::CouchbaseNode*>> out;
    for (const auto& node : cb_.cluster.nodes) {
      if (listed_for(node) != nullptr) {
        continue;
      }
      const auto* service = service_running(host_part(node.hostname));
      if (service == nullptr) {
        finding(model::FindingLevel::kWarning, "UnlistedCouchbaseNode", node.otp_node,
                node.otp_node +
                    " is in the cluster but no Couchbase service of the stack runs "
                    "it: left alone");
        continue;
      }
      out.emplace_back(service, &node);
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first->name > b.first->name; });
    if (!out.empty()) {
      const auto& [service, node] = out.front();
      plan_rebalance("scale-in: " + service->name +
                         " is not in the file; a rebalance moves its data to the others "
                         "before its service stops",
                     {node->otp_node});
      return;
    }
    for (const auto& service : swarm_.services) {
      if (service.name.rfind(desired_.stack + "_", 0) != 0 || !is_couchbase_service(service) ||
          listed_service(service) || service.replicas.value_or(1) == 0) {
        continue;
      }
      auto step = describe("scale", "service", service.name,
                           "scale-in: not in the file and out of the cluster");
      step.changes.push_back({"replicas", std::to_string(service.replicas.value_or(1)), "0"});
      disruptive({std::move(step), ServiceUpdate{service.id, service.version,
                                                 edit::with_replicas(service.spec, 0)}});
      return;
    }
  }

  const model::DesiredState& desired_;
  const model::CouchbaseSpec& spec_;
  const SwarmObservation& swarm_;
  const CouchbaseObservation& cb_;
  NodeIndex swarm_nodes_;
  std::vector<ListedNode> listed_;
  bool disruptive_planned_ = false;
  bool topology_waits_ = false;
  CouchbasePlan plan_;
};

}  // namespace

const clients::CouchbaseNode* couchbase_member(const clients::CouchbaseCluster& cluster,
                                               std::string_view hostname) {
  for (const auto& node : cluster.nodes) {
    if (same_hostname(host_part(node.hostname), hostname)) {
      return &node;
    }
  }
  return nullptr;
}

std::string couchbase_hostname(const std::string& service) {
  return service + ".isnet";
}

std::string db_host_list(const model::CouchbaseSpec& spec) {
  std::vector<std::string> names;
  for (const auto& node : spec.nodes) {
    names.push_back(node.service);
  }
  return join_text(names, ",");
}

int replica_cap(int data_nodes) {
  return std::clamp(data_nodes - 1, 0, 3);
}

model::PlanReport CouchbasePlan::report() const {
  return report_of(kCouchbase, *this);
}

CouchbasePlan plan_couchbase(const model::DesiredState& desired, const SwarmObservation& swarm,
                             const CouchbaseObservation& couchbase) {
  if (!desired.couchbase || desired.couchbase->nodes.empty()) {
    return {};
  }
  return CouchbasePlan(CouchbasePlanner(desired, swarm, couchbase).run());
}

}  // namespace swarmop::reconcilers
