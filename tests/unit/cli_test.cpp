#include "swarmop/cli/cli.hpp"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "support/hostile_files.hpp"

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
  for (const char* command : {"validate", "plan", "apply", "watch", "snapshot", "diff", "render",
                              "healthcheck", "sim", "demo"}) {
    CHECK(help.out.find(std::string("  ") + command) != std::string::npos);
  }
  auto version = run({"--version"});
  CHECK(version.code == 0);
  CHECK(version.out.rfind("swarm-operator 0.", 0) == 0);
}

TEST_CASE("every command documents its options and exit codes", "[unit][cli]") {
  for (const char* command : {"validate", "plan", "apply", "watch", "snapshot", "diff", "render",
                              "healthcheck", "sim", "demo"}) {
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
  CHECK(r.err == "/nonexistent.yaml: error: cannot open: No such file or directory\n");
  CHECK(r.out == "/nonexistent.yaml: invalid (1 error)\n");
}

// Issue #22: a FIFO made validate and plan wait for a writer forever; a link to /dev/zero read
// until memory ran out. Each is now an error saying what the path is, at once.
TEST_CASE("validate and plan refuse what is not a regular file, at once", "[unit][cli]") {
  swarmop::testing::ScratchDir dir;
  const auto fifo = dir.fifo("fifo.yaml");
  const auto zero = dir.link("zero.yaml", "/dev/zero");
  for (const std::string command : {"validate", "plan"}) {
    INFO(command);
    // plan would ask this engine next, were the file good; validate takes no --docker.
    const auto with_docker = [&](const std::string& path) {
      return command == "plan" ? run({command, path, "--docker", "unix:///nonexistent.sock"})
                               : run({command, path});
    };
    Outcome from_fifo{};
    CHECK(swarmop::testing::returns_promptly_on_fifo(fifo, [&] { from_fifo = with_docker(fifo); }));
    CHECK(from_fifo.code == 1);
    CHECK(from_fifo.err.find(fifo + ": error: is a FIFO (named pipe), not a regular file\n") == 0);
    const auto from_zero = with_docker(zero);
    CHECK(from_zero.code == 1);
    CHECK(from_zero.err.find(zero + ": error: is a character device, not a regular file\n") == 0);
    const auto from_directory = with_docker(dir.path.string());
    CHECK(from_directory.err.find(dir.path.string() +
                                  ": error: is a directory, not a regular file\n") == 0);
  }
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
  // watch serves loopback only unless told otherwise, and says so before touching anything.
  auto exposed = run({"watch", kExamples + "three-node.yaml", "--listen", "0.0.0.0:9180"});
  CHECK(exposed.code == 1);
  CHECK(exposed.err.find("not a loopback address; add --listen-any") != std::string::npos);
}

TEST_CASE("watch refuses tuning durations below their minimums before starting anything",
          "[unit][cli]") {
  struct Case {
    const char* flag;
    const char* value;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"--lease-duration", "1ms", "--lease-duration 1ms is below its minimum of 3s"},
      {"--lease-duration", "2999ms", "--lease-duration 2999ms is below its minimum of 3s"},
      {"--resync", "1ms", "--resync 1ms is below its minimum of 1s"},
      {"--file-stable", "10ms", "--file-stable 10ms is below its minimum of 100ms"},
      {"--backoff-base", "1ms", "--backoff-base 1ms is below its minimum of 100ms"},
      {"--backoff-cap", "500ms", "--backoff-cap 500ms is below its minimum of 1s"},
      {"--resync", "0s", "--resync 0s is below its minimum of 1s"},
  };
  for (const auto& c : cases) {
    // An unreachable Docker endpoint: a refusal must come from the flag, before any connection.
    auto refused = run({"watch", kExamples + "three-node.yaml", "--listen", "", "--docker",
                        "tcp://127.0.0.1:1", c.flag, c.value});
    INFO(c.flag << " " << c.value << ": " << refused.err);
    CHECK(refused.code == 1);
    CHECK(refused.err == std::string("swarm-operator watch: ") + c.message + "\n");
  }
  auto help = run({"watch", "--help"});
  CHECK(help.out.find("at least 3s") != std::string::npos);
  CHECK(help.out.find("at least 1s") != std::string::npos);
}

TEST_CASE("watch --listen: a bad port is a bad port, a name must resolve to loopback",
          "[unit][cli]") {
  const std::string file = kExamples + "three-node.yaml";
  auto port = run({"watch", file, "--listen", "127.0.0.1:99999"});
  CHECK(port.code == 1);
  CHECK(port.err ==
        "swarm-operator watch: --listen 127.0.0.1:99999: bad port \"99999\" (a number from 0 "
        "to 65535)\n");
  // A bad port stays one with --listen-any.
  CHECK(run({"watch", file, "--listen", "0.0.0.0:99999", "--listen-any"}).err.find("bad port") !=
        std::string::npos);
  auto evil = run({"watch", file, "--listen", "127.evil.example:8080"});
  CHECK(evil.code == 1);
  const std::string prefix = "swarm-operator watch: --listen 127.evil.example:8080: ";
  CHECK(evil.err.rfind(prefix, 0) == 0);
  // The reason names the host again: "cannot resolve 127.evil.example: ..." (or, behind a
  // resolver that answers for anything, "127.evil.example resolves to ...").
  CHECK(evil.err.find("127.evil.example", prefix.size()) != std::string::npos);
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

// The generated header wraps at 100 columns, possibly inside a long path: compare it joined.
static std::string joined_comments(std::string text) {
  for (std::size_t at = text.find("\n# "); at != std::string::npos; at = text.find("\n# ", at)) {
    text.replace(at, 3, " ");
  }
  return text;
}

TEST_CASE("render prints either config for a valid file and refuses anything else", "[unit][cli]") {
  const std::string file = kExamples + "three-node.yaml";
  auto compose = run({"render", "compose-override", file});
  CHECK(compose.code == 0);
  CHECK(compose.err.empty());
  CHECK(joined_comments(compose.out)
            .rfind("# docker-compose-override.yml generated by swarm-operator from " + file, 0) ==
        0);
  CHECK(compose.out.find("\nversion: \"3.8\"\nservices:\n") != std::string::npos);
  auto haproxy = run({"render", "haproxy", file});
  CHECK(haproxy.code == 0);
  CHECK(haproxy.err.empty());
  CHECK(joined_comments(haproxy.out)
            .rfind("# HAProxy configuration generated by swarm-operator from " + file, 0) == 0);

  auto unknown = run({"render", "nginx", file});
  CHECK(unknown.code == 1);
  CHECK(unknown.out.empty());
  CHECK(unknown.err.find("unknown WHAT \"nginx\"") != std::string::npos);
  CHECK(unknown.err.find("compose-override") != std::string::npos);
  CHECK(unknown.err.find("haproxy") != std::string::npos);

  const std::string bad =
      std::string(SWARMOP_SOURCE_DIR) + "/tests/corpus/invalid/yaml/syntax-error.yaml";
  for (const char* what : {"compose-override", "haproxy"}) {
    auto invalid = run({"render", what, bad});
    INFO(what);
    CHECK(invalid.code == 1);
    CHECK(invalid.out.empty());
    CHECK(invalid.err.find(bad + ":22:6: error: YAML syntax error") != std::string::npos);
  }

  auto missing = run({"render", "haproxy"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("missing FILE") != std::string::npos);
}

namespace {

//! A stand-in for the watch command's endpoints: /healthz answers 200, /sick 503.
class HealthServer {
 public:
  HealthServer() {
    server_.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("ok\n", "text/plain");
    });
    server_.Get("/sick", [](const httplib::Request&, httplib::Response& response) {
      response.status = 503;
      response.set_content("not ready\n", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::yield();
    }
  }
  ~HealthServer() { stop(); }
  void stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("healthcheck exits 0 on 200 and 1 with one line on anything else", "[unit][cli]") {
  HealthServer server;
  auto healthy = run({"healthcheck", "--url", server.url("/healthz")});
  CHECK(healthy.code == 0);
  CHECK(healthy.out.empty());
  CHECK(healthy.err.empty());

  auto sick = run({"healthcheck", "--url", server.url("/sick")});
  CHECK(sick.code == 1);
  CHECK(sick.err ==
        "swarm-operator healthcheck: GET " + server.url("/sick") + ": HTTP 503: not ready\n");

  auto not_found = run({"healthcheck", "--url", server.url("/nothing-here")});
  CHECK(not_found.code == 1);
  CHECK(not_found.err.find("HTTP 404") != std::string::npos);

  // Nothing listens on the port any more: refused.
  const std::string refused_url = server.url("/healthz");
  server.stop();
  auto refused = run({"healthcheck", "--url", refused_url});
  CHECK(refused.code == 1);
  CHECK(refused.err.rfind("swarm-operator healthcheck: GET " + refused_url + ": no answer: ", 0) ==
        0);
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);

  auto not_http = run({"healthcheck", "--url", "ftp://127.0.0.1/healthz"});
  CHECK(not_http.code == 1);
  CHECK(not_http.err.find("ftp://127.0.0.1") != std::string::npos);
}
