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

// --- fault rows (#11): a node lost in the middle of a convergence --------------------------------

namespace {

//! Observes and plans once (the management-API half).
reconcilers::RabbitPlan plan_now(const model::DesiredState& desired,
                                 clients::RabbitClient& client) {
  const reconcilers::SwarmObservation no_swarm;
  return reconcilers::plan_rabbitmq(desired, no_swarm, reconcilers::observe_rabbitmq(client, "/"));
}

bool has_sync_step(const reconcilers::RabbitPlan& plan) {
  return std::any_of(plan.steps.begin(), plan.steps.end(), [](const reconcilers::RabbitStep& s) {
    return std::holds_alternative<reconcilers::SyncQueue>(s.operation);
  });
}

//! The reason of the blocked sync of QUEUE, or "" when it is not blocked.
std::string blocked_sync_reason(const reconcilers::RabbitPlan& plan, const std::string& queue) {
  for (const auto& blocked : plan.blocked) {
    if (blocked.step.action == "sync" && blocked.step.object == queue) {
      return blocked.reason;
    }
  }
  return "";
}

//! The policy written, messages published while it is unmirrored, the policy's new mirrors
//! unsynchronised (ha-sync-mode manual): the point where a convergence has one sync left.
void policy_written_sync_pending(const model::DesiredState& desired,
                                 RabbitClusterUnderTest& cluster, clients::RabbitClient& client,
                                 const std::string& queue) {
  cluster.publish(queue, 20, 1);
  auto plan = plan_now(desired, client);
  REQUIRE(plan.steps.size() == 1);
  const auto* put = std::get_if<reconcilers::PutPolicy>(&plan.steps.front().operation);
  REQUIRE(put != nullptr);
  REQUIRE(client.put_policy(put->policy));
  REQUIRE(rabbit_wait_until(
      [&] {
        auto q = queue_named(client, queue);
        return q && as_set(q->mirror_nodes).size() == 2 && q->unsynchronised_mirrors().size() == 2;
      },
      30s));
}

//! QUEUE once it reports COUNT messages (counts arrive with the statistics); nullopt when it
//! does not within 30 s.
std::optional<clients::RabbitQueue> queue_with_messages(clients::RabbitClient& client,
                                                        const std::string& queue,
                                                        std::uint64_t count) {
  std::optional<clients::RabbitQueue> found;
  const bool arrived = rabbit_wait_until(
      [&] {
        found = queue_named(client, queue);
        return found && found->messages == count;
      },
      30s);
  return arrived ? found : std::nullopt;
}

}  // namespace

TEST_CASE(
    "fault row: a node stopped mid-convergence blocks the sync until it is back, no "
    "message lost",
    "[contract][reconciler][faults]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  auto client = rabbit_client({1, 2, 3});
  const auto desired = desired_for(cluster);
  const std::string queue = "contract-fault-stopped";
  policy_written_sync_pending(desired, cluster, *client, queue);

  cluster.stop(3);
  REQUIRE(rabbit_wait_until([&] { return !plan_now(desired, *client).blocked.empty(); }, 60s));
  auto plan = plan_now(desired, *client);
  CHECK_FALSE(has_sync_step(plan));  // a sync blocks its queue: never while a node is down
  CHECK_THAT(blocked_sync_reason(plan, queue),
             Catch::Contains(cluster.node_name(3)) && Catch::Contains("is down"));
  CHECK(plan.steps.empty());  // the policy is in place: nothing else to write

  cluster.start(3);
  CHECK(converge_rabbit(desired, *client) >= 1);  // the sync, once node 3 runs again
  const auto synced = queue_with_messages(*client, queue, 20);
  REQUIRE(synced);
  CHECK(as_set(synced->mirror_nodes) ==
        std::set<std::string>{cluster.node_name(2), cluster.node_name(3)});
  CHECK(synced->unsynchronised_mirrors().empty());
  CHECK(converge_rabbit(desired, *client) == 0);
}

TEST_CASE(
    "fault row: a partition paused under pause_minority blocks the sync until it heals, no "
    "message lost",
    "[contract][reconciler][faults]") {
  Fresh fresh;
  auto& cluster = rabbit_cluster();
  auto client = rabbit_client({3, 1, 2});  // node 3 first: the client must fail over from it
  const auto desired = desired_for(cluster);
  const std::string queue = "contract-fault-partition";
  policy_written_sync_pending(desired, cluster, *client, queue);

  cluster.partition(3);
  REQUIRE(rabbit_wait_until(
      [&] { return !blocked_sync_reason(plan_now(desired, *client), queue).empty(); }, 60s));
  auto plan = plan_now(desired, *client);
  CHECK_FALSE(has_sync_step(plan));
  CHECK_THAT(blocked_sync_reason(plan, queue), Catch::Contains(cluster.node_name(3)));
  CHECK(plan.steps.empty());

  cluster.heal(3);
  // The paused node restarts its rabbit app by itself once the majority is back in sight.
  REQUIRE(rabbit_wait_until([&] { return has_sync_step(plan_now(desired, *client)); }, 90s));
  CHECK(converge_rabbit(desired, *client) >= 1);
  const auto synced = queue_with_messages(*client, queue, 20);
  REQUIRE(synced);
  CHECK(synced->unsynchronised_mirrors().empty());
  CHECK(converge_rabbit(desired, *client) == 0);
}
