// No secret from the fixtures, and no join token, appears in anything the CI commands print
// or write: every plan format (online and offline), the snapshot, and diff. Nor do the Couchbase
// and RabbitMQ passwords, or their Basic-auth encoding, in what apply, plan and snapshot print
// with the data stores, when the credentials are right and when they are refused.
#include "report_fixtures.hpp"
#include "swarmop/sim/couchbase/fresh_install.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

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

namespace {

// What curl sends in the Authorization header for USER:PASSWORD.
std::string basic_auth(const std::string& user_password) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < user_password.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(user_password[i]) << 16) |
                       (static_cast<unsigned char>(user_password[i + 1]) << 8) |
                       static_cast<unsigned char>(user_password[i + 2]);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
            kAlphabet[n & 63]};
  }
  if (const std::size_t rest = user_password.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned char>(user_password[i]) << 16;
    if (rest == 2) {
      n |= static_cast<unsigned char>(user_password[i + 1]) << 8;
    }
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63],
            rest == 2 ? kAlphabet[(n >> 6) & 63] : '=', '='};
  }
  return out;
}

}  // namespace

TEST_CASE("no data-store password appears in any output whether accepted or refused",
          "[report][secrets]") {
  const std::string couchbase_password = "cb-pw-Xr93kTq";
  const std::string rabbit_password = "rb-pw-Lm27pQw";
  const std::string wrong_password = "wrong-pw-Pd81sZ";
  CHECK(basic_auth("Aladdin:open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // RFC 7617

  sim::couchbase::CouchbaseSimOptions couchbase_options;
  couchbase_options.password = couchbase_password;
  sim::couchbase::FreshInstall fresh(3, couchbase_options);
  sim::rabbitmq::RabbitOptions rabbit_options;
  rabbit_options.password = rabbit_password;
  sim::rabbitmq::RabbitSimulator rabbit(fresh.cluster().world(), rabbit_options);
  for (int i = 0; i < 100 && rabbit.node_names().empty(); ++i) {
    fresh.advance(std::chrono::seconds(1));
    rabbit.sync();
  }
  REQUIRE(rabbit.node_names().size() == 1);

  const std::vector<std::string> needles = {couchbase_password,
                                            rabbit_password,
                                            wrong_password,
                                            basic_auth("Administrator:" + couchbase_password),
                                            basic_auth("guest:" + rabbit_password),
                                            basic_auth("Administrator:" + wrong_password),
                                            basic_auth("guest:" + wrong_password),
                                            fresh.cluster().world().worker_join_token(),
                                            fresh.cluster().world().manager_join_token()};
  TempFile right_couchbase("couchbase");
  right_couchbase.write("Administrator:" + couchbase_password + "\n");
  TempFile right_rabbit("rabbit");
  right_rabbit.write("guest:" + rabbit_password + "\n");
  TempFile wrong_couchbase("couchbase-wrong");
  wrong_couchbase.write("Administrator:" + wrong_password + "\n");
  TempFile wrong_rabbit("rabbit-wrong");
  wrong_rabbit.write("guest:" + wrong_password + "\n");

  const std::string file = std::string(SWARMOP_SOURCE_DIR) + "/examples/three-node.yaml";
  const std::string docker = fresh.manager_address();
  const auto with_stores = [&](std::vector<std::string> args, const TempFile& couchbase,
                               const TempFile& rabbitmq) {
    for (const std::string& arg :
         {std::string("--couchbase"), fresh.couchbase().endpoints().front(),
          std::string("--couchbase-credentials"), couchbase.path.string(),
          std::string("--rabbitmq"), rabbit.urls().front(), std::string("--rabbitmq-credentials"),
          rabbitmq.path.string(), std::string("--docker"), docker}) {
      args.push_back(arg);
    }
    return args;
  };

  std::vector<std::pair<std::string, Outcome>> outputs;
  TempFile state("state.json");
  for (const bool right : {true, false}) {
    const TempFile& couchbase = right ? right_couchbase : wrong_couchbase;
    const TempFile& rabbitmq = right ? right_rabbit : wrong_rabbit;
    const std::string label = right ? "accepted: " : "refused: ";
    for (const char* format : {"text", "json", "markdown"}) {
      outputs.emplace_back(
          label + "plan --output " + format,
          run_cli(with_stores({"plan", file, "--output", format}, couchbase, rabbitmq)));
    }
    outputs.emplace_back(label + "snapshot",
                         run_cli(with_stores({"snapshot", file}, couchbase, rabbitmq)));
    outputs.emplace_back(label + "apply", run_cli(with_stores({"apply", file, "--timeout", "3s"},
                                                              couchbase, rabbitmq)));
  }
  // Not vacuous: the accepted runs saw the data stores and acted, the refused ones were told no.
  const auto& accepted_plan = outputs[0].second;
  CHECK(accepted_plan.out.find("iservices_couchbase-worker") != std::string::npos);
  CHECK(accepted_plan.out.find("iservices_rabbitmq") != std::string::npos);
  bool refusal_reported = false;
  for (const auto& [what, outcome] : outputs) {
    if (what.rfind("refused: ", 0) == 0) {
      refusal_reported = refusal_reported || outcome.out.find("401") != std::string::npos ||
                         outcome.err.find("401") != std::string::npos;
    }
  }
  CHECK(refusal_reported);
  // Refused credentials are an error of the invocation, not a blocked step: plan and apply
  // exit 1 naming the refusal.
  for (const auto& [what, outcome] : outputs) {
    if (what.rfind("refused: plan", 0) == 0 || what == "refused: apply") {
      INFO(what);
      CHECK(outcome.code == 1);
      CHECK_THAT(outcome.err, Catch::Contains("401"));
    }
  }
  for (const auto& [what, outcome] : outputs) {
    for (const auto& needle : needles) {
      INFO(what << " must not show " << needle);
      CHECK(outcome.out.find(needle) == std::string::npos);
      CHECK(outcome.err.find(needle) == std::string::npos);
    }
  }
  rabbit.stop();
}

}  // namespace swarmop::testing
