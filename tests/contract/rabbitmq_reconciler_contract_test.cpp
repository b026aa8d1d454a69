// The RabbitMQ reconciler (pure plan, then one step at a time) against the cluster under test:
// the real three-node cluster and the simulator. Only the management-API half is exercised
// here (policy and mirror sync); the rabbit services' half runs against the simulated swarm.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "rabbit_cluster_under_test.hpp"
#include "support/expected_printer.hpp"
#include "swarmop/reconcilers/rabbitmq_io.hpp"

using namespace swarmop;
using namespace swarmop::contract;
using namespace std::chrono_literals;

namespace {

struct Fresh {
  Fresh() { rabbit_cluster().reset(); }
};

//! The file's rabbitmq section for the cluster under test: its nodes, an HA policy limited to
//! the tests' queues ("contract-*", which reset() deletes).
model::DesiredState desired_for(const RabbitClusterUnderTest& cluster) {
  model::DesiredState desired;
  model::RabbitmqSpec rabbit;
  for (int k = 1; k <= cluster.node_count(); ++k) {
    rabbit.nodes.push_back({"rabbitmq" + std::to_string(k), "node" + std::to_string(k), {}});
  }
  rabbit.ha_policy.name = "contract-ha";
  rabbit.ha_policy.pattern = "^contract-";
  rabbit.ha_policy.apply_to = model::ApplyTo::kQueues;
  desired.rabbitmq = rabbit;
  return desired;
}

//! Runs the reconciler's management-API steps until none is left (or a sync still runs after
//! the deadline). Returns the number of writes.
int converge_rabbit(const model::DesiredState& desired, clients::RabbitClient& client) {
  int writes = 0;
  const reconcilers::SwarmObservation no_swarm;
  const bool settled = rabbit_wait_until(
      [&] {
        const auto observed = reconcilers::observe_rabbitmq(client, "/");
        const auto plan = reconcilers::plan_rabbitmq(desired, no_swarm, observed);
        for (const auto& step : plan.steps) {
          if (const auto* put = std::get_if<reconcilers::PutPolicy>(&step.operation)) {
            REQUIRE(client.put_policy(put->policy));
          } else if (const auto* sync = std::get_if<reconcilers::SyncQueue>(&step.operation)) {
            REQUIRE(client.sync_queue(sync->vhost, sync->name));
          } else {
            continue;  // the rabbit services' half needs a swarm
          }
          ++writes;
          return false;  // one step, then observe again
        }
        return std::none_of(plan.waiting.begin(), plan.waiting.end(), [](const std::string& w) {
          return w.find("synchronising") != std::string::npos;
        });
      },
      60s);
  REQUIRE(settled);
  return writes;
}

}  // namespace

TEST_CASE("the reconciler writes the HA policy, corrects drift, and then writes nothing",
          "[contract][reconciler]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  auto client = rabbit_client({1, 2, 3});
  const auto desired = desired_for(cluster);
  CHECK(converge_rabbit(desired, *client) == 1);
  auto policy = client->policy("/", "contract-ha");
  REQUIRE(policy);
  REQUIRE(policy->has_value());
  CHECK((*policy)->definition.at("ha-mode") == "all");
  CHECK((*policy)->definition.at("ha-sync-mode") == "manual");

  // Changed by hand through the API: corrected with one write.
  auto drifted = **policy;
  drifted.definition["ha-sync-mode"] = "automatic";
  REQUIRE(client->put_policy(drifted));
  CHECK(converge_rabbit(desired, *client) == 1);
  policy = client->policy("/", "contract-ha");
  REQUIRE(policy);
  REQUIRE(policy->has_value());
  CHECK((*policy)->definition.at("ha-sync-mode") == "manual");

  // In sync: no write.
  CHECK(converge_rabbit(desired, *client) == 0);
}

TEST_CASE("the reconciler synchronises a restarted node's mirrors", "[contract][reconciler]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  auto client = rabbit_client({1, 2, 3});
  const auto desired = desired_for(cluster);
  converge_rabbit(desired, *client);
  cluster.publish("contract-synced", 10, 1);
  const std::set<std::string> mirrors{cluster.node_name(2), cluster.node_name(3)};
  REQUIRE(rabbit_wait_until(
      [&] {
        auto queue = queue_named(*client, "contract-synced");
        return queue && as_set(queue->mirror_nodes) == mirrors &&
               queue->unsynchronised_mirrors().empty();
      },
      30s));

  cluster.stop(3);
  cluster.start(3);
  cluster.publish("contract-synced", 5, 1);
  REQUIRE(rabbit_wait_until(
      [&] {
        auto queue = queue_named(*client, "contract-synced");
        return queue && queue->messages == 15 &&
               queue->unsynchronised_mirrors() == std::vector<std::string>{cluster.node_name(3)};
      },
      60s));
  CHECK(converge_rabbit(desired, *client) >= 1);
  auto queue = queue_named(*client, "contract-synced");
  REQUIRE(queue);
  CHECK(queue->unsynchronised_mirrors().empty());
  CHECK(converge_rabbit(desired, *client) == 0);
}
