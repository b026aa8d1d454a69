#pragma once

#include <httplib.h>

#include <atomic>
#include <thread>

#include "swarmop/sim/engine_server.hpp"
#include "swarmop/sim/socket_proxy.hpp"

//! The inside of an EngineServer, shared by the files that register its routes.
namespace swarmop::sim {

struct EngineServer::Impl {
  SwarmWorld& world;
  FaultInjector& faults;
  SimControlHandler control;
  EngineServerOptions options;
  httplib::Server server;
  int backend_port = 0;
  std::thread thread;
  std::unique_ptr<SocketProxy> tcp_proxy;
  std::unique_ptr<SocketProxy> unix_proxy;
  std::atomic<bool> stopping{false};
  std::atomic<bool> reachable{true};

  Impl(SwarmWorld& w, FaultInjector& f, SimControlHandler c, EngineServerOptions o)
      : world(w), faults(f), control(std::move(c)), options(std::move(o)) {}
};

namespace engine {

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

//! Registers `pattern` with and without the /v1.NN prefix; the engine refuses API versions
//! outside 1.12..1.41 with its own 400s. Path groups of `pattern` are req.matches[2...].
void route(EngineServer::Impl& engine, const std::string& method, const std::string& pattern,
           Handler handler);
//! The n-th group of the route's own pattern (1-based).
std::string path_arg(const httplib::Request& request, std::size_t n);
void reply(httplib::Response& response, const ApiReply& reply);

void install_system_routes(EngineServer::Impl& engine);
void install_cluster_routes(EngineServer::Impl& engine);
void install_event_route(EngineServer::Impl& engine);
void install_control_routes(EngineServer::Impl& engine);

}  // namespace engine
}  // namespace swarmop::sim
