// `plan` in every format, its exit codes, and `snapshot` + `plan --state`, run in-process
// against the simulated swarm through the production client.
#include <unistd.h>

#include "report_fixtures.hpp"
#include "swarmop/sim/couchbase/fresh_install.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

namespace swarmop::testing {
namespace {

struct Scenario {
  const char* name;  //!< golden file stem and fixture file stem
  int nodes;
  int exit_code;
};

constexpr Scenario kScenarios[] = {{"in-sync", 1, 0}, {"changes", 3, 2}, {"blocked", 3, 2}};

//! The one-node install with the in-sync file applied: the operator has recorded where the
//! data stores keep their data, the only writes that file makes on a fresh install.
std::unique_ptr<SimulatedInstall> in_sync_install() {
  auto install = std::make_unique<SimulatedInstall>(1);
  const auto applied = run_cli({"apply", fixture("in-sync.yaml"), "--docker", install->docker()});
  INFO(applied.out << applied.err);
  REQUIRE(applied.code == 0);
  REQUIRE(applied.out.find("record-data-node") != std::string::npos);
  return install;
}

}  // namespace

TEST_CASE("plan prints text, json and markdown that match the golden files", "[report][plan]") {
  for (const auto& scenario : kScenarios) {
    INFO(scenario.name);
    auto fresh = std::string(scenario.name) == "in-sync"
                     ? in_sync_install()
                     : std::make_unique<SimulatedInstall>(scenario.nodes);
    SimulatedInstall& install = *fresh;
    const std::string file = fixture(std::string(scenario.name) + ".yaml");
    for (const char* format : {"text", "json", "markdown"}) {
      INFO(format);
      const auto r = run_cli({"plan", file, "--docker", install.docker(), "--output", format});
      INFO(r.err);
      CHECK(r.code == scenario.exit_code);
      const std::string extension = std::string(format) == "markdown" ? "md"
                                    : std::string(format) == "json"   ? "json"
                                                                      : "txt";
      check_golden(std::string(scenario.name) + '.' + extension, r.out);
    }
  }
}

TEST_CASE("the blocked plan really has a blocked step and the in-sync plan none",
          "[report][plan]") {
  // Guards the golden files: a regenerated golden must still show what its name says.
  SimulatedInstall three(3);
  const auto blocked =
      run_cli({"plan", fixture("blocked.yaml"), "--docker", three.docker(), "--output", "json"});
  const auto json = boost::json::parse(blocked.out);
  CHECK(json.at("summary").at("blocked").as_int64() > 0);
  CHECK(json.at("blocked").as_array().size() ==
        json.at("summary").at("blocked").to_number<std::size_t>());
  CHECK(blocked.out.find("\"blockedBecause\"") != std::string::npos);

  const auto one = in_sync_install();
  const auto in_sync =
      run_cli({"plan", fixture("in-sync.yaml"), "--docker", one->docker(), "--output", "json"});
  const auto synced = boost::json::parse(in_sync.out);
  CHECK(synced.at("steps").as_array().empty());
  CHECK(synced.at("summary").at("text").as_string() ==
        "0 to change, 0 blocked, 3 reconcilers in sync");
}

TEST_CASE(
    "plan exit codes: 0 in sync, 2 pending, 1 on error or a blocked step with "
    "--fail-on-blocked",
    "[report][plan]") {
  const auto one = in_sync_install();
  CHECK(run_cli({"plan", fixture("in-sync.yaml"), "--docker", one->docker()}).code == 0);
  CHECK(run_cli({"plan", fixture("in-sync.yaml"), "--docker", one->docker(), "--fail-on-blocked"})
            .code == 0);
  SimulatedInstall three(3);
  CHECK(run_cli({"plan", fixture("changes.yaml"), "--docker", three.docker()}).code == 2);
  // Changes without a blocked step still pass a --fail-on-blocked check as "pending".
  CHECK(run_cli({"plan", fixture("changes.yaml"), "--docker", three.docker(), "--fail-on-blocked"})
            .code == 2);
  CHECK(run_cli({"plan", fixture("blocked.yaml"), "--docker", three.docker()}).code == 2);
  CHECK(run_cli({"plan", fixture("blocked.yaml"), "--docker", three.docker(), "--fail-on-blocked"})
            .code == 1);

  const auto bad_format =
      run_cli({"plan", fixture("changes.yaml"), "--docker", three.docker(), "--output", "yaml"});
  CHECK(bad_format.code == 1);
  CHECK(bad_format.err.find("--output takes text, json or markdown") != std::string::npos);
  CHECK(run_cli({"plan", fixture("changes.yaml"), "--color", "sometimes"}).code == 1);
  CHECK(run_cli({"plan", fixture("changes.yaml"), "--docker", "unix:///nonexistent/docker.sock"})
            .code == 1);
  const auto no_snapshot = run_cli({"plan", fixture("changes.yaml"), "--state", "/nonexistent"});
  CHECK(no_snapshot.code == 1);
  CHECK(no_snapshot.err.find("/nonexistent: cannot open: No such file or directory") !=
        std::string::npos);
}

TEST_CASE("plan --color always marks the text with ANSI colour and auto and never do not",
          "[report][plan]") {
  SimulatedInstall three(3);
  const std::string file = fixture("blocked.yaml");
  const auto always = run_cli({"plan", file, "--docker", three.docker(), "--color", "always"});
  CHECK(always.out.find("\x1b[1;31m! blocked:\x1b[0m") != std::string::npos);
  CHECK(always.out.find("\x1b[33m~\x1b[0m") != std::string::npos);
  // Not a terminal (a string stream), so auto is plain, and equal to never.
  const auto automatic = run_cli({"plan", file, "--docker", three.docker()});
  const auto never = run_cli({"plan", file, "--docker", three.docker(), "--color", "never"});
  CHECK(automatic.out.find('\x1b') == std::string::npos);
  CHECK(automatic.out == never.out);
}

TEST_CASE("a plan against a snapshot has the same steps as the plan against the cluster",
          "[report][snapshot]") {
  for (const auto& scenario : kScenarios) {
    INFO(scenario.name);
    SimulatedInstall install(scenario.nodes);
    const std::string file = fixture(std::string(scenario.name) + ".yaml");
    TempFile state("state.json");
    const auto taken =
        run_cli({"snapshot", file, "--docker", install.docker(), "-o", state.path.string()});
    INFO(taken.err);
    REQUIRE(taken.code == 0);
    CHECK(taken.out.empty());
    const auto snapshot = boost::json::parse(state.read());
    CHECK(snapshot.at("apiVersion").as_string() == "swarm-operator/snapshot/v1");
    CHECK(snapshot.at("swarm").at("nodes").as_array().size() ==
          static_cast<std::size_t>(scenario.nodes));

    for (const char* format : {"json", "text", "markdown"}) {
      INFO(format);
      const auto online = run_cli({"plan", file, "--docker", install.docker(), "--output", format});
      // No cluster at all: a --docker that cannot be reached proves the snapshot is used.
      const auto offline = run_cli({"plan", file, "--state", state.path.string(), "--docker",
                                    "unix:///nonexistent/docker.sock", "--output", format});
      INFO(offline.err);
      CHECK(offline.code == online.code);
      CHECK(offline.out == online.out);
    }
  }
}

TEST_CASE("an offline plan notices an env value that differs from the snapshot's",
          "[report][snapshot]") {
  // The snapshot keeps digests, not values: a desired value equal to the cluster's must plan
  // no env change, a different one must.
  SimulatedInstall three(3);
  TempFile state("state.json");
  REQUIRE(run_cli({"snapshot", "--docker", three.docker(), "-o", state.path.string()}).code == 0);
  const auto plan = run_cli(
      {"plan", fixture("changes.yaml"), "--state", state.path.string(), "--output", "json"});
  const auto json = boost::json::parse(plan.out);
  std::vector<std::string> env_paths;
  for (const auto& step : json.at("steps").as_array()) {
    if (step.at("name").as_string() != "iservices_vault") {
      continue;
    }
    for (const auto& change : step.at("changes").as_array()) {
      env_paths.emplace_back(change.at("path").as_string());
    }
  }
  // VAULT_PASSWORD differs from the cluster's; VAULT_USER is the same "operator".
  CHECK(env_paths == std::vector<std::string>{"env.VAULT_PASSWORD"});
}

TEST_CASE("plan --state refuses a snapshot it cannot read", "[report][snapshot]") {
  TempFile state("state.json");
  std::ofstream(state.path) << R"({"apiVersion":"swarm-operator/snapshot/v9","kind":"Snapshot"})";
  const auto r = run_cli({"plan", fixture("changes.yaml"), "--state", state.path.string()});
  CHECK(r.code == 1);
  CHECK(r.err.find("apiVersion is \"swarm-operator/snapshot/v9\"") != std::string::npos);
  std::ofstream(state.path, std::ios::trunc) << "{not json";
  CHECK(run_cli({"plan", fixture("changes.yaml"), "--state", state.path.string()})
            .err.find("not valid JSON") != std::string::npos);
}

}  // namespace swarmop::testing

namespace swarmop::testing {

TEST_CASE("a snapshot with Couchbase and RabbitMQ plans the data stores as a live plan does",
          "[report][snapshot]") {
  sim::couchbase::FreshInstall fresh(3);
  sim::rabbitmq::RabbitSimulator rabbit(fresh.cluster().world());
  for (int i = 0; i < 100 && rabbit.node_names().empty(); ++i) {
    fresh.advance(std::chrono::seconds(1));
    rabbit.sync();
  }
  REQUIRE(rabbit.node_names().size() == 1);
  TempFile couchbase_credentials("couchbase-credentials");
  couchbase_credentials.write("Administrator:password\n");
  // Left open to every user: the commands use it, and say so on standard error.
  std::filesystem::permissions(couchbase_credentials.path,
                               static_cast<std::filesystem::perms>(0666));
  TempFile rabbit_credentials("rabbit-credentials");
  rabbit_credentials.write("guest:guest\n");
  std::filesystem::permissions(rabbit_credentials.path, std::filesystem::perms::owner_read |
                                                            std::filesystem::perms::owner_write);
  const std::string mode_warning = "warning: credentials file " +
                                   couchbase_credentials.path.string() +
                                   ": mode 0666 lets every user read and change it";
  const std::vector<std::string> data_stores = {"--couchbase",
                                                fresh.couchbase().endpoints().front(),
                                                "--couchbase-credentials",
                                                couchbase_credentials.path.string(),
                                                "--rabbitmq",
                                                rabbit.urls().front(),
                                                "--rabbitmq-credentials",
                                                rabbit_credentials.path.string()};
  const std::string file = std::string(SWARMOP_SOURCE_DIR) + "/examples/three-node.yaml";
  const auto with = [&](std::vector<std::string> args, bool live) {
    if (live) {
      args.insert(args.end(), data_stores.begin(), data_stores.end());
    }
    return args;
  };

  TempFile state("state.json");
  const auto taken = run_cli(with(
      {"snapshot", file, "--docker", fresh.manager_address(), "-o", state.path.string()}, true));
  INFO(taken.err);
  REQUIRE(taken.code == 0);
  const auto snapshot = boost::json::parse(state.read());
  CHECK(snapshot.at("couchbase").at("cluster").at("nodes").as_array().size() == 1);
  // One node of three: the swarm's clock is kept for the self-join grace.
  CHECK(snapshot.at("couchbase").at("swarmClock").is_int64());
  CHECK(snapshot.at("rabbitmq").at("nodes").as_array().size() == 1);
  CHECK(state.read().find("password") == std::string::npos);  // no credential reaches it
  CHECK(taken.err.find("swarm-operator snapshot: " + mode_warning) != std::string::npos);
  CHECK(taken.err.find(rabbit_credentials.path.string()) == std::string::npos);

  const auto online =
      run_cli(with({"plan", file, "--docker", fresh.manager_address(), "--output", "json"}, true));
  const auto offline = run_cli({"plan", file, "--state", state.path.string(), "--docker",
                                "unix:///nonexistent/docker.sock", "--output", "json"});
  INFO(offline.err);
  CHECK(online.err.find("swarm-operator plan: " + mode_warning) != std::string::npos);
  CHECK(offline.code == online.code);
  CHECK(offline.out == online.out);
  // Not an empty agreement: both plan the manual's Couchbase workers and the rabbit nodes.
  CHECK(online.out.find("iservices_couchbase-worker2") != std::string::npos);
  CHECK(online.out.find("iservices_rabbitmq3") != std::string::npos);
  CHECK(offline.out.find("NotInSnapshot") == std::string::npos);
  rabbit.stop();
}

}  // namespace swarmop::testing
