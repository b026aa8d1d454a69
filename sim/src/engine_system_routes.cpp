// Engine endpoints every node answers, in or out of a swarm: /_ping, /version, /info, and
// the node's own membership: /swarm/join, /swarm/leave.
#include <boost/json.hpp>

#include "engine_impl.hpp"

namespace swarmop::sim::engine {

namespace json = boost::json;

void install_system_routes(EngineServer::Impl& engine) {
  route(engine, "GET", "/_ping", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-cache, no-store, must-revalidate");
    response.set_header("Pragma", "no-cache");
    response.set_content("OK", "text/plain; charset=utf-8");
  });
  route(engine, "GET", "/version", [](const httplib::Request&, httplib::Response& response) {
    json::object details{{"ApiVersion", "1.41"},
                         {"Arch", "amd64"},
                         {"BuildTime", "2023-05-10T17:40:58.000000000+00:00"},
                         {"Experimental", "false"},
                         {"GitCommit", "5d6db84"},
                         {"GoVersion", "go1.19.8"},
                         {"KernelVersion", "6.1.0-simulated"},
                         {"MinAPIVersion", "1.12"},
                         {"Os", "linux"}};
    reply(response,
          ApiReply{200, json::object{
                            {"Platform", json::object{{"Name", ""}}},
                            {"Components", json::array{json::object{{"Name", "Engine"},
                                                                    {"Version", "20.10.24+dfsg1"},
                                                                    {"Details", details}}}},
                            {"Version", "20.10.24+dfsg1"},
                            {"ApiVersion", "1.41"},
                            {"MinAPIVersion", "1.12"},
                            {"GitCommit", "5d6db84"},
                            {"GoVersion", "go1.19.8"},
                            {"Os", "linux"},
                            {"Arch", "amd64"},
                            {"KernelVersion", "6.1.0-simulated"},
                            {"BuildTime", "2023-05-10T17:40:58.000000000+00:00"}}});
  });
  route(engine, "GET", "/info", [&engine](const httplib::Request&, httplib::Response& response) {
    reply(response, engine.world.info(engine.options.hostname));
  });
  route(engine, "POST", "/swarm/join",
        [&engine](const httplib::Request& request, httplib::Response& response) {
          reply(response, engine.world.join(engine.options.hostname, request.body));
        });
  route(engine, "POST", "/swarm/leave",
        [&engine](const httplib::Request& request, httplib::Response& response) {
          const bool force =
              request.get_param_value("force") == "true" || request.get_param_value("force") == "1";
          reply(response, engine.world.leave(engine.options.hostname, force));
        });
}

}  // namespace swarmop::sim::engine
