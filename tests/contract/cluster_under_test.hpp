#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "swarmop/clients/docker_client.hpp"

//! The contract suite runs the same tests against the simulated swarm and a real one. This is
//! the seam: what a test may ask of the cluster under test besides its Docker API.
namespace swarmop::contract {

class ClusterUnderTest {
 public:
  virtual ~ClusterUnderTest() = default;

  virtual std::string kind() const = 0;  //!< "sim" or "real"
  virtual int node_count() const = 0;    //!< nodes node1..nodeN; node1-3 managers, rest workers
  //! DOCKER_HOST form of node K's own engine.
  virtual std::string engine_address(int k) const = 0;

  // Failure helpers: a power cut, a graceful daemon stop, a restart, a network cut and heal.
  virtual void crash(int k) = 0;
  virtual void stop(int k) = 0;
  virtual void start(int k) = 0;
  virtual void partition(int k) = 0;
  virtual void heal(int k) = 0;

  //! Lets `step` of cluster time pass: the simulator moves its clock, a real swarm is waited on.
  virtual void pass_time(std::chrono::milliseconds step) = 0;
  //! How long node-failure detection may take here (real: up to 40 s).
  virtual std::chrono::seconds failure_deadline() const = 0;

  //! Back to the initial state: test services removed, nodes restarted, healed and restored.
  virtual void reset() = 0;
};

//! The cluster of this test binary, created once (make_cluster) and reset before each test.
ClusterUnderTest& cluster();
//! Defined once per test binary: target_sim.cpp or target_real.cpp.
std::unique_ptr<ClusterUnderTest> make_cluster();

std::unique_ptr<clients::DockerClient> client_for(const std::string& docker_host);
//! A client for node K's engine.
std::unique_ptr<clients::DockerClient> engine(int k);

//! Polls `done` until it holds or `deadline` of cluster time has passed.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline);

//! A small replicated service of the busybox image the real harness imports, named
//! "contract-NAME" so reset() can find it.
boost::json::object test_service_spec(const std::string& name, std::uint64_t replicas);

std::unique_ptr<ClusterUnderTest> make_simulated_cluster();
std::unique_ptr<ClusterUnderTest> make_real_cluster(const std::string& env_file);

}  // namespace swarmop::contract
