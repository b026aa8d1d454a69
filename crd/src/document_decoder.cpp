#include "document_decoder.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>

#include "swarmop/model/size.hpp"

namespace swarmop::model::detail {

namespace {

const MarkedNode& child(const MarkedNode& node, std::string_view key) {
  static const MarkedNode kAbsent;
  const MarkedNode* found = node.find(key);
  return found != nullptr ? *found : kAbsent;
}

bool has(const MarkedNode& node, std::string_view key) {
  return node.find(key) != nullptr;
}

std::string text(const MarkedNode& node, std::string_view key) {
  return child(node, key).text;
}

bool flag(const MarkedNode& node, std::string_view key, bool fallback) {
  const MarkedNode* found = node.find(key);
  return found != nullptr && found->kind == MarkedNode::Kind::kBool ? found->boolean : fallback;
}

// The schema bounds every integer field well inside int64, so the cast of an integral float
// such as 2.0 is exact.
std::int64_t integer(const MarkedNode& node, std::string_view key) {
  const MarkedNode& value = child(node, key);
  return value.kind == MarkedNode::Kind::kInt ? value.integer
                                              : static_cast<std::int64_t>(value.as_double());
}

std::optional<Duration> duration(const MarkedNode& node, std::string_view key) {
  if (!has(node, key)) {
    return std::nullopt;
  }
  return parse_duration(text(node, key));
}

std::map<std::string, std::string> string_map(const MarkedNode& node) {
  std::map<std::string, std::string> out;
  for (const auto& entry : node.entries) {
    out[entry.key] = scalar_to_string(entry.value);
  }
  return out;
}

std::vector<std::string> strings(const MarkedNode& node) {
  std::vector<std::string> out;
  for (const auto& item : node.items) {
    out.push_back(item.text);
  }
  return out;
}

TlsFiles decode_tls(const MarkedNode& node) {
  return TlsFiles{text(node, "caFile"), text(node, "certFile"), text(node, "keyFile"),
                  flag(node, "verify", true)};
}

NodeSpec decode_node(const MarkedNode& node) {
  NodeSpec out;
  out.hostname = text(node, "hostname");
  out.present = flag(node, "present", true);
  out.role = text(node, "role") == "manager" ? NodeRole::kManager : NodeRole::kWorker;
  const std::string availability = text(node, "availability");
  out.availability = availability == "drain"   ? Availability::kDrain
                     : availability == "pause" ? Availability::kPause
                                               : Availability::kActive;
  out.labels = string_map(child(node, "labels"));
  if (has(node, "datacenter")) {
    out.datacenter = text(node, "datacenter");
  }
  if (const MarkedNode* engine = node.find("engine")) {
    EngineEndpoint endpoint{text(*engine, "endpoint"), std::nullopt};
    if (const MarkedNode* tls = engine->find("tls")) {
      endpoint.tls = decode_tls(*tls);
    }
    out.engine = std::move(endpoint);
  }
  return out;
}

ResourceAmounts decode_amounts(const MarkedNode& node) {
  ResourceAmounts out;
  if (const MarkedNode* cpus = node.find("cpus")) {
    out.cpus = cpus->is_number() ? cpus->as_double() : std::strtod(cpus->text.c_str(), nullptr);
  }
  if (const MarkedNode* memory = node.find("memory")) {
    // An unparseable size was reported by the semantic pass; 0 never reaches a cluster.
    out.memory_bytes = memory->kind == MarkedNode::Kind::kInt
                           ? memory->integer
                           : parse_size(memory->text).value_or(0);
  }
  return out;
}

ServiceSpec decode_service(const std::string& name, const MarkedNode& node) {
  ServiceSpec out;
  out.name = name;
  if (has(node, "replicas")) {
    out.replicas = static_cast<std::uint64_t>(integer(node, "replicas"));
  }
  if (has(node, "maxReplicasPerNode")) {
    out.max_replicas_per_node = static_cast<std::uint64_t>(integer(node, "maxReplicasPerNode"));
  }
  if (const MarkedNode* constraints = node.find("constraints")) {
    std::vector<Constraint> parsed;
    for (const auto& item : constraints->items) {
      // Malformed constraints were reported by the semantic pass; keep the good ones.
      if (auto constraint = parse_constraint(item.text)) {
        parsed.push_back(std::move(*constraint));
      }
    }
    out.constraints = std::move(parsed);
  }
  if (const MarkedNode* preferences = node.find("preferences")) {
    std::vector<std::string> spreads;
    for (const auto& item : preferences->items) {
      spreads.push_back(text(item, "spread"));
    }
    out.spread_preferences = std::move(spreads);
  }
  out.spread = flag(node, "spread", false);
  out.stop_grace_period = duration(node, "stopGracePeriod");
  out.restart_delay = duration(node, "restartDelay");
  out.env = string_map(child(node, "env"));
  out.shared_storage = has(node, "storage") && text(node, "storage") == "shared";
  if (has(node, "dataNode")) {
    out.data_node = text(node, "dataNode");
  }
  if (const MarkedNode* resources = node.find("resources")) {
    Resources decoded;
    if (const MarkedNode* limits = resources->find("limits")) {
      decoded.limits = decode_amounts(*limits);
    }
    if (const MarkedNode* reservations = resources->find("reservations")) {
      decoded.reservations = decode_amounts(*reservations);
    }
    out.resources = decoded;
  }
  return out;
}

std::optional<Credentials> decode_credentials(const MarkedNode& section) {
  const MarkedNode* node = section.find("credentials");
  if (node == nullptr) {
    return std::nullopt;
  }
  Credentials out;
  if (has(*node, "username")) {
    out.username = text(*node, "username");
  }
  if (has(*node, "passwordFile")) {
    out.password_file = text(*node, "passwordFile");
  }
  if (has(*node, "file")) {
    out.file = text(*node, "file");
  }
  return out;
}

std::vector<PinnedService> decode_pinned(const MarkedNode& section) {
  std::vector<PinnedService> out;
  for (const auto& item : child(section, "nodes").items) {
    PinnedService pinned{text(item, "service"), text(item, "node"), std::nullopt};
    if (has(item, "adminPort")) {
      pinned.admin_port = static_cast<int>(integer(item, "adminPort"));
    }
    if (has(item, "dataNode")) {
      pinned.data_node = text(item, "dataNode");
    }
    out.push_back(std::move(pinned));
  }
  return out;
}

CouchbaseSpec decode_couchbase(const MarkedNode& node) {
  CouchbaseSpec out;
  out.endpoints = strings(child(node, "endpoints"));
  out.credentials = decode_credentials(node);
  out.nodes = decode_pinned(node);
  for (const auto& entry : child(node, "buckets").entries) {
    out.buckets.push_back(
        BucketSpec{entry.key, static_cast<int>(integer(entry.value, "replicas"))});
  }
  std::sort(out.buckets.begin(), out.buckets.end(),
            [](const BucketSpec& a, const BucketSpec& b) { return a.name < b.name; });
  const MarkedNode& failover = child(node, "autoFailover");
  out.auto_failover.enabled = flag(failover, "enabled", true);
  out.auto_failover.timeout = duration(failover, "timeout").value_or(out.auto_failover.timeout);
  if (has(failover, "maxCount")) {
    out.auto_failover.max_count = static_cast<int>(integer(failover, "maxCount"));
  }
  out.auto_rebalance = flag(node, "autoRebalance", true);
  return out;
}

HaPolicy decode_ha_policy(const MarkedNode& node) {
  HaPolicy out;
  if (has(node, "name")) {
    out.name = text(node, "name");
  }
  if (has(node, "vhost")) {
    out.vhost = text(node, "vhost");
  }
  if (has(node, "pattern")) {
    out.pattern = text(node, "pattern");
  }
  const std::string mode = text(node, "mode");
  out.mode = mode == "exactly" ? HaMode::kExactly : mode == "nodes" ? HaMode::kNodes : HaMode::kAll;
  if (const MarkedNode* params = node.find("params")) {
    if (params->is_seq()) {
      out.nodes = strings(*params);
    } else if (params->is_number()) {
      out.exactly_count = static_cast<int>(params->as_double());
    }
  }
  out.sync_mode =
      text(node, "syncMode") == "automatic" ? HaSyncMode::kAutomatic : HaSyncMode::kManual;
  if (has(node, "priority")) {
    out.priority = static_cast<int>(integer(node, "priority"));
  }
  const std::string apply_to = text(node, "applyTo");
  out.apply_to = apply_to == "queues"      ? ApplyTo::kQueues
                 : apply_to == "exchanges" ? ApplyTo::kExchanges
                                           : ApplyTo::kAll;
  return out;
}

RabbitmqSpec decode_rabbitmq(const MarkedNode& node) {
  RabbitmqSpec out;
  out.endpoints = strings(child(node, "endpoints"));
  out.credentials = decode_credentials(node);
  out.nodes = decode_pinned(node);
  if (const MarkedNode* policy = node.find("haPolicy")) {
    out.ha_policy = decode_ha_policy(*policy);
    out.ha_policy_declared = !policy->synthesized;
  }
  out.sync_mirrors = flag(node, "syncMirrors", true);
  if (const MarkedNode* periods = node.find("stopGracePeriods")) {
    for (const auto& item : periods->items) {
      out.stop_grace_periods.push_back(parse_duration(item.text).value_or(Duration{}));
    }
  }
  // The manual's recommendation when the file says nothing: node 1 stops last, after 20 s, so
  // it is the one the others rejoin; every other node gets Docker's default 10 s.
  for (std::size_t i = out.stop_grace_periods.size(); i < out.nodes.size(); ++i) {
    out.stop_grace_periods.push_back(i == 0 ? std::chrono::seconds(20) : std::chrono::seconds(10));
  }
  return out;
}

}  // namespace

std::string scalar_to_string(const MarkedNode& node) {
  switch (node.kind) {
    case MarkedNode::Kind::kString:
      return node.text;
    case MarkedNode::Kind::kBool:
      return node.boolean ? "true" : "false";
    case MarkedNode::Kind::kNull:
      return "";
    default:
      // Numbers keep the spelling of the file ("1.10" stays "1.10"), as Compose does; a default
      // synthesized from JSON has no spelling and is printed by Boost.JSON.
      return node.synthesized ? boost::json::serialize(node.to_json()) : node.text;
  }
}

//! The manual's gui recommendation ("Restricting the Number of Replicas") for a declared gui
//! whose placement the file leaves to the operator (no replicas, maxReplicasPerNode,
//! constraints or spread): one replica per core node (the listed nodes labelled types=master),
//! at most one per node, on node.labels.types == master. gui publishes its ports in host mode,
//! so each core node behind the load balancer needs its own. A file that places gui itself is
//! taken as written, and so is one without any core node.
static void apply_gui_defaults(DesiredState& out) {
  const auto gui = out.services.find("gui");
  if (gui == out.services.end()) {
    return;
  }
  std::uint64_t core_nodes = 0;
  for (const auto& node : out.swarm.nodes) {
    const auto types = node.labels.find("types");
    core_nodes += node.present && types != node.labels.end() && types->second == "master" ? 1 : 0;
  }
  if (core_nodes == 0) {
    return;
  }
  ServiceSpec& service = gui->second;
  if (service.replicas || service.max_replicas_per_node || service.constraints || service.spread) {
    return;
  }
  service.replicas = core_nodes;
  service.max_replicas_per_node = 1;
  service.constraints = std::vector<Constraint>{*parse_constraint("node.labels.types == master")};
}

DesiredState decode_document(const MarkedNode& root) {
  DesiredState out;
  const MarkedNode& metadata = child(root, "metadata");
  out.metadata.name = text(metadata, "name");
  out.metadata.annotations = string_map(child(metadata, "annotations"));
  const MarkedNode& spec = child(root, "spec");
  if (has(spec, "stack")) {
    out.stack = text(spec, "stack");
  }
  const MarkedNode& swarm = child(spec, "swarm");
  out.swarm.prune = flag(swarm, "prune", false);
  for (const auto& item : child(swarm, "nodes").items) {
    out.swarm.nodes.push_back(decode_node(item));
  }
  for (const auto& entry : child(spec, "services").entries) {
    out.services[entry.key] = decode_service(entry.key, entry.value);
  }
  apply_gui_defaults(out);
  if (const MarkedNode* couchbase = spec.find("couchbase")) {
    out.couchbase = decode_couchbase(*couchbase);
  }
  if (const MarkedNode* rabbitmq = spec.find("rabbitmq")) {
    out.rabbitmq = decode_rabbitmq(*rabbitmq);
  }
  return out;
}

}  // namespace swarmop::model::detail
