#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "swarmop/sim/api_reply.hpp"
#include "swarmop/sim/fault_injector.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

//! Answers the simulator's own test API (/_sim/...): node faults, fault rules, the clock,
//! state. Given the method, the path after "/_sim", the query parameters and the body.
using SimControlHandler = std::function<ApiReply(const std::string& method, const std::string& path,
                                                 const std::map<std::string, std::string>& params,
                                                 const std::string& body)>;

struct EngineServerOptions {
  std::string hostname;                //!< the simulated host whose engine this is
  std::string tcp_host = "127.0.0.1";  //!< where the public TCP endpoint listens
  int tcp_port = 0;                    //!< 0: any free port; -1: no TCP endpoint
  std::string unix_socket_path;        //!< empty: no unix socket endpoint
  //! Called after every request that may change the world (any method but GET and HEAD),
  //! once its reply is ready: where the invariant monitor looks after each step.
  std::function<void()> after_write = nullptr;
};

//! One simulated node's Docker engine: the Engine API (unversioned and /v1.NN/ paths) served
//! by cpp-httplib on an internal loopback port, reachable through a TCP and/or a unix socket
//! proxy. Cluster-state endpoints answer as the host's role allows (503 on workers); fault
//! rules apply before routing; /_sim/... goes to the control handler.
class EngineServer {
 public:
  EngineServer(SwarmWorld& world, FaultInjector& faults, SimControlHandler control,
               EngineServerOptions options);
  ~EngineServer();
  EngineServer(const EngineServer&) = delete;
  EngineServer& operator=(const EngineServer&) = delete;

  const std::string& hostname() const;
  std::string tcp_address() const;   //!< "tcp://127.0.0.1:PORT", empty without TCP
  std::string unix_address() const;  //!< "unix:///path", empty without a unix socket
  int tcp_port() const;
  //! false: the daemon is dead; connections are closed at once (streams included).
  void set_reachable(bool reachable);
  //! Ends streams, closes connections and joins every thread. Idempotent.
  void stop();

  struct Impl;  //!< public only so that the route files (sim/src) can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmop::sim
