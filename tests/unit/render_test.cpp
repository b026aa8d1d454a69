// `render compose-override` and `render haproxy` on the repository's examples. Expectations
// come from the example files themselves, read here with yaml-cpp apart from the model, and
// the compose override is parsed back to check it.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "render/compose_override.hpp"
#include "render/haproxy_config.hpp"
#include "swarmop/model/document_loader.hpp"

namespace {

namespace fs = std::filesystem;
using swarmop::model::DesiredState;

const fs::path kExamples = fs::path(SWARMOP_SOURCE_DIR) / "examples";

std::vector<fs::path> example_files() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

DesiredState load(const fs::path& path) {
  auto document = swarmop::model::load_document_file(path.string());
  INFO(path.string());
  REQUIRE(document.ok());
  return *document.state;
}

//! Constraints compared without their spacing: `a==b` and `a == b` are the same constraint.
std::string squeeze(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  return text;
}

std::vector<std::string> squeezed_list(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node && node.IsSequence()) {
    for (const auto& item : node) {
      out.push_back(squeeze(item.as<std::string>()));
    }
  }
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

//! The example's section as written (no defaults), or an undefined node.
YAML::Node spec_of(const fs::path& path, const char* section) {
  return YAML::LoadFile(path.string())["spec"][section];
}

// --- haproxy text helpers --------------------------------------------------------------------

//! The lines of the section that starts with `header` (up to the next blank line).
std::vector<std::string> section(const std::string& config, const std::string& header) {
  std::istringstream in(config);
  std::string line;
  std::vector<std::string> out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == header) {
      inside = true;
      continue;
    }
    if (inside && line.empty()) {
      break;
    }
    if (inside) {
      out.push_back(line);
    }
  }
  return out;
}

std::vector<std::string> starting_with(const std::vector<std::string>& lines,
                                       const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& line : lines) {
    if (line.rfind(prefix, 0) == 0) {
      out.push_back(line);
    }
  }
  return out;
}

struct Manager {
  std::string hostname;
  bool drained = false;
};

//! Managers as the example file writes them, in file order, the ones leaving left out.
std::vector<Manager> managers_of(const fs::path& path) {
  std::vector<Manager> out;
  for (const auto& node : spec_of(path, "swarm")["nodes"]) {
    const bool manager = node["role"] && node["role"].as<std::string>() == "manager";
    const bool present = !node["present"] || node["present"].as<bool>();
    if (manager && present) {
      out.push_back({node["hostname"].as<std::string>(),
                     node["availability"] && node["availability"].as<std::string>() == "drain"});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("render compose-override: the three-node example's services as the file sets them",
          "[unit][render]") {
  const fs::path file = kExamples / "three-node.yaml";
  const std::string text = swarmop::render::render_compose_override(load(file), "three-node.yaml");
  const YAML::Node doc = YAML::Load(text);
  CHECK(doc["version"].as<std::string>() == "3.8");
  const YAML::Node services = doc["services"];

  // Straight from examples/three-node.yaml.
  CHECK(services["gui"]["deploy"]["replicas"].as<int>() == 3);
  CHECK(services["gui"]["deploy"]["placement"]["max_replicas_per_node"].as<int>() == 1);
  CHECK(squeezed_list(services["gui"]["deploy"]["placement"]["constraints"]) ==
        std::vector<std::string>{"node.labels.types==master"});
  CHECK(services["contentapi"]["deploy"]["replicas"].as<int>() == 3);
  CHECK(services["steprunner"]["deploy"]["replicas"].as<int>() == 9);
  CHECK(services["steprunner"]["deploy"]["placement"]["max_replicas_per_node"].as<int>() == 5);
  CHECK(services["steprunner"]["deploy"]["restart_policy"]["delay"].as<std::string>() == "30s");
  CHECK(services["steprunner"]["deploy"]["resources"]["limits"]["cpus"].as<std::string>() == "2");
  CHECK(services["steprunner"]["deploy"]["resources"]["limits"]["memory"].as<std::string>() ==
        "2G");
  CHECK(services["steprunner"]["environment"]["additional_worker_args"].as<std::string>() ==
        "--max-tasks-per-child 1 --without-gossip --without-mingle");
  CHECK(services["redis"]["deploy"]["replicas"].as<int>() == 1);
  CHECK_FALSE(services["redis"]["deploy"]["placement"]);

  // The operator's node services, pinned one per swarm node.
  const std::map<std::string, std::string> pins = {
      {"couchbase", "node1"}, {"couchbase-worker", "node2"}, {"couchbase-worker2", "node3"},
      {"rabbitmq", "node1"},  {"rabbitmq2", "node2"},        {"rabbitmq3", "node3"}};
  for (const auto& [service, node] : pins) {
    INFO(service);
    CHECK(squeezed_list(services[service]["deploy"]["placement"]["constraints"]) ==
          std::vector<std::string>{"node.hostname==" + node});
    CHECK(services[service]["deploy"]["replicas"].as<int>() == 1);
  }
  CHECK(services["couchbase-worker"]["hostname"].as<std::string>() == "couchbase-worker.isnet");
  CHECK(services["couchbase-worker"]["environment"]["TYPE"].as<std::string>() == "WORKER");
  CHECK(services["couchbase-worker"]["environment"]["AUTO_REBALANCE"].as<std::string>() == "true");
  CHECK(services["couchbase-worker"]["environment"]["db_host"].as<std::string>() == "couchbase");
  CHECK(services["couchbase-worker2"]["ports"][0]["target"].as<int>() == 8091);
  CHECK(services["couchbase-worker2"]["ports"][0]["published"].as<int>() == 8101);
  CHECK(services["rabbitmq"]["stop_grace_period"].as<std::string>() == "20s");
  CHECK(services["rabbitmq2"]["stop_grace_period"].as<std::string>() == "10s");
  CHECK(services["rabbitmq3"]["hostname"].as<std::string>() == "rabbit_node3.isnet");

  CHECK(text.rfind("# docker-compose-override.yml generated by swarm-operator from "
                   "three-node.yaml",
                   0) == 0);
  CHECK(text.find("docker stack deploy -c docker-compose.yml -c docker-compose-override.yml "
                  "iservices") != std::string::npos);
}

TEST_CASE("render compose-override: every example's declared settings and pins parse back",
          "[unit][render]") {
  for (const fs::path& file : example_files()) {
    INFO(file.string());
    const std::string text = swarmop::render::render_compose_override(load(file), file.string());
    CHECK(text == swarmop::render::render_compose_override(load(file), file.string()));
    const YAML::Node services = YAML::Load(text)["services"];
    REQUIRE(services.IsMap());

    for (const auto& entry : spec_of(file, "services")) {
      const std::string name = entry.first.as<std::string>();
      const YAML::Node& declared = entry.second;
      const YAML::Node rendered = services[name];
      INFO(name);
      REQUIRE(rendered.IsMap());
      if (declared["replicas"]) {
        CHECK(rendered["deploy"]["replicas"].as<int>() == declared["replicas"].as<int>());
      }
      if (declared["maxReplicasPerNode"]) {
        CHECK(rendered["deploy"]["placement"]["max_replicas_per_node"].as<int>() ==
              declared["maxReplicasPerNode"].as<int>());
      }
      if (declared["constraints"]) {
        const auto constraints = squeezed_list(rendered["deploy"]["placement"]["constraints"]);
        for (const auto& constraint : declared["constraints"]) {
          CHECK(contains(constraints, squeeze(constraint.as<std::string>())));
        }
      }
      if (declared["preferences"]) {
        std::vector<std::string> spreads;
        for (const auto& preference : rendered["deploy"]["placement"]["preferences"]) {
          spreads.push_back(preference["spread"].as<std::string>());
        }
        for (const auto& preference : declared["preferences"]) {
          CHECK(contains(spreads, preference["spread"].as<std::string>()));
        }
      }
      for (const auto& env : declared["env"]) {
        CHECK(rendered["environment"][env.first.as<std::string>()].as<std::string>() ==
              env.second.as<std::string>());
      }
    }

    const YAML::Node couchbase = spec_of(file, "couchbase");
    const YAML::Node cb_nodes = couchbase ? couchbase["nodes"] : YAML::Node();
    for (std::size_t i = 0; cb_nodes && i < cb_nodes.size(); ++i) {
      const std::string service = cb_nodes[i]["service"].as<std::string>();
      INFO(service);
      const YAML::Node rendered = services[service];
      CHECK(contains(squeezed_list(rendered["deploy"]["placement"]["constraints"]),
                     "node.hostname==" + cb_nodes[i]["node"].as<std::string>()));
      CHECK(rendered["deploy"]["replicas"].as<int>() == 1);
      if (i > 0) {
        const bool auto_rebalance =
            !couchbase["autoRebalance"] || couchbase["autoRebalance"].as<bool>();
        CHECK(rendered["environment"]["TYPE"].as<std::string>() == "WORKER");
        CHECK(rendered["environment"]["AUTO_REBALANCE"].as<std::string>() ==
              (auto_rebalance ? "true" : "false"));
        CHECK(rendered["environment"]["db_host"].as<std::string>() ==
              cb_nodes[0]["service"].as<std::string>());
        CHECK(rendered["hostname"].as<std::string>() == service + ".isnet");
        if (cb_nodes[i]["adminPort"]) {
          CHECK(rendered["ports"][0]["published"].as<int>() == cb_nodes[i]["adminPort"].as<int>());
        }
      }
    }

    const YAML::Node rabbitmq = spec_of(file, "rabbitmq");
    const YAML::Node rabbit_nodes = rabbitmq ? rabbitmq["nodes"] : YAML::Node();
    for (std::size_t i = 0; rabbit_nodes && i < rabbit_nodes.size(); ++i) {
      const std::string service = rabbit_nodes[i]["service"].as<std::string>();
      INFO(service);
      const YAML::Node rendered = services[service];
      CHECK(contains(squeezed_list(rendered["deploy"]["placement"]["constraints"]),
                     "node.hostname==" + rabbit_nodes[i]["node"].as<std::string>()));
      CHECK(rendered["deploy"]["replicas"].as<int>() == 1);
      if (rabbitmq["stopGracePeriods"] && i < rabbitmq["stopGracePeriods"].size()) {
        CHECK(rendered["stop_grace_period"].as<std::string>() ==
              rabbitmq["stopGracePeriods"][i].as<std::string>());
      }
      if (i > 0) {
        CHECK(rendered["hostname"].as<std::string>() ==
              "rabbit_node" + std::to_string(i + 1) + ".isnet");
      }
    }
  }
}

TEST_CASE("render compose-override: values that look like other YAML types stay strings",
          "[unit][render]") {
  DesiredState desired;
  desired.metadata.name = "quoting";
  swarmop::model::ServiceSpec service;
  service.name = "worker";
  service.env = {{"FLAG", "true"},    {"CODE", "0123"},      {"EMPTY", ""},
                 {"NOTHING", "null"}, {"COLON", "a: b # c"}, {"QUOTE", "say \"hi\"\nbye"}};
  service.constraints = std::vector<swarmop::model::Constraint>{};
  service.spread_preferences = std::vector<std::string>{};
  service.resources = swarmop::model::Resources{
      swarmop::model::ResourceAmounts{0.5, std::int64_t{1536} * 1024 * 1024},
      swarmop::model::ResourceAmounts{std::nullopt, 1000}};
  desired.services["worker"] = service;
  desired.services["yes"].name = "yes";
  desired.services["yes"].replicas = 2;

  const std::string text = swarmop::render::render_compose_override(desired, "quoting.yaml");
  const YAML::Node services = YAML::Load(text)["services"];
  const YAML::Node env = services["worker"]["environment"];
  for (const auto& [name, value] : service.env) {
    INFO(name);
    CHECK(env[name].Tag() == "!");  // quoted: a string whatever it looks like
    CHECK(env[name].as<std::string>() == value);
  }
  const YAML::Node placement = services["worker"]["deploy"]["placement"];
  CHECK(placement["constraints"].IsSequence());
  CHECK(placement["constraints"].size() == 0);
  CHECK(placement["preferences"].size() == 0);
  const YAML::Node resources = services["worker"]["deploy"]["resources"];
  CHECK(resources["limits"]["cpus"].as<std::string>() == "0.5");
  CHECK(resources["limits"]["memory"].as<std::string>() == "1536M");
  CHECK(resources["reservations"]["memory"].as<std::string>() == "1000");
  CHECK_FALSE(resources["reservations"]["cpus"]);
  CHECK(services["yes"]["deploy"]["replicas"].as<int>() == 2);
  for (const auto& entry : services) {
    if (entry.first.as<std::string>() == "yes") {
      CHECK(entry.first.Tag() == "!");  // quoted, so no YAML 1.1 reader takes it for true
    }
  }
}

// The generated header wraps at 100 columns, possibly inside a long path: compare it joined.
static std::string joined_comments(std::string text) {
  for (std::size_t at = text.find("\n# "); at != std::string::npos; at = text.find("\n# ", at)) {
    text.replace(at, 3, " ");
  }
  return text;
}

TEST_CASE("render haproxy: one server per manager for each port, with the manual's checks",
          "[unit][render]") {
  for (const fs::path& file : example_files()) {
    INFO(file.string());
    const std::string config = swarmop::render::render_haproxy(load(file), file.string());
    CHECK(config == swarmop::render::render_haproxy(load(file), file.string()));
    CHECK(joined_comments(config).rfind(
              "# HAProxy configuration generated by swarm-operator from " + file.string(), 0) == 0);
    CHECK(config.find("\nglobal\n") != std::string::npos);
    CHECK(config.find("\ndefaults\n    mode tcp\n") != std::string::npos);

    const auto managers = managers_of(file);
    REQUIRE_FALSE(managers.empty());
    for (const auto& [port, name] :
         std::vector<std::pair<int, std::string>>{{443, "https"}, {5556, "dex"}, {3141, "devpi"}}) {
      INFO(port);
      const std::string suffix = name + "_" + std::to_string(port);
      const auto frontend = section(config, "frontend fe_" + suffix);
      CHECK(contains(frontend, "    bind :" + std::to_string(port)));
      CHECK(contains(frontend, "    default_backend be_" + suffix));

      const auto backend = section(config, "backend be_" + suffix);
      const auto servers = starting_with(backend, "    server ");
      REQUIRE(servers.size() == managers.size());
      for (std::size_t i = 0; i < managers.size(); ++i) {
        const std::string& host = managers[i].hostname;
        CHECK(servers[i].rfind(
                  "    server " + host + " " + host + ":" + std::to_string(port) + " check", 0) ==
              0);
        const bool disabled = servers[i].size() >= 9 &&
                              servers[i].compare(servers[i].size() - 9, 9, " disabled") == 0;
        CHECK(disabled == managers[i].drained);
      }
      if (port == 3141) {
        CHECK(starting_with(backend, "    option httpchk").empty());
        CHECK(starting_with(backend, "    http-check").empty());
        CHECK(starting_with(backend, "    # the manual gives no health check for 3141").size() ==
              1);
      } else {
        const std::string path = port == 443 ? "/discovery" : "/healthcheck";
        CHECK(contains(backend, "    option httpchk"));
        CHECK(contains(backend, "    http-check send meth GET uri " + path));
        CHECK(contains(backend, "    http-check expect status 200"));
        CHECK(contains(backend, "    http-check expect string ok"));
        for (const auto& server : servers) {
          CHECK(server.find(" check check-ssl verify none") != std::string::npos);
        }
      }
    }
  }
}

TEST_CASE("render haproxy: a one-node file gives a complete configuration", "[unit][render]") {
  const std::string config =
      swarmop::render::render_haproxy(load(kExamples / "single-node.yaml"), "single-node.yaml");
  // Every line is a comment, a blank line, a section header or an indented keyword.
  std::istringstream in(config);
  std::string line;
  std::vector<std::string> sections;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("    ", 0) == 0) {
      continue;
    }
    sections.push_back(line);
  }
  CHECK(sections == std::vector<std::string>{"global", "defaults", "frontend fe_https_443",
                                             "backend be_https_443", "frontend fe_dex_5556",
                                             "backend be_dex_5556", "frontend fe_devpi_3141",
                                             "backend be_devpi_3141"});
  for (const char* backend :
       {"backend be_https_443", "backend be_dex_5556", "backend be_devpi_3141"}) {
    CHECK(starting_with(section(config, backend), "    server node1 node1:").size() == 1);
  }
}

TEST_CASE("render haproxy: addresses from engine endpoints, leaving and drained managers",
          "[unit][render]") {
  DesiredState desired;
  desired.metadata.name = "addresses";
  swarmop::model::NodeSpec a;
  a.hostname = "alpha";
  a.role = swarmop::model::NodeRole::kManager;
  a.engine = swarmop::model::EngineEndpoint{"tcp://10.1.2.3:2376", std::nullopt};
  swarmop::model::NodeSpec b = a;
  b.hostname = "beta";
  b.engine = swarmop::model::EngineEndpoint{"unix:///var/run/docker.sock", std::nullopt};
  b.availability = swarmop::model::Availability::kDrain;
  swarmop::model::NodeSpec c = a;
  c.hostname = "gamma";
  c.present = false;
  swarmop::model::NodeSpec d = a;
  d.hostname = "delta";
  d.role = swarmop::model::NodeRole::kWorker;
  desired.swarm.nodes = {a, b, c, d};

  const std::string config = swarmop::render::render_haproxy(desired, "addresses.yaml");
  const auto servers = starting_with(section(config, "backend be_devpi_3141"), "    server ");
  CHECK(servers == std::vector<std::string>{"    server alpha 10.1.2.3:3141 check",
                                            "    server beta beta:3141 check disabled"});
  CHECK(config.find("# gamma: a manager the file takes out of the swarm") != std::string::npos);
  CHECK(config.find("delta") == std::string::npos);
}
