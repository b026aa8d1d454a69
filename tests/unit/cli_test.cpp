#include "swarmop/cli/cli.hpp"

#include <catch2/catch.hpp>
#include <sstream>

namespace {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome run(std::vector<std::string> args) {
  args.insert(args.begin(), "swarm-operator");
  std::vector<const char*> argv;
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  std::ostringstream out;
  std::ostringstream err;
  const int code = swarmop::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

const std::string kExamples = std::string(SWARMOP_SOURCE_DIR) + "/examples/";

}  // namespace

TEST_CASE("--help lists every command and --version prints the version", "[unit][cli]") {
  auto help = run({"--help"});
  CHECK(help.code == 0);
  for (const char* command :
       {"validate", "plan", "apply", "watch", "snapshot", "diff", "render", "sim", "demo"}) {
    CHECK(help.out.find(std::string("  ") + command) != std::string::npos);
  }
  auto version = run({"--version"});
  CHECK(version.code == 0);
  CHECK(version.out.rfind("swarm-operator 0.", 0) == 0);
}

TEST_CASE("every command documents its options and exit codes", "[unit][cli]") {
  for (const char* command :
       {"validate", "plan", "apply", "watch", "snapshot", "diff", "render", "sim", "demo"}) {
    auto help = run({command, "--help"});
    INFO(command);
    CHECK(help.code == 0);
    CHECK(help.out.find(std::string("Usage: swarm-operator ") + command) == 0);
    CHECK(help.out.find("Exit codes:") != std::string::npos);
    CHECK(help.out.find("--help") != std::string::npos);
  }
  CHECK(run({"plan", "--help"}).out.find("--output") != std::string::npos);
  CHECK(run({"sim", "--help"}).out.find("--nodes") != std::string::npos);
}

TEST_CASE("validate accepts the examples", "[unit][cli]") {
  auto r =
      run({"validate", "--strict", kExamples + "three-node.yaml", kExamples + "single-node.yaml"});
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("three-node.yaml: valid\n") != std::string::npos);
}

TEST_CASE("validate reports errors and exits 1", "[unit][cli]") {
  auto r = run({"validate", "/nonexistent.yaml"});
  CHECK(r.code == 1);
  CHECK(r.err == "/nonexistent.yaml: error: cannot open file\n");
  CHECK(r.out == "/nonexistent.yaml: invalid (1 error)\n");
}

TEST_CASE("validate --print-json keeps standard output for JSON", "[unit][cli]") {
  auto r = run({"validate", "--print-json", kExamples + "single-node.yaml"});
  CHECK(r.code == 0);
  CHECK(r.out.rfind("{\"apiVersion\":\"swarm-operator/v1alpha1\"", 0) == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  CHECK(r.err.find("single-node.yaml: valid") != std::string::npos);
}

TEST_CASE("bad arguments and unbuilt commands exit 1 with a message", "[unit][cli]") {
  CHECK(run({}).code == 1);
  auto unknown = run({"frobnicate"});
  CHECK(unknown.code == 1);
  CHECK(unknown.err.find("unknown command \"frobnicate\"") != std::string::npos);
  auto flag = run({"validate", "--stritc", "x.yaml"});
  CHECK(flag.code == 1);
  CHECK(flag.err.find("stritc") != std::string::npos);
  auto missing = run({"validate"});
  CHECK(missing.code == 1);
  auto render = run({"render", "haproxy", kExamples + "three-node.yaml"});
  CHECK(render.code == 1);
  CHECK(render.err.find("not built in this version yet") != std::string::npos);
  // watch serves loopback only unless told otherwise, and says so before touching anything.
  auto exposed = run({"watch", kExamples + "three-node.yaml", "--listen", "0.0.0.0:9180"});
  CHECK(exposed.code == 1);
  CHECK(exposed.err.find("not a loopback address; add --listen-any") != std::string::npos);
}

TEST_CASE("plan and apply refuse an invalid file before touching the cluster", "[cli]") {
  const std::string bad = std::string(SWARMOP_SOURCE_DIR) + "/tests/corpus/invalid/schema/" +
                          "admin-port-out-of-range.yaml";
  for (const char* command : {"plan", "apply"}) {
    // The endpoint does not exist: reaching it would fail differently.
    auto result = run({command, bad, "--docker", "unix:///nonexistent/docker.sock"});
    CHECK(result.code == 1);
    CHECK(result.err.find("is not valid; nothing was changed") != std::string::npos);
    CHECK(result.err.find(":") != std::string::npos);
  }
}

TEST_CASE("plan says which engine it could not reach", "[cli]") {
  auto result =
      run({"plan", kExamples + "three-node.yaml", "--docker", "unix:///nonexistent/docker.sock"});
  CHECK(result.code == 1);
  CHECK(result.err.find("cannot observe the swarm") != std::string::npos);
  CHECK(result.err.find("/nonexistent/docker.sock") != std::string::npos);
}
