// The watch controller's parts that need no cluster: the work queue, the status board, the
// listen-address check and the log's levels (the desired-state source and the file watch have
// their own files).
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <sstream>

#include "watch/http_endpoints.hpp"
#include "watch/status_board.hpp"
#include "watch/watch_log.hpp"
#include "watch/work_queue.hpp"

namespace swarmop::testing {
namespace {

using namespace std::chrono_literals;
using watch::Clock;
using watch::PassEnd;
using watch::WorkQueue;
using Names = std::vector<std::string>;

const Names kReconcilers = {"membership", "labels", "couchbase"};

WorkQueue queue_with(std::chrono::milliseconds base = 1000ms,
                     std::chrono::milliseconds cap = 8000ms) {
  return WorkQueue(kReconcilers, watch::BackoffPolicy{base, cap, 0.2});
}

}  // namespace

TEST_CASE("work queue: a trigger makes a pass due, and one pass per reconciler runs at a time",
          "[watch]") {
  auto queue = queue_with();
  const auto t0 = Clock::now();
  CHECK(queue.take_due(t0).empty());
  queue.trigger("labels", t0);
  CHECK(queue.take_due(t0) == Names{"labels"});
  CHECK(queue.running() == 1);
  // Triggers during the pass collapse into one follow-up.
  queue.trigger("labels", t0 + 1ms);
  queue.trigger("labels", t0 + 2ms);
  CHECK(queue.take_due(t0 + 3ms).empty());
  CHECK(queue.depth() == 1);
  queue.finished("labels", PassEnd{}, t0 + 4ms);
  CHECK(queue.take_due(t0 + 4ms) == Names{"labels"});
  queue.finished("labels", PassEnd{}, t0 + 5ms);
  CHECK(queue.take_due(t0 + 1h).empty());
  CHECK_FALSE(queue.next_due());
}

TEST_CASE("work queue: reconcilers progress independently", "[watch]") {
  auto queue = queue_with();
  const auto t0 = Clock::now();
  queue.trigger_all(t0);
  CHECK(queue.take_due(t0) == kReconcilers);
  // couchbase fails; the others finish and are triggered again: they run, it waits.
  queue.finished("couchbase", PassEnd{true, std::nullopt}, t0);
  queue.finished("labels", PassEnd{}, t0);
  queue.finished("membership", PassEnd{}, t0);
  queue.trigger_all(t0 + 10ms);
  CHECK(queue.take_due(t0 + 10ms) == Names{"membership", "labels"});
}

TEST_CASE("work queue: failures back off exponentially with jitter, capped, reset on success",
          "[watch]") {
  auto queue = queue_with(1000ms, 8000ms);
  CHECK(queue.backoff_for(1) == 1000ms);
  CHECK(queue.backoff_for(2) == 2000ms);
  CHECK(queue.backoff_for(4) == 8000ms);
  CHECK(queue.backoff_for(9) == 8000ms);
  const auto t0 = Clock::now();
  auto now = t0;
  for (int failure = 1; failure <= 5; ++failure) {
    queue.trigger("labels", now);
    REQUIRE(queue.take_due(now) == Names{"labels"});
    queue.finished("labels", PassEnd{true, std::nullopt}, now);
    CHECK(queue.failures("labels") == failure);
    const auto due = *queue.next_due();
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - now);
    const auto expected = queue.backoff_for(failure);
    CHECK(wait >= expected * 8 / 10);
    CHECK(wait <= expected * 12 / 10);
    // A trigger during the backoff does not cut it short.
    queue.trigger("labels", now + 1ms);
    CHECK(queue.take_due(now + 1ms).empty());
    now = due;
  }
  REQUIRE(queue.take_due(now) == Names{"labels"});
  queue.finished("labels", PassEnd{}, now);
  CHECK(queue.failures("labels") == 0);
}

TEST_CASE("work queue: a reconciler that waits is looked at again after its requeue", "[watch]") {
  auto queue = queue_with();
  const auto t0 = Clock::now();
  queue.trigger("couchbase", t0);
  queue.take_due(t0);
  queue.finished("couchbase", PassEnd{false, 2000ms}, t0);
  CHECK(*queue.next_due() == t0 + 2000ms);
  CHECK(queue.take_due(t0 + 1999ms).empty());
  CHECK(queue.take_due(t0 + 2000ms) == Names{"couchbase"});
}

TEST_CASE("status board: sync and health are separate axes", "[watch]") {
  watch::StatusBoard board({"labels", "placement"});
  watch::PassRecord pass;
  pass.reconciler = "placement";
  pass.outcome = watch::PassOutcome::kWaiting;
  model::PlanReport report;
  report.reconciler = "placement";
  report.findings.push_back({"placement", model::FindingLevel::kWarning, "UpdateNotCompleted",
                             "iservices_gui", "update rolled back: task failed"});
  // Advice about the file is not a health problem.
  report.findings.push_back(
      {"placement", model::FindingLevel::kWarning, "EvenManagerCount", "swarm", "2 managers"});
  pass.report = report;
  board.record_pass(pass);
  board.set_desired("cluster.yaml", "abc", {}, 0);
  const auto status = boost::json::parse(board.status_json());
  const auto& placement = status.at("reconcilers").at(1);
  CHECK(placement.at("sync") == "Synced");      // nothing to change...
  CHECK(placement.at("health") == "Degraded");  // ...but what runs is not right
  CHECK(placement.at("conditions").at(1).at("reason") == "Degraded");
  CHECK(std::string(placement.at("conditions").at(1).at("message").as_string())
            .find("UpdateNotCompleted") != std::string::npos);
  CHECK(status.at("ready") == true);

  const std::string metrics = board.metrics_text();
  CHECK(metrics.find("swarmop_passes_total{reconciler=\"placement\",outcome=\"waiting\"} 1") !=
        std::string::npos);
  CHECK(metrics.find("swarmop_pass_duration_seconds_count{reconciler=\"placement\"} 1") !=
        std::string::npos);
  CHECK(metrics.find("swarmop_desired_state_valid 1") != std::string::npos);
}

TEST_CASE("status board: a failed observation is not ready and says why", "[watch]") {
  watch::StatusBoard board({"labels"});
  board.set_desired("cluster.yaml", "abc", {}, 0);
  watch::PassRecord pass;
  pass.reconciler = "labels";
  model::Error error;
  error.code = model::ErrorCode::kTransient;
  error.message = "GET /nodes: connection refused";
  pass.error = error;
  board.record_pass(pass);
  CHECK_FALSE(board.ready());
  const auto status = boost::json::parse(board.status_json());
  CHECK(status.at("reconcilers").at(0).at("conditions").at(0).at("reason") == "ObservationFailed");
  CHECK(board.metrics_text().find(
            "swarmop_pass_errors_total{reconciler=\"labels\",code=\"Transient\"} 1") !=
        std::string::npos);
}

TEST_CASE("only loopback addresses are served without an explicit flag", "[watch]") {
  CHECK(watch::is_loopback_listen("127.0.0.1:9180"));
  CHECK(watch::is_loopback_listen("127.0.0.1:8080"));
  CHECK(watch::is_loopback_listen("127.1.2.3:8080"));
  CHECK(watch::is_loopback_listen("localhost:0"));
  CHECK(watch::is_loopback_listen("localhost:8080"));
  CHECK(watch::is_loopback_listen("[::1]:9180"));
  CHECK(watch::is_loopback_listen("[::1]:8080"));
  CHECK_FALSE(watch::is_loopback_listen("0.0.0.0:9180"));
  CHECK_FALSE(watch::is_loopback_listen("10.0.0.5:9180"));
  CHECK_FALSE(watch::is_loopback_listen("127.0.0.1"));
}

TEST_CASE("the loopback guard judges what a name resolves to, not how it is spelled", "[watch]") {
  using Verdict = watch::LoopbackCheck::Verdict;
  // Resolves nowhere (.example is reserved) or, behind a lying resolver, somewhere else:
  // refused either way, by name.
  const auto evil = watch::check_loopback_listen("127.evil.example:8080");
  CHECK(evil.verdict != Verdict::kLoopback);
  CHECK(evil.reason.find("127.evil.example") != std::string::npos);
  CHECK_FALSE(watch::is_loopback_listen("127.evil.example:8080"));

  const auto any = watch::check_loopback_listen("0.0.0.0:8080");
  CHECK(any.verdict == Verdict::kNotLoopback);
  CHECK(any.reason == "0.0.0.0 is not a loopback address");

  const auto unresolved = watch::check_loopback_listen("no-such-host.invalid:8080");
  CHECK(unresolved.verdict == Verdict::kUnresolved);
  CHECK(unresolved.reason.rfind("cannot resolve no-such-host.invalid: ", 0) == 0);

  const auto port = watch::check_loopback_listen("127.0.0.1:99999");
  CHECK(port.verdict == Verdict::kBadAddress);
  CHECK(port.reason == "bad port \"99999\" (a number from 0 to 65535)");
  CHECK(watch::check_loopback_listen("127.0.0.1:http").reason ==
        "bad port \"http\" (a number from 0 to 65535)");
  CHECK(watch::check_loopback_listen(":8080").reason == "not HOST:PORT (no host)");
  CHECK(watch::check_loopback_listen("127.0.0.1").reason == "not HOST:PORT (no port)");
  CHECK(watch::check_loopback_listen("localhost:8080").reason.empty());
}

TEST_CASE("watch log: levels by name, and debug lines only at debug level", "[watch]") {
  CHECK(watch::parse_log_level("debug") == watch::LogLevel::kDebug);
  CHECK(watch::parse_log_level("warn") == watch::LogLevel::kWarn);
  CHECK_FALSE(watch::parse_log_level("DEBUG"));
  CHECK_FALSE(watch::parse_log_level("verbose"));

  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>(
      "watch-log-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  watch::WatchLog log(watch::LogFormat::kJson, logger);
  log.debug("pass", {{"reconciler", "labels"}});
  log.info("started");
  CHECK_FALSE(log.debug_enabled());
  CHECK(out.str().find("\"event\":\"pass\"") == std::string::npos);
  CHECK(out.str().find("\"event\":\"started\"") != std::string::npos);

  log.set_level(watch::LogLevel::kDebug);
  log.debug("pass", {{"reconciler", "labels"}});
  CHECK(out.str().find(R"("level":"debug","event":"pass","reconciler":"labels"})") !=
        std::string::npos);

  log.set_level(watch::LogLevel::kError);
  log.warn("events-disconnected");
  CHECK(out.str().find("events-disconnected") == std::string::npos);
}

}  // namespace swarmop::testing
