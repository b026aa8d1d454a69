#pragma once

// Shared by the report tests: a simulated install to plan against, the CLI run in-process,
// and golden files.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "swarmop/cli/cli.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

namespace swarmop::testing {

//! Values that stand for secrets in the fixtures: the simulated service's env holds the first,
//! the desired files the second. No output may contain either (nor a join token).
inline constexpr const char* kClusterSecret = "cluster-pw-Hy72mQ";
inline constexpr const char* kDesiredSecret = "desired-pw-Zq81xK";

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

inline Outcome run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "swarm-operator");
  std::vector<const char*> argv;
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  std::ostringstream out;
  std::ostringstream err;
  const int code = cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

inline std::string fixture(const std::string& name) {
  return std::string(SWARMOP_SOURCE_DIR) + "/tests/report/fixtures/" + name;
}

//! The default fresh install (stack iservices on node1, the other nodes joined as workers),
//! plus a service `iservices_vault` whose env holds kClusterSecret. Manual clock: nothing
//! changes between two observations.
struct SimulatedInstall {
  std::unique_ptr<sim::SimulatedCluster> cluster;

  explicit SimulatedInstall(int nodes) {
    sim::ClusterOptions options;
    options.manual_clock = true;
    sim::DefaultWorldOptions world;
    world.nodes = nodes;
    cluster = std::make_unique<sim::SimulatedCluster>(options, [&](sim::SwarmWorld& w) {
      sim::install_default_world(w, world);
      boost::json::object container{
          {"Image", "vault:1.13"},
          {"Env", boost::json::array{std::string("VAULT_PASSWORD=") + kClusterSecret,
                                     "VAULT_USER=operator"}},
          {"Args", boost::json::array{"server", std::string("-password=") + kClusterSecret}}};
      w.create_service_directly(boost::json::object{
          {"Name", "iservices_vault"},
          {"TaskTemplate", boost::json::object{{"ContainerSpec", container}}},
          {"Mode", boost::json::object{{"Replicated", boost::json::object{{"Replicas", 1}}}}}});
    });
  }

  std::string docker() const { return cluster->tcp_address("node1"); }
};

//! Compares with tests/report/golden/NAME; UPDATE_GOLDEN=1 rewrites the file instead.
inline void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(SWARMOP_SOURCE_DIR) + "/tests/report/golden/" + name;
  const char* update = std::getenv("UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    WARN("rewrote " << path);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  INFO("golden file " << path << " (UPDATE_GOLDEN=1 to regenerate)");
  REQUIRE(in.good());
  std::ostringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

//! A file under a fresh temporary directory, removed with the object.
struct TempFile {
  std::filesystem::path dir;
  std::filesystem::path path;
  explicit TempFile(const std::string& name) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "swarmop-report-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    path = dir / name;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  void write(const std::string& text) const { std::ofstream(path, std::ios::binary) << text; }
  std::string read() const {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

}  // namespace swarmop::testing
