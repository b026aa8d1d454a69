// /_sim/...: the simulator's own test API, handed to the cluster's control handler.
#include "engine_impl.hpp"

namespace swarmop::sim::engine {

void install_control_routes(EngineServer::Impl& engine) {
  const auto forward = [&engine](const httplib::Request& request, httplib::Response& response) {
    if (!engine.control) {
      return reply(response, ApiReply::error(404, "page not found"));
    }
    std::map<std::string, std::string> params;
    for (const auto& [key, value] : request.params) {
      params[key] = value;
    }
    reply(response, engine.control(request.method, "/" + std::string(request.matches[1]), params,
                                   request.body));
  };
  engine.server.Get("/_sim/(.*)", forward);
  engine.server.Post("/_sim/(.*)", forward);
  engine.server.Delete("/_sim/(.*)", forward);
}

}  // namespace swarmop::sim::engine
