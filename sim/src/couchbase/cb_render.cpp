#include "cb_render.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace swarmop::sim::couchbase::render {

namespace json = boost::json;

namespace {

constexpr const char* kVersion = "7.6.2-3721-enterprise";

std::string with_uuid(const ClusterModel& model, const std::string& uri) {
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + "uuid=" + model.uuid();
}

double fraction_done(const TopologyTask& task, UnixNanos now) {
  if (task.due <= task.started) {
    return 1.0;
  }
  const double done =
      static_cast<double>(now - task.started) / static_cast<double>(task.due - task.started);
  return std::clamp(done, 0.0, 1.0);
}

std::vector<std::string> task_nodes(const TopologyTask& task) {
  std::vector<std::string> out = task.keep;
  out.insert(out.end(), task.eject.begin(), task.eject.end());
  out.insert(out.end(), task.failover_nodes.begin(), task.failover_nodes.end());
  return out;
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) {
    out.emplace_back(item);
  }
  return out;
}

}  // namespace

json::value pools(const ClusterModel& model, const NodeState& via) {
  json::object out{
      {"isAdminCreds", true},
      {"isROAdminCreds", false},
      {"isEnterprise", true},
      {"allowedServices", strings({"kv", "n1ql", "index", "fts", "cbas", "eventing", "backup"})},
      {"isDeveloperPreview", false},
      {"packageVariant", "linux"},
      {"implementationVersion", kVersion},
      {"componentsVersion", json::object{{"ns_server", kVersion}}}};
  if (!via.provisioned || !model.exists()) {
    // Unprovisioned: empty lists, not strings.
    out["pools"] = json::array{};
    out["settings"] = json::array{};
    out["uuid"] = json::array{};
    return out;
  }
  out["pools"] =
      json::array{json::object{{"name", "default"},
                               {"uri", with_uuid(model, "/pools/default")},
                               {"streamingUri", with_uuid(model, "/poolsStreaming/default")}}};
  out["settings"] =
      json::object{{"maxParallelIndexers", with_uuid(model, "/settings/maxParallelIndexers")},
                   {"viewUpdateDaemon", with_uuid(model, "/settings/viewUpdateDaemon")}};
  out["uuid"] = model.uuid();
  return out;
}

json::value node(const ClusterModel& model, const NodeState& node, const NodeState& via,
                 UnixNanos now) {
  const std::string host = node.host.empty() ? "127.0.0.1" : node.host;
  json::object out{{"clusterMembership", node.member ? node.membership : "inactiveAdded"},
                   {"recoveryType", node.recovery_type},
                   {"status", node.member ? model.status(node, now) : "healthy"},
                   {"otpNode", node.otp_node()},
                   {"hostname", host + ":8091"},
                   {"configuredHostname", host + ":8091"},
                   {"nodeUUID", node.uuid},
                   {"clusterCompatibility", 458758},
                   {"version", kVersion},
                   {"os", "x86_64-pc-linux-gnu"},
                   {"cpuCount", 4},
                   {"ports", json::object{{"direct", 11210},
                                          {"httpsCAPI", 18092},
                                          {"httpsMgmt", 18091},
                                          {"distTCP", 21100},
                                          {"distTLS", 21150}}},
                   {"services", strings(node.services)},
                   {"nodeEncryption", false},
                   {"addressFamily", "inet"},
                   {"serverGroup", "Group 1"}};
  if (&node == &via) {
    out["thisNode"] = true;
  }
  return out;
}

json::value pools_default(const ClusterModel& model, const NodeState& via, UnixNanos now) {
  json::array nodes;
  for (const auto* member : model.members()) {
    nodes.push_back(node(model, *member, via, now));
  }
  const auto services_reasons = model.services_need_rebalance();
  const auto bucket_reasons = model.buckets_need_rebalance();
  const bool balanced = services_reasons.empty() && bucket_reasons.empty();
  json::object counters;
  for (const auto& [name, count] : model.counters()) {
    counters[name] = count;
  }
  json::array bucket_names;
  for (const auto& b : model.buckets()) {
    bucket_names.push_back(json::object{{"bucketName", b.name}, {"uuid", b.uuid}});
  }
  json::object controllers;
  for (const char* name : {"addNode", "rebalance", "failOver", "startGracefulFailover", "reAddNode",
                           "reFailOver", "ejectNode", "setRecoveryType"}) {
    controllers[name] = json::object{{"uri", with_uuid(model, std::string("/controller/") + name)}};
  }
  json::object out{
      {"name", "default"},
      {"clusterName", "PowerFlow"},
      {"nodes", nodes},
      {"rebalanceStatus", model.task() ? "running" : "none"},
      {"rebalanceProgressUri", "/pools/default/rebalanceProgress"},
      {"stopRebalanceUri", with_uuid(model, "/controller/stopRebalance")},
      {"balanced", balanced},
      {"counters", counters},
      {"tasks", json::object{{"uri", "/pools/default/tasks?v=1"}}},
      {"indexStatusURI", "/indexStatus?v=1"},
      {"memoryQuota", 2048},
      {"indexMemoryQuota", 512},
      {"ftsMemoryQuota", 512},
      {"cbasMemoryQuota", 1024},
      {"eventingMemoryQuota", 256},
      {"buckets", json::object{{"uri", with_uuid(model, "/pools/default/buckets?v=1")}}},
      {"bucketNames", bucket_names},
      {"controllers", controllers},
      {"maxBucketCount", 30},
      {"minReplicasCount", 0}};
  if (!balanced) {
    out["servicesNeedRebalance"] = services_reasons;
    out["bucketsNeedRebalance"] = bucket_reasons;
  }
  return out;
}

json::value bucket(const ClusterModel& model, const BucketState& b, const NodeState& via,
                   UnixNanos now, bool skip_map) {
  json::array nodes;
  for (const auto& server : b.servers) {
    if (const auto* member = model.member(server)) {
      nodes.push_back(node(model, *member, via, now));
    }
  }
  json::object out{{"name", b.name},
                   {"bucketType", "membase"},
                   {"storageBackend", "couchstore"},
                   {"uuid", b.uuid},
                   {"numVBuckets", kNumVBuckets},
                   {"replicaNumber", b.replica_number},
                   {"quota", json::object{{"ram", 536870912}, {"rawRAM", 536870912}}},
                   {"basicStats", json::object{{"quotaPercentUsed", 1.5},
                                               {"opsPerSec", 0},
                                               {"diskFetches", 0},
                                               {"itemCount", 0},
                                               {"diskUsed", 0},
                                               {"dataUsed", 0},
                                               {"memUsed", 0},
                                               {"vbActiveNumNonResident", 0}}},
                   {"evictionPolicy", "valueOnly"},
                   {"durabilityMinLevel", "none"},
                   {"nodes", nodes}};
  if (!skip_map) {
    json::array servers;
    for (const auto& server : b.servers) {
      const auto* member = model.member(server);
      servers.emplace_back((member ? member->host : server) + ":11210");
    }
    // Chains keep the length of the last rebalance; copies lost to failovers show as -1.
    const int n = static_cast<int>(b.servers.size());
    const int placed = std::min(b.copies, n);
    json::array map;
    for (int vb = 0; vb < kNumVBuckets; ++vb) {
      json::array chain;
      for (int copy = 0; copy < b.chain_length; ++copy) {
        chain.emplace_back(copy < placed ? (vb + copy) % n : -1);
      }
      map.push_back(std::move(chain));
    }
    out["vBucketServerMap"] = json::object{{"hashAlgorithm", "CRC"},
                                           {"numReplicas", b.replica_number},
                                           {"serverList", servers},
                                           {"vBucketMap", map}};
  }
  return out;
}

json::value buckets(const ClusterModel& model, const NodeState& via, UnixNanos now, bool skip_map) {
  json::array out;
  for (const auto& b : model.buckets()) {
    out.push_back(bucket(model, b, via, now, skip_map));
  }
  return out;
}

json::value tasks(const ClusterModel& model, UnixNanos now) {
  json::array out;
  if (const auto& task = model.task()) {
    const double done = fraction_done(*task, now);
    json::object per_node;
    for (const auto& name : task_nodes(*task)) {
      per_node[name] = json::object{{"progress", done * 100}};
    }
    out.push_back(json::object{{"statusId", task->id},
                               {"type", "rebalance"},
                               {"subtype", task->subtype},
                               {"recommendedRefreshPeriod", 0.25},
                               {"status", "running"},
                               {"progress", done * 100},
                               {"perNode", per_node},
                               {"rebalanceId", task->id},
                               {"nodesInfo", json::object{{"active_nodes", strings(task->keep)},
                                                          {"keep_nodes", strings(task->keep)},
                                                          {"eject_nodes", strings(task->eject)},
                                                          {"delta_nodes", strings(task->delta)},
                                                          {"failed_nodes", strings(task->failed)}}},
                               {"masterNode", model.orchestrator()}});
  } else {
    json::object entry{{"statusId", model.uuid().empty() ? "0" : model.uuid()},
                       {"type", "rebalance"},
                       {"subtype", "rebalance"},
                       {"status", "notRunning"},
                       {"statusIsStale", false},
                       {"masterRequestTimedOut", false}};
    if (!model.last_error().empty()) {
      entry["errorMessage"] = model.last_error();
    }
    out.push_back(std::move(entry));
  }
  for (const auto* member : model.members()) {
    if (model.status(*member, now) != "warmup") {
      continue;
    }
    for (const auto& b : model.buckets()) {
      if (std::find(b.servers.begin(), b.servers.end(), member->otp_node()) != b.servers.end()) {
        out.push_back(json::object{{"type", "warming_up"},
                                   {"status", "running"},
                                   {"bucket", b.name},
                                   {"node", member->otp_node()},
                                   {"recommendedRefreshPeriod", 2.0},
                                   {"stats", json::object{{"ep_warmup_state", "loading data"}}}});
      }
    }
  }
  return out;
}

json::value rebalance_progress(const ClusterModel& model, UnixNanos now) {
  const auto& task = model.task();
  if (!task) {
    json::object out{{"status", "none"}};
    if (!model.last_error().empty()) {
      out["errorMessage"] = model.last_error();
    }
    return out;
  }
  json::object out{{"status", "running"}};
  const double done = fraction_done(*task, now);
  for (const auto& name : task_nodes(*task)) {
    out[name] = json::object{{"progress", done}};
  }
  return out;
}

json::value auto_failover(const ClusterModel& model) {
  const auto& settings = model.auto_failover();
  return json::object{
      {"enabled", settings.enabled},
      {"timeout", settings.timeout_seconds},
      {"count", settings.count},
      {"failoverOnDataDiskIssues", json::object{{"enabled", false}, {"timePeriod", 120}}},
      {"disableMaxCount", false},
      {"maxCount", settings.max_count},
      {"canAbortRebalance", true},
      {"failoverPreserveDurabilityMajority", false}};
}

json::value index_status(const ClusterModel& model, UnixNanos now) {
  json::array indexes;
  bool stale = false;
  for (const auto* member : model.members()) {
    if (!member->hosts_indexes) {
      continue;
    }
    const bool reachable = member->reachable() && member->provisioned;
    stale = stale || !reachable;
    int replica = 0;
    for (const auto& definition : model.index_definitions()) {
      const std::string host = member->host + ":8091";
      const std::string statement =
          definition.name == "#primary"
              ? "CREATE PRIMARY INDEX `#primary` ON `" + definition.bucket + "`"
              : "CREATE INDEX `" + definition.name + "` ON `" + definition.bucket + "`(`type`)";
      const bool warming = model.indexes_warming(*member, now);
      indexes.push_back(json::object{{"id", definition.id},
                                     {"index", definition.name},
                                     {"indexName", definition.name},
                                     {"bucket", definition.bucket},
                                     {"scope", "_default"},
                                     {"collection", "_default"},
                                     {"status", warming ? "Warmup" : "Ready"},
                                     {"progress", warming ? 0 : 100},
                                     {"hosts", json::array{json::value(host)}},
                                     {"numReplica", 0},
                                     {"replicaId", replica},
                                     {"definition", statement},
                                     {"lastScanTime", "NA"},
                                     {"storageMode", "plasma"}});
    }
    ++replica;
  }
  json::array warnings;
  if (stale) {
    warnings.emplace_back(
        "Cannot communicate with indexer process. Information on indexes may be stale. Will "
        "retry.");
  }
  return json::object{{"indexes", indexes}, {"version", 1}, {"warnings", warnings}};
}

json::value logs(const ClusterModel& model) {
  json::array list;
  // Newest first, as the server lists them.
  for (auto it = model.logs().rbegin(); it != model.logs().rend(); ++it) {
    const auto first_line = it->text.substr(0, it->text.find('\n'));
    list.push_back(json::object{{"node", it->node},
                                {"type", it->type},
                                {"code", 0},
                                {"module", it->module},
                                {"tstamp", it->time / 1'000'000},
                                {"shortText", first_line},
                                {"text", it->text},
                                {"serverTime", it->time / 1'000'000}});
  }
  return json::object{{"list", list}};
}

json::value terse_cluster_info(const ClusterModel& model) {
  const bool balanced =
      model.services_need_rebalance().empty() && model.buckets_need_rebalance().empty();
  return json::object{{"clusterUUID", model.uuid()},
                      {"orchestrator", model.orchestrator()},
                      {"isBalanced", balanced},
                      {"clusterCompatVersion", "7.6"}};
}

json::value state(const ClusterModel& model, UnixNanos now) {
  json::array nodes;
  for (const auto& n : model.nodes()) {
    nodes.push_back(json::object{{"service", n.service},
                                 {"containerHostname", n.container_hostname},
                                 {"containerRunning", n.container_running},
                                 {"partitioned", n.partitioned},
                                 {"processDown", n.process_down},
                                 {"provisioned", n.provisioned},
                                 {"member", n.member},
                                 {"otpNode", n.otp_node()},
                                 {"membership", n.membership},
                                 {"recoveryType", n.recovery_type},
                                 {"status", n.member ? model.status(n, now) : ""},
                                 {"indexesWarming", model.indexes_warming(n, now)},
                                 {"dataHost", n.data_host},
                                 {"dataCopy", n.data_copy}});
  }
  return json::object{{"exists", model.exists()},
                      {"nodes", nodes},
                      {"tasks", tasks(model, now)},
                      {"autoFailover", auto_failover(model)}};
}

}  // namespace swarmop::sim::couchbase::render
