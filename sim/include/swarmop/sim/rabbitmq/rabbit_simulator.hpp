#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "swarmop/sim/data_placement.hpp"
#include "swarmop/sim/fault_injector.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim::rabbitmq {

//! How the simulated RabbitMQ behaves. Defaults are the real server's (3.10 behaviour).
struct RabbitOptions {
  //! The management user (an administrator); "guest" / "guest" like a fresh real server.
  std::string user = "guest";
  std::string password = "guest";
  //! What /api/overview reports. Empty: the image tag's version ("is-rabbit:3.7.7-1" gives
  //! 3.7.7), else 3.10.8. A 4.x version switches to 4.x behaviour (no classic mirroring).
  std::string version;
  //! cluster_partition_handling: pause_minority (the test harness), autoheal or ignore.
  std::string partition_handling = "pause_minority";
  //! collect_statistics_interval: how often node and queue statistics refresh.
  std::chrono::milliseconds stats_interval{5000};
  //! How long a recorded partition lasts before the cluster recovers by itself (pause_minority
  //! after a transient split; autoheal after a healed cut).
  std::chrono::milliseconds partition_recovery{5000};
  //! How long a queue sync blocks the queue, per message and at least.
  std::chrono::microseconds sync_per_message{10};
  std::chrono::milliseconds sync_minimum{50};
  std::string listen_host = "127.0.0.1";
  //! 0: free ports; else the K-th rabbit node listens on first_port + K - 1.
  int first_port = 0;
  //! A service is a rabbit node when its image contains this.
  std::string image_match = "is-rabbit";
};

struct RabbitBroker;
class RabbitListener;

//! The RabbitMQ management API of a simulated cluster, driven by a SwarmWorld: every running
//! task of a service whose image contains `is-rabbit` is a rabbit node named
//! rabbit@<container hostname>, with its own loopback management port. A node whose host is
//! down, whose task is not running, that was stopped, or that pause_minority paused refuses
//! connections. Faults: node stop/start/kill, host partitions (from the world), transient
//! splits, alarms, a 4.x server, frozen statistics, and latency/drops/statuses through a
//! FaultInjector whose rule `node` is the rabbit node name.
class RabbitSimulator {
 public:
  RabbitSimulator(SwarmWorld& world, RabbitOptions options = {});
  ~RabbitSimulator();
  RabbitSimulator(const RabbitSimulator&) = delete;
  RabbitSimulator& operator=(const RabbitSimulator&) = delete;

  //! Re-reads the world (rabbit tasks, hosts down or partitioned), applies what became due by
  //! the world's clock, and opens or closes each node's port to match. A ticker calls it every
  //! 20 ms of wall time; tests call it after moving a manual clock or changing the world.
  void sync();

  //! Cluster members, in the order they first ran: "rabbit@rabbit_node1.isnet".
  std::vector<std::string> node_names() const;
  //! "http://127.0.0.1:PORT" of a member's management listener.
  std::string url(const std::string& node) const;
  //! Every member's URL, in node_names() order.
  std::vector<std::string> urls() const;
  const RabbitOptions& options() const { return options_; }

  // --- Faults -------------------------------------------------------------------------------
  //! `rabbitmqctl stop` (graceful): the node leaves; its mirrors go, its queues' leadership
  //! moves to a synchronised mirror. start_node() brings it back (its mirrors empty).
  void stop_node(const std::string& node);
  void start_node(const std::string& node);
  //! SIGKILL: like stop, but an unsynchronised mirror may be promoted (messages lost).
  void kill_node(const std::string& node);
  //! A transient split of the node from all others (links dropped once): under
  //! pause_minority it pauses for a second and the others record the partition for
  //! `partition_recovery`; under ignore the split-brain stays until a side restarts.
  void blip(const std::string& node);
  //! resource: "memory" or "disk space".
  void set_alarm(const std::string& node, const std::string& resource, bool on);
  //! Switches the reported version (and the 4.x behaviour) at run time.
  void set_version(const std::string& version);
  //! Statistics stop refreshing (stale /api/nodes and queue fields) until unfrozen.
  void freeze_stats(bool frozen);
  //! Latency, dropped connections and injected statuses; rule.node is the rabbit node name.
  FaultInjector& faults() { return *faults_; }

  // --- Data on hosts (the world's data placement) --------------------------------------------
  //! Every time a node came up on a host without its database, leaving the cluster's data
  //! behind (store "rabbitmq" entries of the world's record, also at GET /_sim/data/losses).
  std::vector<DataLoss> data_losses() const;
  //! `rabbitmqctl forget_cluster_node` for a node running with a blank database (it came up on
  //! a host without its data), then its reset and join_cluster as the manual does it: the
  //! members stop listing its old identity, the queues it led that nothing took over are
  //! deleted, and it is a member again with an empty database. Throws std::invalid_argument
  //! for any other node.
  void forget_node(const std::string& node);

  //! Closes every port and stops the ticker. Idempotent.
  void stop();

 private:
  void apply_listeners();

  SwarmWorld& world_;
  RabbitOptions options_;
  std::unique_ptr<FaultInjector> faults_;
  std::unique_ptr<RabbitBroker> broker_;
  struct Runtime;
  std::unique_ptr<Runtime> runtime_;
};

//! Adds `count` rabbit services to a world as the manual's HA setup does: service
//! <stack>_rabbitmq (rabbit_node1.isnet) and <stack>_rabbitmqK (rabbit_nodeK.isnet) for K >= 2,
//! each pinned to host nodeK. Skips services that already exist (the default stack's rabbitmq).
void add_rabbit_services(SwarmWorld& world, int count, const std::string& stack = "iservices",
                         const std::string& image = "sciencelogic/is-rabbit:3.7.7-1");

}  // namespace swarmop::sim::rabbitmq
