#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/model/constraint.hpp"
#include "swarmop/model/duration.hpp"

//! The SwarmCluster document (apiVersion swarm-operator/v1alpha1) as plain values, with every
//! schema default already applied. crd/swarmcluster.schema.json is the field reference; this
//! header mirrors it. Secrets are never held here: only the paths of the files that hold them.
namespace swarmop::model {

inline constexpr std::string_view kApiVersion = "swarm-operator/v1alpha1";
inline constexpr std::string_view kKind = "SwarmCluster";

enum class NodeRole { kManager, kWorker };
enum class Availability { kActive, kDrain, kPause };

std::string_view to_string(NodeRole role);
std::string_view to_string(Availability availability);

struct TlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool verify = true;
};

//! A node's own Docker endpoint, used to join it to the swarm or make it leave.
struct EngineEndpoint {
  std::string endpoint;  //!< unix:///path or tcp://host:port
  std::optional<TlsFiles> tls;
};

struct NodeSpec {
  std::string hostname;
  bool present = true;  //!< false: the node should leave the swarm
  NodeRole role = NodeRole::kWorker;
  Availability availability = Availability::kActive;
  std::map<std::string, std::string> labels;
  std::optional<std::string> datacenter;
  std::optional<EngineEndpoint> engine;
};

struct SwarmSpec {
  bool prune = false;
  std::vector<NodeSpec> nodes;
};

struct ResourceAmounts {
  std::optional<double> cpus;
  std::optional<std::int64_t> memory_bytes;
};

struct Resources {
  std::optional<ResourceAmounts> limits;
  std::optional<ResourceAmounts> reservations;
};

//! What the file says about one service of the stack. An unset optional means "not managed":
//! the operator leaves that part of the running service as it is.
struct ServiceSpec {
  std::string name;  //!< without the stack prefix: "gui", not "iservices_gui"
  std::optional<std::uint64_t> replicas;
  std::optional<std::uint64_t> max_replicas_per_node;
  std::optional<std::vector<Constraint>> constraints;
  std::optional<std::vector<std::string>> spread_preferences;  //!< node.labels.KEY descriptors
  bool spread = false;
  std::optional<Duration> stop_grace_period;
  std::optional<Duration> restart_delay;
  std::map<std::string, std::string> env;
  std::optional<Resources> resources;
  //! Its volumes are shared storage that follows the task (NFS, a cluster filesystem): moving
  //! the service loses nothing, so the data-safety check leaves it alone.
  bool shared_storage = false;
  //! The node holding its local data, where the operator has no record of its own and the task
  //! history is ambiguous.
  std::optional<std::string> data_node;
};

//! Paths of the files holding credentials (Docker secrets). One of two forms: a username plus a
//! password file, or one file holding "username:password".
struct Credentials {
  std::optional<std::string> username;
  std::optional<std::string> password_file;
  std::optional<std::string> file;
};

//! A stack service that is one node of a clustered data store, pinned to one swarm node.
struct PinnedService {
  std::string service;
  std::string node;
  std::optional<int> admin_port;
  //! The node holding this node's data, where the operator has no record of its own and the
  //! task history is ambiguous (usually `node`).
  std::optional<std::string> data_node = std::nullopt;
};

struct BucketSpec {
  std::string name;
  int replicas = 0;
};

struct AutoFailover {
  bool enabled = true;
  Duration timeout = std::chrono::seconds(120);
  int max_count = 1;
};

struct CouchbaseSpec {
  std::vector<std::string> endpoints;
  std::optional<Credentials> credentials;
  std::vector<PinnedService> nodes;  //!< primary first
  std::vector<BucketSpec> buckets;   //!< sorted by name
  AutoFailover auto_failover;
  bool auto_rebalance = true;
};

enum class HaMode { kAll, kExactly, kNodes };
enum class HaSyncMode { kManual, kAutomatic };
enum class ApplyTo { kAll, kQueues, kExchanges };

struct HaPolicy {
  std::string name = "ha-all";
  std::string vhost = "/";
  std::string pattern = ".*";
  HaMode mode = HaMode::kAll;
  std::optional<int> exactly_count;  //!< with mode exactly
  std::vector<std::string> nodes;    //!< with mode nodes
  HaSyncMode sync_mode = HaSyncMode::kManual;
  int priority = 0;
  ApplyTo apply_to = ApplyTo::kAll;
};

struct RabbitmqSpec {
  std::vector<std::string> endpoints;
  std::optional<Credentials> credentials;
  std::vector<PinnedService> nodes;  //!< node 1 first
  HaPolicy ha_policy;
  bool ha_policy_declared = false;  //!< the file has an explicit haPolicy section
  bool sync_mirrors = true;
  std::vector<Duration> stop_grace_periods;
};

struct Metadata {
  std::string name;
  std::map<std::string, std::string> annotations;
};

struct DesiredState {
  Metadata metadata;
  std::string stack = "iservices";
  SwarmSpec swarm;
  std::map<std::string, ServiceSpec> services;
  std::optional<CouchbaseSpec> couchbase;
  std::optional<RabbitmqSpec> rabbitmq;

  const NodeSpec* find_node(std::string_view hostname) const;
};

}  // namespace swarmop::model
