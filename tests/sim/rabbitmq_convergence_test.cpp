// The RabbitMQ reconciler in apply's loop against the simulated swarm and a simulated RabbitMQ
// 4.x: the rabbit node services are created and started, but no ha-* policy is ever written
// (4.0 removed classic mirroring), and the plan says so.
#include <catch2/catch.hpp>

#include "apply/converge.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/model/document_loader.hpp"
#include "swarmop/reconcilers/rabbitmq_planner.hpp"
#include "swarmop/sim/couchbase/fresh_install.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

namespace swarmop::testing {

TEST_CASE("RabbitMQ 4.x: the nodes are clustered, no ha-* policy is written", "[rabbitmq]") {
  sim::couchbase::FreshInstall fresh(3);
  sim::rabbitmq::RabbitOptions options;
  options.version = "4.0.5";
  sim::rabbitmq::RabbitSimulator rabbit(fresh.cluster().world(), options);
  for (int i = 0; i < 100 && rabbit.node_names().empty(); ++i) {
    fresh.advance(std::chrono::seconds(1));
    rabbit.sync();
  }
  REQUIRE(rabbit.node_names().size() == 1);

  auto document =
      model::load_document_file(std::string(SWARMOP_SOURCE_DIR) + "/examples/three-node.yaml");
  REQUIRE(document.ok());
  auto desired = *document.state;
  desired.couchbase.reset();  // another suite covers it
  auto docker =
      std::make_unique<clients::DockerHttpClient>(std::make_unique<clients::CurlTransport>(
          *clients::parse_docker_host(fresh.manager_address())));
  std::vector<std::unique_ptr<clients::HttpTransport>> endpoints;
  endpoints.push_back(std::make_unique<clients::CurlTransport>(
      *clients::parse_http_url(rabbit.urls().front()), clients::BasicAuth{"guest", "guest"}));
  clients::RabbitHttpClient client(std::move(endpoints));

  controller::ConvergeOptions converge_options;
  converge_options.timeout = std::chrono::seconds(60);
  converge_options.poll = std::chrono::seconds(1);
  controller::ClusterClients clients{*docker, nullptr, &client, nullptr};
  std::vector<std::string> applied;
  const auto result = controller::converge(
      desired, clients, converge_options,
      [&](const controller::StepReport& report) {
        CHECK_FALSE(report.error);
        applied.push_back(report.step.action + " " + report.step.object);
      },
      [&](std::chrono::milliseconds pause) {
        fresh.advance(pause);
        rabbit.sync();
      });
  REQUIRE(result.outcome == controller::ConvergeOutcome::kInSync);
  CHECK(fresh.invariants().report() == "");
  CHECK(rabbit.node_names().size() == 3);  // the manual's rabbitmq2 and rabbitmq3 run
  CHECK(std::count(applied.begin(), applied.end(), "put-policy ha-all") == 0);
  auto policies = client.policies("/");
  REQUIRE(policies);
  CHECK(policies->empty());
  bool said_so = false;
  for (const auto& report : result.last_reports) {
    for (const auto& finding : report.findings) {
      said_so = said_so || finding.code == "ClassicMirroringRemoved";
    }
  }
  CHECK(said_so);
  rabbit.stop();
}

}  // namespace swarmop::testing
