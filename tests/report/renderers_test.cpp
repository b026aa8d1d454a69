// The renderers on hand-built plans (any reconciler, findings, waiting, size bounds) and
// `diff` on desired-state files: no cluster needed.
#include <cstdlib>

#include "apply/plan_text.hpp"
#include "report/color.hpp"
#include "report/desired_diff.hpp"
#include "report/plan_json.hpp"
#include "report/plan_markdown.hpp"
#include "report_fixtures.hpp"
#include "snapshot/redaction.hpp"

namespace swarmop::testing {
namespace {

//! A plan from reconcilers that do not exist yet, with every kind of entry.
std::vector<model::PlanReport> handmade() {
  model::PlanReport couchbase;
  couchbase.reconciler = "couchbase";
  couchbase.steps.push_back({"couchbase",
                             "add-node",
                             "couchbase-node",
                             "couchbase-worker",
                             {{"services", "", "data,index"}},
                             "the file lists it and the cluster does not have it"});
  couchbase.steps.push_back({"couchbase",
                             "rebalance",
                             "cluster",
                             "",
                             {},
                             "a node was added | and <b>markup</b> is escaped"});
  couchbase.blocked.push_back({{"couchbase",
                                "remove",
                                "couchbase-node",
                                "couchbase-old",
                                {{"membership", "active", ""}},
                                "the file drops it"},
                               "a rebalance is running"});
  couchbase.findings.push_back({"couchbase", model::FindingLevel::kWarning, "NoReplicas",
                                "bucket content", "content has 0 replicas"});
  couchbase.waiting.push_back("rebalance 40% done");
  model::PlanReport rabbitmq;
  rabbitmq.reconciler = "rabbitmq";
  rabbitmq.steps.push_back({"rabbitmq",
                            "put-policy",
                            "policy",
                            "ha-all",
                            {{"env.RABBITMQ_DEFAULT_PASS", "old-secret", "new-secret"}},
                            "the policy differs"});
  model::PlanReport membership;
  membership.reconciler = "membership";
  return {membership, couchbase, rabbitmq};
}

std::string rendered(const std::vector<model::PlanReport>& reports, const std::string& format,
                     std::size_t max_bytes = 60000) {
  std::ostringstream out;
  if (format == "text") {
    controller::print_plan_text(reports, out);
  } else if (format == "json") {
    report::print_plan_json(reports, out);
  } else {
    report::print_plan_markdown(reports, out, {max_bytes});
  }
  return out.str();
}

}  // namespace

TEST_CASE("any list of reconciler reports renders in every format", "[report][render]") {
  for (const char* format : {"text", "json", "markdown"}) {
    INFO(format);
    const std::string text = rendered(handmade(), format);
    const std::string extension = std::string(format) == "markdown" ? "md"
                                  : std::string(format) == "json"   ? "json"
                                                                    : "txt";
    check_golden(std::string("handmade.") + extension, text);
    // env values are redacted by the renderers themselves, whoever built the report.
    CHECK(text.find("old-secret") == std::string::npos);
    CHECK(text.find("new-secret") == std::string::npos);
    CHECK(text.find("(redacted)") != std::string::npos);
  }
  CHECK(controller::step_headline(handmade()[2].steps.front()) ==
        "rabbitmq: put-policy policy ha-all (env.RABBITMQ_DEFAULT_PASS (redacted) -> (redacted))");
}

TEST_CASE("colour mode auto colours a terminal only, and not when NO_COLOR is set",
          "[report][render]") {
  using report::ColorMode;
  CHECK(report::parse_color_mode("auto") == ColorMode::kAuto);
  CHECK_FALSE(report::parse_color_mode("yes"));
  ::unsetenv("NO_COLOR");
  CHECK(report::use_color(ColorMode::kAuto, true));
  CHECK_FALSE(report::use_color(ColorMode::kAuto, false));
  ::setenv("NO_COLOR", "1", 1);
  CHECK_FALSE(report::use_color(ColorMode::kAuto, true));
  CHECK(report::use_color(ColorMode::kAlways, false));
  ::unsetenv("NO_COLOR");
  CHECK_FALSE(report::use_color(ColorMode::kNever, true));
}

TEST_CASE("a large plan is summarised in markdown within the bound, never cut silently",
          "[report][render]") {
  model::PlanReport placement;
  placement.reconciler = "placement";
  for (int i = 0; i < 400; ++i) {
    placement.steps.push_back({"placement",
                               "update",
                               "service",
                               "svc" + std::to_string(i),
                               {{"replicas", "1", "2"}},
                               "the file asks for 2 replicas"});
  }
  placement.blocked.push_back(
      {{"placement", "update", "service", "ghost", {}, "managed"}, "service ghost does not exist"});
  const std::vector<model::PlanReport> reports = {placement};
  const std::string full = rendered(reports, "markdown", 1'000'000);
  CHECK(full.find("Summarised") == std::string::npos);
  CHECK(full.find("svc399") != std::string::npos);

  constexpr std::size_t kBound = 8000;
  const std::string bounded = rendered(reports, "markdown", kBound);
  CHECK(bounded.size() <= kBound);
  CHECK(bounded.find("400 to change, 1 blocked") != std::string::npos);
  // The blocked step is listed before any detail, whatever the bound.
  CHECK(bounded.find("service ghost does not exist") < bounded.find("<details>"));
  const auto note = bounded.find("> **Summarised:** ");
  REQUIRE(note != std::string::npos);
  const std::size_t shown = std::stoul(bounded.substr(note + 18));
  CHECK(shown > 0);
  CHECK(shown < 401);
  CHECK(bounded.find(" of 401 steps are shown in detail") != std::string::npos);
  std::size_t sections = 0;
  for (auto at = bounded.find("<details>"); at != std::string::npos;
       at = bounded.find("<details>", at + 1)) {
    ++sections;
  }
  CHECK(sections == shown);
}

TEST_CASE("snapshot digests are keyed by the salt and name the value, not contain it",
          "[report][snapshot]") {
  const std::string a = snapshot::digest("salt1", "PASS=hunter2");
  CHECK(a.rfind("redacted:", 0) == 0);
  CHECK(a.find("hunter2") == std::string::npos);
  CHECK(a == snapshot::digest("salt1", "PASS=hunter2"));
  CHECK(a != snapshot::digest("salt2", "PASS=hunter2"));
  CHECK(a != snapshot::digest("salt1", "PASS=hunter3"));
  boost::json::object spec{
      {"TaskTemplate",
       boost::json::object{
           {"ContainerSpec",
            boost::json::object{
                {"Env", boost::json::array{"PASS=hunter2", "FLAG"}},
                {"Command", boost::json::array{"run", "--pw=hunter2"}},
                {"Healthcheck", boost::json::object{{"Test", boost::json::array{"CMD", "x"}}}}}}}}};
  const auto redacted = snapshot::redact_spec(spec, "salt1");
  const std::string text = boost::json::serialize(redacted);
  CHECK(text.find("hunter2") == std::string::npos);
  const auto& container = redacted.at("TaskTemplate").at("ContainerSpec");
  CHECK(container.at("Env").at(0).as_string() == "PASS=" + a);
  CHECK(container.at("Env").at(1).as_string() == "FLAG");
  CHECK(container.at("Command").at(0).as_string() == snapshot::digest("salt1", "run"));
}

TEST_CASE("diff shows what changes in the desired state and which reconcilers it wakes",
          "[report][diff]") {
  const auto r = run_cli({"diff", fixture("changes.yaml"), fixture("blocked.yaml")});
  INFO(r.err);
  CHECK(r.code == 2);
  check_golden("diff-changes-blocked.txt", r.out);
  CHECK(r.out.find(kDesiredSecret) == std::string::npos);

  const auto same = run_cli({"diff", fixture("changes.yaml"), fixture("changes.yaml")});
  CHECK(same.code == 0);
  CHECK(same.out == "wakes: no reconciler\n0 changes to the desired state\n");

  const auto missing = run_cli({"diff", fixture("changes.yaml"), "/nonexistent.yaml"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("/nonexistent.yaml is not valid") != std::string::npos);
}

TEST_CASE("diff matches swarm nodes by hostname, so reordering them is no change",
          "[report][diff]") {
  const auto before = boost::json::parse(
      R"({"spec":{"swarm":{"nodes":[{"hostname":"a","role":"manager"},{"hostname":"b"}]}}})");
  const auto reordered = boost::json::parse(
      R"({"spec":{"swarm":{"nodes":[{"hostname":"b"},{"hostname":"a","role":"manager"}]}}})");
  CHECK(report::diff_desired(before, reordered).empty());
  const auto promoted = boost::json::parse(
      R"({"spec":{"swarm":{"nodes":[{"hostname":"b","role":"manager"},{"hostname":"a","role":"manager"}]}}})");
  const auto changes = report::diff_desired(before, promoted);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].path == "spec.swarm.nodes[b].role");
  CHECK(changes[0].before.empty());
  CHECK(changes[0].after == "manager");
  CHECK(changes[0].wakes == std::set<std::string>{"membership"});
}

}  // namespace swarmop::testing
