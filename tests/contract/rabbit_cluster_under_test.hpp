#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/rabbitmq_client.hpp"

//! The RabbitMQ contract suite runs against a cluster under test: the real 3-node harness
//! cluster (tests/harness/rabbitmq) or the RabbitMQ simulator. This is the seam: what a test may
//! ask of the cluster besides its management API.
namespace swarmop::contract {

class RabbitClusterUnderTest {
 public:
  virtual ~RabbitClusterUnderTest() = default;

  virtual std::string kind() const = 0;  //!< "sim" or "real"
  virtual int node_count() const = 0;    //!< nodes 1..N
  //! Node K's management endpoint, "http://127.0.0.1:26711".
  virtual std::string management_url(int k) const = 0;
  //! Node K's name as the management API shows it, "swop-rabbit1@localhost".
  virtual std::string node_name(int k) const = 0;
  //! The administrator's credentials (what a "user:password" credentials file holds).
  virtual clients::BasicAuth credentials() const = 0;

  // Failure helpers: a graceful stop, a start (rejoins the cluster), a SIGKILL, a lasting
  // network cut (the node pauses under pause_minority) and its heal.
  virtual void stop(int k) = 0;
  virtual void start(int k) = 0;
  virtual void kill(int k) = 0;
  virtual void partition(int k) = 0;
  virtual void heal(int k) = 0;
  //! A transient split: node K's links drop once and come back; the others record the
  //! partition in `partitions` for a few seconds, then the cluster recovers by itself.
  virtual void blip(int k) = 0;

  //! Declares the durable classic queue QUEUE (if needed) and publishes `count` persistent
  //! messages to it through node K.
  virtual void publish(const std::string& queue, int count, int k = 1) = 0;

  //! Lets `step` of cluster time pass: a simulator moves its clock, a real cluster is waited on.
  virtual void pass_time(std::chrono::milliseconds step) = 0;

  //! Back to the initial state: the tests' policies and queues ("contract-*") deleted, every
  //! node healed and started, and all of them running.
  virtual void reset() = 0;
};

//! The cluster of this test binary, created once (make_rabbit_cluster) and reset before each test.
RabbitClusterUnderTest& rabbit_cluster();
//! Defined once per test binary: rabbit_target_real.cpp or rabbit_target_sim.cpp.
std::unique_ptr<RabbitClusterUnderTest> make_rabbit_cluster();

std::unique_ptr<RabbitClusterUnderTest> make_real_rabbit_cluster(const std::string& env_file);
//! Three rabbit services on three simulated swarm nodes (simulated_rabbit_cluster_under_test.cpp).
std::unique_ptr<RabbitClusterUnderTest> make_simulated_rabbit_cluster();

//! A production client over the management endpoints of `nodes`, in that order, with the
//! cluster's credentials unless `auth` is given.
std::unique_ptr<clients::RabbitClient> rabbit_client(
    const std::vector<int>& nodes, std::optional<clients::BasicAuth> auth = std::nullopt);
//! A client for node K alone.
std::unique_ptr<clients::RabbitClient> rabbit_node(int k);

//! The queue NAME of vhost "/", or nullopt when it is not listed (or the call failed).
std::optional<clients::RabbitQueue> queue_named(clients::RabbitClient& client,
                                                const std::string& name);
//! Node names as a set: mirrors are compared without regard to order; absent is empty.
std::set<std::string> as_set(const std::optional<std::vector<std::string>>& names);

//! Polls `done` until it holds or `deadline` of cluster time has passed.
bool rabbit_wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline);

}  // namespace swarmop::contract
