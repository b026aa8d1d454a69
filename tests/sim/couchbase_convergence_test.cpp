// apply's loop against the simulated swarm and the Couchbase simulator, through the production
// Docker and Couchbase clients: the manual's "Configuring the Couchbase Database" from a fresh
// install, then a lost node failed over by Couchbase and recovered, then two of three lost.
#include <catch2/catch.hpp>

#include "apply/converge.hpp"
#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/model/document_loader.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"
#include "swarmop/sim/couchbase/fresh_install.hpp"

namespace swarmop::testing {
namespace {

const clients::BasicAuth kAdmin{"Administrator", "password"};

clients::DockerClientPtr docker_at(const std::string& address) {
  auto endpoint = clients::parse_docker_host(address);
  REQUIRE(endpoint);
  return std::make_unique<clients::DockerHttpClient>(
      std::make_unique<clients::CurlTransport>(*endpoint));
}

//! The three-node example without its RabbitMQ part (another suite covers that).
model::DesiredState three_node_example() {
  auto document =
      model::load_document_file(std::string(SWARMOP_SOURCE_DIR) + "/examples/three-node.yaml");
  REQUIRE(document.ok());
  auto desired = *document.state;
  desired.rabbitmq.reset();
  return desired;
}

//! The fresh three-node install (no Couchbase worker services yet) with clients on it.
struct FreshInstall {
  sim::couchbase::FreshInstall sim;
  clients::DockerClientPtr docker = docker_at(sim.manager_address());
  std::unique_ptr<clients::CouchbaseHttpClient> admin;
  model::DesiredState desired = three_node_example();

  explicit FreshInstall(sim::couchbase::CouchbaseSimOptions options = {}) : sim(3, options) {
    connect_admin();
  }

  //! A client over every Couchbase node that exists now, primary first.
  void connect_admin() {
    std::vector<clients::Endpoint> endpoints;
    for (const auto& url : sim.couchbase().endpoints()) {
      endpoints.push_back(*clients::parse_http_url(url));
    }
    admin = clients::CouchbaseHttpClient::over_curl(endpoints, kAdmin);
  }

  controller::ConvergeResult converge(std::vector<std::string>& applied,
                                      const std::function<void(const std::string&)>& check = {}) {
    controller::ConvergeOptions options;
    options.timeout = std::chrono::seconds(120);
    options.poll = std::chrono::seconds(1);
    controller::ClusterClients clients{*docker, nullptr, nullptr, admin.get()};
    auto result = controller::converge(
        desired, clients, options,
        [&](const controller::StepReport& report) {
          const std::string name = report.step.action + " " + report.step.object;
          INFO(name << ": " << (report.error ? report.error->describe() : "ok"));
          CHECK_FALSE(report.error);
          applied.push_back(name + (report.retry > 0 ? " (retry)" : ""));
          if (check) {
            check(name);
          }
        },
        [&](std::chrono::milliseconds pause) { sim.advance(pause); });
    // The safety invariants held at every change on the way (faults a test injects aside).
    CHECK(sim.invariants().report() == "");
    return result;
  }

  model::PlanReport couchbase_report() {
    controller::ClusterClients clients{*docker, nullptr, nullptr, admin.get()};
    auto pass = controller::plan_cluster(desired, clients);
    REQUIRE(pass);
    for (auto& report : pass->reports) {
      if (report.reconciler == reconcilers::kCouchbase) {
        return report;
      }
    }
    FAIL("no couchbase report");
    return {};
  }

  clients::CouchbaseCluster cluster_view() {
    auto view = admin->cluster();
    REQUIRE(view);
    return *view;
  }

  const clients::CouchbaseNode& node(const clients::CouchbaseCluster& view,
                                     const std::string& service) {
    const auto* found = view.find_by_otp_node("ns_1@" + service + ".isnet");
    REQUIRE(found != nullptr);
    return *found;
  }

  std::map<std::string, int> bucket_replicas() {
    auto buckets = admin->buckets();
    REQUIRE(buckets);
    std::map<std::string, int> out;
    for (const auto& bucket : *buckets) {
      out[bucket.name] = bucket.replica_number;
    }
    return out;
  }

  //! Converged from the fresh install, checked, with the admin client over all three nodes.
  void converge_to_three_nodes() {
    std::vector<std::string> applied;
    auto result = converge(applied, [&](const std::string& step) {
      // One worker at a time: the second starts only once the first is an active member.
      if (step == "scale iservices_couchbase-worker2") {
        const auto view = cluster_view();
        CHECK(node(view, "couchbase-worker").active());
        CHECK(view.balanced);
      }
    });
    INFO(result.error.value_or(model::Error{}).describe());
    REQUIRE(result.outcome == controller::ConvergeOutcome::kInSync);
    const auto worker =
        std::find(applied.begin(), applied.end(), "scale iservices_couchbase-worker");
    const auto worker2 =
        std::find(applied.begin(), applied.end(), "scale iservices_couchbase-worker2");
    CHECK(worker < worker2);
    CHECK(worker2 != applied.end());
    connect_admin();
  }

  bool all_active_and_balanced() {
    const auto view = cluster_view();
    for (const auto& name : {"couchbase", "couchbase-worker", "couchbase-worker2"}) {
      if (!node(view, name).active() || !node(view, name).healthy()) {
        return false;
      }
    }
    return view.nodes.size() == 3 && view.balanced && !view.rebalancing();
  }
};

bool has_finding(const model::PlanReport& report, const std::string& code) {
  return std::any_of(report.findings.begin(), report.findings.end(),
                     [&](const model::Finding& f) { return f.code == code; });
}

}  // namespace

TEST_CASE("a fresh install converges to the three-node example's Couchbase cluster",
          "[couchbase][converge]") {
  FreshInstall fresh;
  fresh.converge_to_three_nodes();

  CHECK(fresh.all_active_and_balanced());
  CHECK(fresh.bucket_replicas() == std::map<std::string, int>{{"content", 2}, {"logs", 2}});
  // The worker services the manual has people write by hand, pinned as the file says.
  for (const auto& [service, node] :
       {std::pair{"couchbase-worker", "node2"}, std::pair{"couchbase-worker2", "node3"}}) {
    auto inspected = fresh.docker->inspect_service(std::string("iservices_") + service);
    REQUIRE(inspected);
    CHECK(inspected->constraints ==
          std::vector<std::string>{std::string("node.hostname == ") + node});
    CHECK(inspected->env.at("TYPE") == "WORKER");
    CHECK(inspected->env.at("AUTO_REBALANCE") == "true");
  }

  SECTION("a second apply changes nothing") {
    std::vector<std::string> applied;
    auto again = fresh.converge(applied);
    CHECK(again.outcome == controller::ConvergeOutcome::kInSync);
    CHECK(applied.empty());
  }

  SECTION("scale-in: the last worker is rebalanced out, then stopped") {
    fresh.desired.couchbase->nodes.pop_back();
    std::vector<std::string> applied;
    auto result = fresh.converge(applied, [&](const std::string& step) {
      if (step == "scale iservices_couchbase-worker2") {
        // Its data moved first: it is no longer a member when its service stops.
        CHECK(fresh.cluster_view().find_by_otp_node("ns_1@couchbase-worker2.isnet") == nullptr);
      }
    });
    REQUIRE(result.outcome == controller::ConvergeOutcome::kInSync);
    CHECK(applied == std::vector<std::string>{"set-replicas content", "set-replicas logs",
                                              "rebalance couchbase", "rebalance couchbase",
                                              "scale iservices_couchbase-worker2"});
    const auto view = fresh.cluster_view();
    CHECK(view.nodes.size() == 2);
    CHECK(view.balanced);
    // Two data nodes hold one replica at most.
    CHECK(fresh.bucket_replicas() == std::map<std::string, int>{{"content", 1}, {"logs", 1}});
  }

  SECTION("a failed rebalance is retried after a backoff, and only then") {
    fresh.desired.couchbase->buckets = {{"content", 1}, {"logs", 1}};
    fresh.sim.couchbase().fail_next_rebalance();
    std::vector<double> rebalance_at;
    std::vector<std::string> applied;
    auto result = fresh.converge(applied, [&](const std::string& step) {
      if (step == "rebalance couchbase") {
        rebalance_at.push_back(std::chrono::duration<double>(fresh.sim.simulated()).count());
      }
    });
    REQUIRE(result.outcome == controller::ConvergeOutcome::kInSync);
    REQUIRE(rebalance_at.size() == 2);
    // Marked as a retry: the loop waited (2 polls) and observed again before sending it.
    CHECK(applied.back() == "rebalance couchbase (retry)");
    CHECK(std::count(applied.begin(), applied.end(), "rebalance couchbase") == 1);
    CHECK(fresh.bucket_replicas() == std::map<std::string, int>{{"content", 1}, {"logs", 1}});
    CHECK(fresh.all_active_and_balanced());
  }

  SECTION("a lost node is failed over by Couchbase, then recovered when it returns") {
    fresh.sim.cluster().set_node_down("node3", true);
    fresh.sim.couchbase().tick();
    auto report = fresh.couchbase_report();
    CHECK(report.steps.empty());
    CHECK(report.blocked.empty());
    REQUIRE_FALSE(report.waiting.empty());
    CHECK(report.waiting.front().find("auto-failover acts after 120 s") != std::string::npos);

    // Couchbase's own auto-failover, after its timeout; the operator only watches.
    for (int second = 0; second < 130; ++second) {
      fresh.sim.advance(std::chrono::seconds(1));
    }
    CHECK(fresh.node(fresh.cluster_view(), "couchbase-worker2").failed_over());
    report = fresh.couchbase_report();
    CHECK(report.steps.empty());
    CHECK(has_finding(report, "FailedOverNodeAway"));

    fresh.sim.cluster().set_node_down("node3", false);
    fresh.sim.couchbase().tick();
    std::vector<std::string> applied;
    auto result = fresh.converge(applied);
    REQUIRE(result.outcome == controller::ConvergeOutcome::kInSync);
    CHECK(std::count(applied.begin(), applied.end(), "recover couchbase-worker2") == 1);
    CHECK(std::count(applied.begin(), applied.end(), "rebalance couchbase") == 1);
    CHECK(fresh.all_active_and_balanced());
    CHECK(fresh.bucket_replicas() == std::map<std::string, int>{{"content", 2}, {"logs", 2}});
  }

  SECTION("two of three lost: blocked for a person, nothing forced") {
    fresh.sim.couchbase().set_process_down("couchbase-worker", true);
    fresh.sim.couchbase().set_process_down("couchbase-worker2", true);
    for (int second = 0; second < 200; ++second) {
      fresh.sim.advance(std::chrono::seconds(1));
    }
    auto report = fresh.couchbase_report();
    CHECK(report.steps.empty());
    REQUIRE(report.blocked.size() == 1);
    CHECK(report.blocked[0].reason.find("1 of 3 Couchbase nodes answer") != std::string::npos);
    CHECK(has_finding(report, "ManualInterventionRequired"));
    const auto view = fresh.cluster_view();
    for (const auto& node : view.nodes) {
      CHECK_FALSE(node.failed_over());  // neither Couchbase nor the operator failed one over
    }
  }
}

TEST_CASE("a worker started with AUTO_REBALANCE that never joins is added after three minutes",
          "[couchbase][converge]") {
  // Its entrypoint never gets the node in (it would within ~10 s in the simulator by default).
  sim::couchbase::CouchbaseSimOptions options;
  options.auto_join_delay = std::chrono::hours(24);
  FreshInstall fresh(options);
  std::map<std::string, double> at;  // step -> simulated seconds when it was applied
  std::vector<std::string> applied;
  auto result = fresh.converge(applied, [&](const std::string& step) {
    at[step] = std::chrono::duration<double>(fresh.sim.simulated()).count();
    if (step == "scale iservices_couchbase-worker") {
      // Right after its start the plan waits for the container to join by itself.
      auto report = fresh.couchbase_report();
      CHECK(report.steps.empty());
      REQUIRE_FALSE(report.waiting.empty());
      CHECK(report.waiting.front().find("joins by itself (AUTO_REBALANCE=true; added by the "
                                        "operator if it has not joined 180 s after its start)") !=
            std::string::npos);
    }
  });
  INFO(result.error.value_or(model::Error{}).describe());
  REQUIRE(result.outcome == controller::ConvergeOutcome::kInSync);
  for (const auto& worker : {"couchbase-worker", "couchbase-worker2"}) {
    INFO(worker);
    const std::string scaled = std::string("scale iservices_") + worker;
    const std::string added = std::string("add-node ") + worker;
    REQUIRE(at.count(scaled) == 1);
    REQUIRE(at.count(added) == 1);
    // Added once it had run the grace (its task starts a moment after the scale), not before.
    CHECK(at[added] - at[scaled] >= reconcilers::kSelfJoinGraceSeconds);
    CHECK(at[added] - at[scaled] < reconcilers::kSelfJoinGraceSeconds + 30);
  }
  CHECK(fresh.all_active_and_balanced());
  CHECK(fresh.bucket_replicas() == std::map<std::string, int>{{"content", 2}, {"logs", 2}});
}

}  // namespace swarmop::testing
