#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

//! What the RabbitMQ management API returns, reduced to what the operator reads.
namespace swarmop::clients {

struct RabbitOverview {
  std::string rabbitmq_version;  //!< "3.10.8"
  std::string cluster_name;
  std::string node;  //!< the node that answered
  int major_version() const;
  //! Classic queue mirroring (the ha-* policy keys, the sync action) was removed in 4.0.
  bool has_classic_mirroring() const { return major_version() < 4; }
};

struct RabbitNode {
  std::string name;  //!< rabbit@host
  std::string type;  //!< disc, ram
  bool running = false;
  //! Absent for a stopped node and until the node's first statistics arrive (up to about 5 s
  //! after it starts): "not known", which is not the same as "no partition".
  std::optional<std::vector<std::string>> partitions;
  bool mem_alarm = false;
  bool disk_free_alarm = false;
};

struct RabbitPolicy {
  std::string vhost = "/";
  std::string name;
  std::string pattern;
  std::string apply_to = "all";
  int priority = 0;
  boost::json::object definition;

  //! Same pattern, apply-to, priority and definition (as JSON values, so key order and
  //! 1 versus 1.0 do not matter): what decides whether a PUT is needed.
  bool same_effect_as(const RabbitPolicy& other) const;
};

struct RabbitQueue {
  std::string vhost;
  std::string name;
  std::string type;  //!< classic, quorum, stream
  std::string node;  //!< the leader (master)
  std::optional<std::string> policy;
  //! Absent when the queue is not mirrored; [] when mirrored with no mirrors.
  std::optional<std::vector<std::string>> mirror_nodes;
  std::optional<std::vector<std::string>> synchronised_mirror_nodes;
  std::string state;  //!< running, syncing, flow, ...
  std::uint64_t messages = 0;

  //! Mirror nodes that are not synchronised, compared as sets.
  std::vector<std::string> unsynchronised_mirrors() const;
};

struct HealthCheckResult {
  bool ok = false;
  std::string reason;
};

enum class PolicyWrite { kCreated, kUpdated };
enum class PolicyDelete { kDeleted, kWasAbsent };

}  // namespace swarmop::clients
