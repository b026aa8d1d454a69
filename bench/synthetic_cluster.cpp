#include "synthetic_cluster.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "swarmop/reconcilers/labels_planner.hpp"

namespace swarmop::bench {

namespace {

namespace json = boost::json;

constexpr int kEnvPerService = 12;  // a typical stack service's environment
constexpr int kManagedEnv = 3;      // of which the file manages the first few
constexpr std::int64_t kStopGraceNanos = 20'000'000'000;
constexpr std::int64_t kRestartDelayNanos = 5'000'000'000;
constexpr std::int64_t kMemoryLimit = 512LL * 1024 * 1024;

std::string numbered(const char* format, int n) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, n);
  return buffer;
}

// Swarm IDs are 25 characters: too long for the small-string buffer, as in production.
std::string swarm_id(char kind, int n) {
  return numbered("%024d", n).insert(0, 1, kind);
}

std::string hostname(int n) {
  return numbered("node-%04d", n);
}
std::string service_name(int n) {
  return numbered("svc-%03d", n);
}

//! The large clusters this operator targets run five managers; small ones three.
int manager_count(int nodes) {
  return nodes >= 50 ? 5 : 3;
}

std::map<std::string, std::string> node_labels(int n, bool manager) {
  return {{"types", manager ? "master" : "worker"}, {"zone", numbered("z%d", n % 3)}};
}

clients::DockerNode make_node(int n, int managers) {
  const bool manager = n < managers;
  clients::DockerNode node;
  node.id = swarm_id('n', n);
  node.version = 100 + static_cast<std::uint64_t>(n);
  node.hostname = hostname(n);
  node.role = manager ? "manager" : "worker";
  node.availability = "active";
  node.labels = node_labels(n, manager);
  node.labels[reconcilers::kManagedLabelsKey] = "types,zone";
  node.state = "ready";
  node.addr = numbered("10.0.%d.", n / 250) + std::to_string(n % 250 + 1);
  node.engine_version = "20.10.24+dfsg1";
  if (manager) {
    node.manager_reachability = "reachable";
    node.leader = n == 0;
    node.manager_addr = node.addr + ":2377";
  }
  json::object labels;
  for (const auto& [key, value] : node.labels) {
    labels[key] = value;
  }
  node.spec = {{"Name", ""},
               {"Labels", std::move(labels)},
               {"Role", node.role},
               {"Availability", node.availability}};
  return node;
}

//! Three placement shapes, as in a real stack: on managers, on workers, on workers of one zone.
std::vector<std::string> constraints_of(int service) {
  if (service % 10 == 0) {
    return {"node.labels.types == master"};
  }
  if (service % 10 == 9) {
    return {"node.labels.types == worker", "node.labels.zone == z1"};
  }
  return {"node.labels.types == worker"};
}

std::string env_entry(int service, int k) {
  return numbered("SVC_VAR_%02d=", k) + numbered("value-%03d-", service) + std::to_string(k);
}

json::object service_spec(const clients::DockerService& service, int n) {
  json::array env;
  for (int k = 0; k < kEnvPerService; ++k) {
    env.emplace_back(env_entry(n, k));
  }
  json::array constraints;
  for (const auto& c : service.constraints) {
    constraints.emplace_back(c);
  }
  json::object placement{
      {"Constraints", std::move(constraints)},
      {"Platforms", json::array{json::object{{"Architecture", "amd64"}, {"OS", "linux"}}}}};
  if (service.max_replicas > 0) {
    placement["MaxReplicas"] = service.max_replicas;
  }
  if (!service.spread_preferences.empty()) {
    placement["Preferences"] = json::array{
        json::object{{"Spread", {{"SpreadDescriptor", service.spread_preferences.front()}}}}};
  }
  json::object resources;
  if (n % 5 == 0) {
    resources["Limits"] = {{"NanoCPUs", std::int64_t{1'000'000'000}},
                           {"MemoryBytes", kMemoryLimit}};
  }
  return {
      {"Name", service.name},
      {"Labels",
       {{"com.docker.stack.image", service.image}, {"com.docker.stack.namespace", "iservices"}}},
      {"TaskTemplate",
       {{"ContainerSpec",
         {{"Image", service.image},
          {"Labels", {{"com.docker.stack.namespace", "iservices"}}},
          {"Env", std::move(env)},
          {"Privileges", {{"CredentialSpec", nullptr}, {"SELinuxContext", nullptr}}},
          {"StopGracePeriod", kStopGraceNanos},
          {"DNSConfig", json::object{}},
          {"Isolation", "default"}}},
        {"Resources", std::move(resources)},
        {"RestartPolicy",
         {{"Condition", "any"}, {"Delay", kRestartDelayNanos}, {"MaxAttempts", 0}}},
        {"Placement", std::move(placement)},
        {"Networks", json::array{json::object{{"Target", "iservices_default"},
                                              {"Aliases", json::array{service_name(n)}}}}},
        {"ForceUpdate", 0},
        {"Runtime", "container"}}},
      {"Mode", {{"Replicated", {{"Replicas", service.replicas.value_or(0)}}}}},
      {"UpdateConfig",
       {{"Parallelism", 1},
        {"FailureAction", "pause"},
        {"MaxFailureRatio", 0},
        {"Order", "stop-first"}}},
      {"EndpointSpec", {{"Mode", "vip"}}}};
}

struct Eligible {
  std::vector<int> managers;
  std::vector<int> workers;
  std::vector<int> zone1_workers;

  const std::vector<int>& for_service(int service) const {
    if (service % 10 == 0) {
      return managers;
    }
    return service % 10 == 9 ? zone1_workers : workers;
  }
};

clients::DockerService make_service(int n, std::uint64_t replicas, std::size_t eligible) {
  clients::DockerService service;
  service.id = swarm_id('s', n);
  service.version = 1000 + static_cast<std::uint64_t>(n);
  service.name = "iservices_" + service_name(n);
  service.mode = "replicated";
  service.replicas = replicas;
  service.constraints = constraints_of(n);
  // A third of the services cap replicas per node, at the most the even spread puts there.
  if (n % 3 == 0 && replicas > 0 && eligible > 0) {
    service.max_replicas = (replicas + eligible - 1) / eligible;
  }
  if (n % 4 == 0) {
    service.spread_preferences = {"node.labels.zone"};
  }
  service.image = "registry.example:5000/iservices/" + service_name(n) + ":1.4.2";
  for (int k = 0; k < kEnvPerService; ++k) {
    const std::string entry = env_entry(n, k);
    service.env[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
  }
  service.spec = service_spec(service, n);
  return service;
}

//! Round-robin over the eligible nodes, starting at a per-service offset: an even spread that
//! never exceeds the per-node cap, as the Swarm scheduler leaves a converged service.
void place_tasks(const clients::DockerService& service, int n, const std::vector<int>& eligible,
                 std::vector<clients::DockerTask>& tasks) {
  for (std::uint64_t slot = 1; slot <= service.replicas.value_or(0); ++slot) {
    const auto index = (static_cast<std::size_t>(n) + slot - 1) % eligible.size();
    clients::DockerTask task;
    task.id = swarm_id('t', static_cast<int>(tasks.size()));
    task.service_id = service.id;
    task.node_id = swarm_id('n', eligible[index]);
    task.slot = slot;
    task.desired_state = "running";
    task.state = "running";
    task.message = "started";
    tasks.push_back(std::move(task));
  }
}

model::ServiceSpec desired_service(const clients::DockerService& service, int n) {
  model::ServiceSpec spec;
  spec.name = service_name(n);
  spec.replicas = service.replicas;
  if (service.max_replicas > 0) {
    spec.max_replicas_per_node = service.max_replicas;
  }
  std::vector<model::Constraint> constraints;
  for (const auto& text : service.constraints) {
    constraints.push_back(*model::parse_constraint(text));
  }
  spec.constraints = std::move(constraints);
  if (!service.spread_preferences.empty()) {
    spec.spread_preferences = service.spread_preferences;
    spec.spread = true;
  }
  spec.stop_grace_period = std::chrono::seconds(20);
  if (n % 2 == 0) {
    spec.restart_delay = std::chrono::seconds(5);
  }
  if (n % 5 == 0) {
    spec.resources = model::Resources{model::ResourceAmounts{1.0, kMemoryLimit}, std::nullopt};
  }
  for (int k = 0; k < kManagedEnv; ++k) {
    const std::string entry = env_entry(n, k);
    spec.env[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
  }
  return spec;
}

//! A handful of edits, each of a different planner rule, at fixed places in the cluster.
model::DesiredState drift(model::DesiredState desired, int managers) {
  auto& nodes = desired.swarm.nodes;
  const int count = static_cast<int>(nodes.size());
  for (int n : {managers + 1, count / 2, count - 1}) {
    nodes[static_cast<std::size_t>(n)].labels["zone"] = "z2";
  }
  nodes[static_cast<std::size_t>(count - 2)].availability = model::Availability::kDrain;
  auto& services = desired.services;
  auto& replicas = services.at(service_name(1)).replicas;
  *replicas += 1;
  services.at(service_name(2)).env["SVC_VAR_00"] = "changed";
  services.at(service_name(4)).max_replicas_per_node = 2;
  services.at(service_name(5))
      .constraints->push_back(*model::parse_constraint("node.labels.zone == z2"));
  return desired;
}

}  // namespace

SyntheticCluster make_cluster(const ClusterSize& size) {
  SyntheticCluster out;
  const int managers = manager_count(size.nodes);
  Eligible eligible;
  model::DesiredState& desired = out.in_sync;
  desired.metadata.name = "bench";
  desired.stack = "iservices";
  for (int n = 0; n < size.nodes; ++n) {
    out.observed.nodes.push_back(make_node(n, managers));
    const bool manager = n < managers;
    (manager ? eligible.managers : eligible.workers).push_back(n);
    if (!manager && n % 3 == 1) {
      eligible.zone1_workers.push_back(n);
    }
    model::NodeSpec spec;
    spec.hostname = hostname(n);
    spec.role = manager ? model::NodeRole::kManager : model::NodeRole::kWorker;
    spec.labels = node_labels(n, manager);
    desired.swarm.nodes.push_back(std::move(spec));
  }
  for (int n = 0; n < size.services; ++n) {
    const auto replicas = static_cast<std::uint64_t>(size.tasks / size.services +
                                                     (n < size.tasks % size.services ? 1 : 0));
    const auto& nodes = eligible.for_service(n);
    auto service = make_service(n, replicas, nodes.size());
    place_tasks(service, n, nodes, out.observed.tasks);
    desired.services[service_name(n)] = desired_service(service, n);
    out.observed.services.push_back(std::move(service));
  }
  out.drifted = drift(out.in_sync, managers);
  return out;
}

}  // namespace swarmop::bench
