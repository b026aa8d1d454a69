#include "swarmop/sim/default_world.hpp"

#include <boost/json.hpp>

namespace swarmop::sim {

namespace json = boost::json;

namespace {

struct ServiceShape {
  std::string name;
  std::string image;
  json::array env;
  std::string hostname;
  json::array aliases;
  json::array mounts;
  json::array secrets;
  json::array ports;
};

json::object make_spec(const std::string& stack, const ServiceShape& shape) {
  json::object container{
      {"Image", shape.image},
      {"Labels", json::object{{"com.docker.stack.namespace", stack}}},
      {"Env", shape.env},
      {"Privileges", json::object{{"CredentialSpec", nullptr}, {"SELinuxContext", nullptr}}},
      {"StopGracePeriod", 10'000'000'000},
      {"DNSConfig", json::object{}},
      {"Isolation", "default"}};
  if (!shape.hostname.empty()) {
    container["Hostname"] = shape.hostname;
  }
  if (!shape.mounts.empty()) {
    container["Mounts"] = shape.mounts;
  }
  if (!shape.secrets.empty()) {
    container["Secrets"] = shape.secrets;
  }
  json::array aliases = shape.aliases;
  aliases.emplace_back(shape.name);
  json::object spec{
      {"Name", stack + "_" + shape.name},
      {"Labels", json::object{{"com.docker.stack.image", shape.image},
                              {"com.docker.stack.namespace", stack}}},
      {"TaskTemplate",
       json::object{{"ContainerSpec", container},
                    {"Resources", json::object{}},
                    {"RestartPolicy", json::object{{"Condition", "any"}, {"MaxAttempts", 0}}},
                    {"Placement", json::object{{"Platforms", json::array{}}}},
                    {"Networks", json::array{json::object{{"Target", stack + "_default"},
                                                          {"Aliases", aliases}}}},
                    {"ForceUpdate", 0},
                    {"Runtime", "container"}}},
      {"Mode", json::object{{"Replicated", json::object{{"Replicas", 1}}}}},
      {"UpdateConfig", json::object{{"Parallelism", 1},
                                    {"FailureAction", "pause"},
                                    {"Monitor", 5'000'000'000},
                                    {"MaxFailureRatio", 0},
                                    {"Order", "stop-first"}}},
      {"EndpointSpec", json::object{{"Mode", "vip"}}}};
  if (!shape.ports.empty()) {
    spec["EndpointSpec"].as_object()["Ports"] = shape.ports;
  }
  return spec;
}

json::object port(int published, int target) {
  return json::object{{"Protocol", "tcp"},
                      {"TargetPort", target},
                      {"PublishedPort", published},
                      {"PublishMode", "ingress"}};
}

json::object bind(const std::string& source, const std::string& target) {
  return json::object{{"Type", "bind"}, {"Source", source}, {"Target", target}};
}

json::object secret(const std::string& name) {
  return json::object{
      {"File", json::object{{"Name", name}, {"UID", "0"}, {"GID", "0"}, {"Mode", 292}}},
      {"SecretName", name}};
}

}  // namespace

void install_default_world(SwarmWorld& world, const DefaultWorldOptions& options) {
  for (int i = 1; i <= options.nodes + options.unjoined; ++i) {
    world.add_host("node" + std::to_string(i));
  }
  world.init_swarm("node1");
  const std::string& stack = options.stack;
  // Images, aliases, volumes and env as the manual's docker-compose file sets them.
  const std::vector<ServiceShape> shapes = {
      {"gui", "sciencelogic/is-gui:2.7.0", {}, "", {}, {}, {}, {port(443, 443)}},
      {"contentapi",
       "sciencelogic/is-api:2.7.0",
       {"db_host=couchbase.isnet"},
       "",
       {},
       {},
       {secret("is_pass"), secret("encryption_key")},
       {}},
      {"couchbase",
       "sciencelogic/is-couchbase:2.7.0",
       {"db_host=couchbase.isnet"},
       "couchbase.isnet",
       {"couchbase", "couchbase.isnet"},
       {bind("/var/data/couchbase", "/opt/couchbase/var")},
       {secret("is_pass"), secret("encryption_key")},
       {port(8091, 8091)}},
      {"rabbitmq",
       "sciencelogic/is-rabbit:3.7.7-1",
       {},
       "rabbit_node1.isnet",
       {"rabbit", "rabbit_node1.isnet"},
       {json::object{{"Type", "volume"}, {"Source", "rabbitdb"}, {"Target", "/var/lib/rabbitmq"}}},
       {},
       {}},
      {"steprunner",
       "sciencelogic/pf-worker:2.7.0",
       {"db_host=couchbase.isnet",
        "additional_worker_args=--max-tasks-per-child 1 --without-gossip --without-mingle"},
       "",
       {},
       {},
       {secret("is_pass"), secret("encryption_key")},
       {}},
      {"dexserver", "sciencelogic/is-dex:2.7.0", {}, "", {}, {}, {}, {}},
      {"redis", "sciencelogic/is-redis:4.0.11-3", {}, "", {}, {}, {}, {}},
  };
  for (const auto& shape : shapes) {
    world.create_service_directly(make_spec(stack, shape));
  }
  // Workers join after the stack is deployed, so every task stays on node1 (Swarm never
  // moves running tasks to new nodes).
  for (int i = 2; i <= options.nodes; ++i) {
    world.join_directly("node" + std::to_string(i), "worker");
  }
}

}  // namespace swarmop::sim
