#include "swarmop/sim/couchbase/couchbase_stack.hpp"

#include <boost/json.hpp>
#include <stdexcept>

namespace swarmop::sim::couchbase {

namespace json = boost::json;

json::object worker_spec(const std::string& stack, const std::string& name,
                         const std::string& pinned_to, bool auto_rebalance, int replicas) {
  const std::string image = "sciencelogic/is-couchbase:2.7.0";
  const std::string hostname = name + ".isnet";
  json::array env{"TYPE=WORKER", "db_host=couchbase"};
  if (auto_rebalance) {
    env.emplace_back("AUTO_REBALANCE=true");
  }
  json::object container{{"Image", image},
                         {"Labels", json::object{{"com.docker.stack.namespace", stack}}},
                         {"Hostname", hostname},
                         {"Env", env},
                         {"Mounts", json::array{json::object{{"Type", "bind"},
                                                             {"Source", "/var/data/couchbase"},
                                                             {"Target", "/opt/couchbase/var"}}}},
                         {"StopGracePeriod", 10'000'000'000}};
  return json::object{
      {"Name", stack + "_" + name},
      {"Labels",
       json::object{{"com.docker.stack.image", image}, {"com.docker.stack.namespace", stack}}},
      {"TaskTemplate",
       json::object{
           {"ContainerSpec", container},
           {"RestartPolicy", json::object{{"Condition", "any"}, {"MaxAttempts", 0}}},
           {"Placement",
            json::object{{"Constraints", json::array{"node.hostname == " + pinned_to}}}},
           {"Networks", json::array{json::object{
                            {"Target", stack + "_default"},
                            {"Aliases", json::array{json::value(name), json::value(hostname)}}}}}}},
      {"Mode", json::object{{"Replicated", json::object{{"Replicas", replicas}}}}},
      {"UpdateConfig",
       json::object{{"Parallelism", 1}, {"FailureAction", "pause"}, {"Order", "stop-first"}}},
      {"EndpointSpec", json::object{{"Mode", "vip"}}}};
}

void scale_service(SwarmWorld& world, const std::string& service, int replicas) {
  const auto inspected = world.inspect_service(service);
  if (!inspected.ok()) {
    throw std::runtime_error("scale " + service + ": " + inspected.message());
  }
  json::object spec = inspected.body.at("Spec").as_object();
  spec["Mode"] = json::object{{"Replicated", json::object{{"Replicas", replicas}}}};
  const auto version = inspected.body.at("Version").at("Index").to_number<std::uint64_t>();
  const auto updated =
      world.update_service(service, std::to_string(version), json::serialize(spec));
  if (!updated.ok()) {
    throw std::runtime_error("scale " + service + ": " + updated.message());
  }
}

}  // namespace swarmop::sim::couchbase
