// The manual's clustered RabbitMQ: one service per rabbit node, each with its own hostname
// (rabbit_nodeK.isnet) and pinned to its own swarm node.
#include <boost/json.hpp>
#include <set>

#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

namespace swarmop::sim::rabbitmq {

namespace json = boost::json;

void add_rabbit_services(SwarmWorld& world, int count, const std::string& stack,
                         const std::string& image) {
  std::set<std::string> existing;
  for (const auto& service : world.services()) {
    if (const auto* name = service.spec.if_contains("Name"); name && name->is_string()) {
      existing.insert(std::string(name->get_string()));
    }
  }
  for (int k = 1; k <= count; ++k) {
    const std::string service = "rabbitmq" + (k == 1 ? std::string() : std::to_string(k));
    const std::string name = stack + "_" + service;
    if (existing.count(name) != 0) {
      continue;
    }
    const std::string hostname = "rabbit_node" + std::to_string(k) + ".isnet";
    json::object container{
        {"Image", image},
        {"Hostname", hostname},
        {"Labels", json::object{{"com.docker.stack.namespace", stack}}},
        {"Mounts", json::array{json::object{{"Type", "volume"},
                                            {"Source", "rabbitdb" + std::to_string(k)},
                                            {"Target", "/var/lib/rabbitmq"}}}}};
    json::object spec{
        {"Name", name},
        {"Labels",
         json::object{{"com.docker.stack.image", image}, {"com.docker.stack.namespace", stack}}},
        {"TaskTemplate",
         json::object{
             {"ContainerSpec", container},
             {"RestartPolicy", json::object{{"Condition", "any"}, {"MaxAttempts", 0}}},
             {"Placement", json::object{{"Constraints", json::array{"node.hostname == node" +
                                                                    std::to_string(k)}}}},
             {"Networks", json::array{json::object{{"Target", stack + "_default"},
                                                   {"Aliases", json::array{service, hostname}}}}}}},
        {"Mode", json::object{{"Replicated", json::object{{"Replicas", 1}}}}}};
    world.create_service_directly(spec);
  }
}

}  // namespace swarmop::sim::rabbitmq
