#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "swarmop/sim/clock.hpp"
#include "swarmop/sim/engine_server.hpp"
#include "swarmop/sim/fault_injector.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

struct ClusterOptions {
  //! true: time moves only through advance() (tests); false: wall time (`swarm-operator sim`).
  bool manual_clock = true;
  WorldOptions world;
  bool tcp = true;  //!< every engine on a loopback TCP port
  std::string tcp_host = "127.0.0.1";
  int first_tcp_port = 0;    //!< 0: free ports; else engine i listens on first + i
  bool unix_sockets = true;  //!< every engine on <socket_dir>/<hostname>.sock
  std::string socket_dir;    //!< empty: a fresh temporary directory, removed at stop
  //! How often (wall time) due time-driven changes are applied without a request.
  std::chrono::milliseconds tick_interval{20};
};

//! A running simulated swarm: the world, one engine per host (TCP and/or unix socket), fault
//! injection, and a ticker that applies time-driven changes. Build the world in `build`
//! (hosts, swarm, services) before the engines start; every host gets an engine.
class SimulatedCluster {
 public:
  SimulatedCluster(ClusterOptions options, const std::function<void(SwarmWorld&)>& build);
  ~SimulatedCluster();
  SimulatedCluster(const SimulatedCluster&) = delete;
  SimulatedCluster& operator=(const SimulatedCluster&) = delete;

  SwarmWorld& world() { return *world_; }
  FaultInjector& faults() { return faults_; }
  //! nullptr with a wall clock.
  ManualClock* manual_clock() { return manual_clock_.get(); }
  //! Moves a manual clock forward and applies what became due. Throws with a wall clock.
  void advance(std::chrono::nanoseconds by);

  std::vector<std::string> hostnames() const;
  //! "tcp://127.0.0.1:PORT" / "unix:///dir/node1.sock" of a host's engine (DOCKER_HOST form).
  std::string tcp_address(const std::string& hostname) const;
  std::string unix_address(const std::string& hostname) const;
  //! The current leader's engine (TCP when enabled, else the unix socket).
  std::string leader_address() const;
  //! Starts an engine for a host added to the world after start (an extra unjoined machine).
  void start_engine(const std::string& hostname);

  //! The host's daemon dies (its endpoints refuse, managers notice after the heartbeat delay)
  //! or comes back.
  void set_node_down(const std::string& hostname, bool down);
  //! The host is cut off from the cluster; its engine still answers locally.
  void set_partitioned(const std::string& hostname, bool partitioned);

  //! The /_sim test API (also served by every engine under /_sim/...): GET /state, /endpoints,
  //! /data (where each service's data lives, and every data loss), /data/losses; POST
  //! /nodes/<host>/{down,up,partition,heal}, /clock/advance?seconds=; fault rules at /faults.
  ApiReply control(const std::string& method, const std::string& path,
                   const std::map<std::string, std::string>& params, const std::string& body);

  //! Calls `observer` after every change that a request or time can make: each write request
  //! (once answered), each advance() of a manual clock, each tick of a wall clock. It runs on
  //! the thread that made the change, with no simulator lock held, and may read the world.
  //! Returns a handle for stop_observing().
  int observe_changes(std::function<void()> observer);
  //! After it returns the observer is no longer called (a call under way may still finish).
  void stop_observing(int handle);

  //! Stops the ticker and every engine, joins their threads. Idempotent.
  void stop();

 private:
  void changed();

  EngineServer& engine(const std::string& hostname) const;

  ClusterOptions options_;
  std::shared_ptr<ManualClock> manual_clock_;
  std::unique_ptr<SwarmWorld> world_;
  FaultInjector faults_;
  std::string socket_dir_;
  bool own_socket_dir_ = false;
  std::map<std::string, std::unique_ptr<EngineServer>> engines_;
  mutable std::mutex mutex_;
  std::condition_variable stop_ticker_;
  bool stopping_ = false;
  std::thread ticker_;
  std::mutex observers_mutex_;
  std::map<int, std::shared_ptr<const std::function<void()>>> observers_;
  int next_observer_ = 0;
};

}  // namespace swarmop::sim
