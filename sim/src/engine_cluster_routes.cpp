// Cluster-state endpoints: only a reachable manager's engine answers them.
#include <boost/json.hpp>

#include "engine_impl.hpp"

namespace swarmop::sim::engine {

namespace {

//! Runs `answer` only when this engine may serve cluster state; otherwise the engine's 503
//! (worker, not in a swarm) or "no leader" error.
Handler gated(EngineServer::Impl& engine, std::function<ApiReply(const httplib::Request&)> answer) {
  return [&engine, answer = std::move(answer)](const httplib::Request& request,
                                               httplib::Response& response) {
    if (auto refused = engine.world.cluster_gate(engine.options.hostname)) {
      return reply(response, *refused);
    }
    reply(response, answer(request));
  };
}

std::optional<std::string> optional_param(const httplib::Request& request, const char* name) {
  if (!request.has_param(name)) {
    return std::nullopt;
  }
  return request.get_param_value(name);
}

bool flag(const httplib::Request& request, const char* name) {
  const std::string value = request.get_param_value(name);
  return value == "true" || value == "1";
}

}  // namespace

void install_cluster_routes(EngineServer::Impl& engine) {
  SwarmWorld& world = engine.world;
  route(engine, "GET", "/swarm",
        gated(engine, [&world](const httplib::Request&) { return world.inspect_swarm(); }));
  route(engine, "GET", "/nodes", gated(engine, [&world](const httplib::Request& request) {
          return world.list_nodes(request.get_param_value("filters"));
        }));
  route(engine, "GET", "/nodes/([^/]+)", gated(engine, [&world](const httplib::Request& request) {
          return world.inspect_node(path_arg(request, 1));
        }));
  route(engine, "POST", "/nodes/([^/]+)/update",
        gated(engine, [&world](const httplib::Request& request) {
          return world.update_node(path_arg(request, 1), optional_param(request, "version"),
                                   request.body);
        }));
  route(engine, "DELETE", "/nodes/([^/]+)",
        gated(engine, [&world](const httplib::Request& request) {
          return world.remove_node(path_arg(request, 1), flag(request, "force"));
        }));
  route(engine, "GET", "/services", gated(engine, [&world](const httplib::Request& request) {
          return world.list_services(request.get_param_value("filters"), flag(request, "status"));
        }));
  route(engine, "POST", "/services/create",
        gated(engine, [&world](const httplib::Request& request) {
          return world.create_service(request.body);
        }));
  route(engine, "GET", "/services/([^/]+)",
        gated(engine, [&world](const httplib::Request& request) {
          return world.inspect_service(path_arg(request, 1));
        }));
  route(engine, "POST", "/services/([^/]+)/update",
        gated(engine, [&world](const httplib::Request& request) {
          return world.update_service(path_arg(request, 1), optional_param(request, "version"),
                                      request.body);
        }));
  route(engine, "DELETE", "/services/([^/]+)",
        gated(engine, [&world](const httplib::Request& request) {
          return world.remove_service(path_arg(request, 1));
        }));
  route(engine, "GET", "/tasks", gated(engine, [&world](const httplib::Request& request) {
          return world.list_tasks(request.get_param_value("filters"));
        }));
}

}  // namespace swarmop::sim::engine
