// No secret from the fixtures, and no join token, appears in anything the CI commands print
// or write: every plan format (online and offline), the snapshot, and diff.
#include "report_fixtures.hpp"

namespace swarmop::testing {

TEST_CASE("no secret or join token appears in any output", "[report][secrets]") {
  SimulatedInstall three(3);
  const std::vector<std::string> secrets = {kClusterSecret, kDesiredSecret,
                                            three.cluster->world().worker_join_token(),
                                            three.cluster->world().manager_join_token()};
  for (const auto& secret : secrets) {
    REQUIRE(secret.size() > 8);  // a token the simulator really has, and a needle worth finding
  }
  std::vector<std::pair<std::string, std::string>> outputs;  // what, text
  auto keep = [&](const std::string& what, const Outcome& r) {
    outputs.emplace_back(what + " (stdout)", r.out);
    outputs.emplace_back(what + " (stderr)", r.err);
  };

  TempFile state("state.json");
  for (const char* file : {"changes.yaml", "blocked.yaml"}) {
    const auto taken =
        run_cli({"snapshot", fixture(file), "--docker", three.docker(), "-o", state.path.string()});
    REQUIRE(taken.code == 0);
    outputs.emplace_back(std::string("snapshot of ") + file, state.read());
    keep(std::string("snapshot to stdout for ") + file,
         run_cli({"snapshot", fixture(file), "--docker", three.docker()}));
    for (const char* format : {"text", "json", "markdown"}) {
      const std::string what = std::string("plan ") + file + " --output " + format;
      keep(what, run_cli({"plan", fixture(file), "--docker", three.docker(), "--output", format,
                          "--color", "always"}));
      keep(what + " --state",
           run_cli({"plan", fixture(file), "--state", state.path.string(), "--output", format}));
    }
    keep(std::string("apply --dry-run ") + file,
         run_cli({"apply", fixture(file), "--docker", three.docker(), "--dry-run"}));
  }
  keep("diff", run_cli({"diff", fixture("changes.yaml"), fixture("blocked.yaml")}));
  keep("diff from nothing", run_cli({"diff", fixture("in-sync.yaml"), fixture("changes.yaml")}));

  // The outputs are not empty and talk about the variables: names stay, values do not.
  bool names_seen = false;
  for (const auto& [what, text] : outputs) {
    names_seen = names_seen || text.find("VAULT_PASSWORD") != std::string::npos;
    for (const auto& secret : secrets) {
      INFO(what);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
  CHECK(names_seen);
}

}  // namespace swarmop::testing
