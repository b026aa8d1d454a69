// A rabbit node's database is a volume on the host its task ran on: moved to another host it
// comes up blank (its unmirrored queues lost, its mirrors gone, its old identity listed as not
// running until the cluster forgets it); on its own host it keeps its database.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "rabbit_fixture.hpp"
#include "support/expected_printer.hpp"

using namespace swarmop;
using namespace swarmop::sim;
using namespace std::chrono_literals;
namespace json = boost::json;

using rabbitmq::testing::ha_all;
using rabbitmq::testing::RabbitWorld;

namespace {

//! Changes a rabbit service's placement constraint, as an operator's pin does, and lets the
//! rolling update (stop-first, 10 s grace) replace its task.
void pin(RabbitWorld& rabbit, const std::string& service, const std::string& host) {
  const auto inspected = rabbit.world->inspect_service(service);
  REQUIRE(inspected.ok());
  json::object spec = inspected.body.at("Spec").as_object();
  spec["TaskTemplate"].as_object()["Placement"] =
      json::object{{"Constraints", json::array{json::value("node.hostname == " + host)}}};
  const auto version = inspected.body.at("Version").at("Index").to_number<std::uint64_t>();
  REQUIRE(
      rabbit.world->update_service(service, std::to_string(version), json::serialize(spec)).ok());
  for (int i = 0; i < 30; ++i) {
    rabbit.advance(1s);
  }
  REQUIRE(rabbit.world->running_by_host(service) == std::map<std::string, int>{{host, 1}});
}

//! node2 leads three queues: `solo` (3 messages, not mirrored), `unsynced` (4 messages, its
//! mirrors joined after them) and `mirrored` (2 messages, synchronised mirrors); node1 leads
//! `elsewhere`, mirrored on node2 and node3.
void three_kinds_of_queue(RabbitWorld& rabbit) {
  auto client = rabbit.client({1});
  auto automatic = ha_all("^(mirrored|elsewhere)$", "automatic");
  automatic.name = "ha-automatic";
  REQUIRE(client->put_policy(automatic));
  rabbit.declare_and_publish("solo", 3, 2);
  rabbit.declare_and_publish("unsynced", 4, 2);
  REQUIRE(client->put_policy(ha_all("^unsynced$", "manual")));
  rabbit.declare_and_publish("mirrored", 2, 2);
  rabbit.declare_and_publish("elsewhere", 1, 1);
  rabbit.advance(6s);
  const auto unsynced = rabbit.queue(1, "unsynced");
  REQUIRE(unsynced);
  REQUIRE(unsynced->synchronised_mirror_nodes->empty());
}

std::vector<std::string> queue_names(RabbitWorld& rabbit, int k) {
  auto queues = rabbit.client({k})->queues("/");
  REQUIRE(queues);
  std::vector<std::string> out;
  for (const auto& queue : *queues) {
    out.push_back(queue.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a rabbit node moved to another host comes up with a blank database",
          "[rabbitmq-sim][data]") {
  RabbitWorld rabbit(3);
  three_kinds_of_queue(rabbit);
  pin(rabbit, "iservices_rabbitmq2", "node3");
  rabbit.advance(6s);

  // What was lost: the queues node2 led that no synchronised mirror could take over.
  const auto losses = rabbit.rabbit->data_losses();
  REQUIRE(losses.size() == 1);
  const DataLoss& loss = losses[0];
  CHECK(loss.store == "rabbitmq");
  CHECK(loss.service == "iservices_rabbitmq2");
  CHECK(loss.identity == rabbit.name(2));
  CHECK(loss.data_host == "node2");
  CHECK(loss.started_on == "node3");
  CHECK(loss.lost);
  REQUIRE(loss.items.size() == 2);
  CHECK(loss.items[0].kind == "queue");
  CHECK(loss.items[0].name == "solo");
  CHECK(loss.items[0].count == 3);
  CHECK(loss.items[1].name == "unsynced");
  CHECK(loss.items[1].count == 4);
  CHECK(rabbit.world->data_losses().size() == 1);  // no `volume` entry beside it

  // The members list the old identity as not running; its queues are down, its mirrors gone.
  const auto seen = rabbit.node_seen_by(1, rabbit.name(2));
  REQUIRE(seen);
  CHECK_FALSE(seen->running);
  CHECK(rabbit.queue(1, "solo")->state == "down");
  const auto mirrored = rabbit.queue(1, "mirrored");
  REQUIRE(mirrored);
  CHECK(mirrored->node != rabbit.name(2));
  CHECK(mirrored->messages == 2);
  const auto elsewhere = rabbit.queue(1, "elsewhere");
  REQUIRE(elsewhere);
  CHECK(*elsewhere->mirror_nodes == std::vector<std::string>{rabbit.name(3)});

  // The blank node is a cluster of its own: only itself, no queues, no policies.
  auto nodes = rabbit.client({2})->nodes();
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 1u);
  CHECK(nodes->at(0).name == rabbit.name(2));
  CHECK(nodes->at(0).running);
  CHECK(queue_names(rabbit, 2).empty());
  CHECK(rabbit.client({2})->policies("/")->empty());
  CHECK(rabbit.client({2})->overview()->cluster_name == rabbit.name(2));

  // Forgotten, it joins again with an empty database; what it led alone is gone for good.
  rabbit.rabbit->forget_node(rabbit.name(2));
  rabbit.advance(6s);
  CHECK(rabbit.node_seen_by(1, rabbit.name(2))->running);
  CHECK(queue_names(rabbit, 1) == std::vector<std::string>{"elsewhere", "mirrored"});
  CHECK(queue_names(rabbit, 2) == queue_names(rabbit, 1));
  CHECK_THROWS_AS(rabbit.rabbit->forget_node(rabbit.name(3)), std::invalid_argument);
}

TEST_CASE("a rabbit node restarted on its own host keeps its database", "[rabbitmq-sim][data]") {
  RabbitWorld rabbit(3);
  three_kinds_of_queue(rabbit);
  const auto inspected = rabbit.world->inspect_service("iservices_rabbitmq2");
  json::object spec = inspected.body.at("Spec").as_object();
  spec["TaskTemplate"].as_object()["ForceUpdate"] = 1;
  const auto version = inspected.body.at("Version").at("Index").to_number<std::uint64_t>();
  REQUIRE(
      rabbit.world
          ->update_service("iservices_rabbitmq2", std::to_string(version), json::serialize(spec))
          .ok());
  for (int i = 0; i < 30; ++i) {
    rabbit.advance(1s);
  }
  CHECK(rabbit.rabbit->data_losses().empty());
  CHECK(rabbit.node_seen_by(1, rabbit.name(2))->running);
  const auto solo = rabbit.queue(1, "solo");
  REQUIRE(solo);
  CHECK(solo->state == "running");
  CHECK(solo->messages == 3);
}

TEST_CASE("moved back to the host of its database, a rabbit node is the member it was",
          "[rabbitmq-sim][data]") {
  RabbitWorld rabbit(3);
  three_kinds_of_queue(rabbit);
  pin(rabbit, "iservices_rabbitmq2", "node3");
  pin(rabbit, "iservices_rabbitmq2", "node2");
  rabbit.advance(6s);
  // Never forgotten: its old database on node2 still fits the cluster, with the messages of
  // the queues it led alone. The blank spell on node3 held nothing of the cluster's.
  CHECK(rabbit.rabbit->data_losses().size() == 1u);
  CHECK(rabbit.node_seen_by(1, rabbit.name(2))->running);
  const auto solo = rabbit.queue(1, "solo");
  REQUIRE(solo);
  CHECK(solo->state == "running");
  CHECK(solo->messages == 3);

  // Once forgotten and joined again on node3, node2's older database no longer fits: the
  // node does not boot there (inconsistent_cluster).
  pin(rabbit, "iservices_rabbitmq2", "node3");
  rabbit.rabbit->forget_node(rabbit.name(2));
  pin(rabbit, "iservices_rabbitmq2", "node2");
  rabbit.advance(6s);
  CHECK_FALSE(rabbit.node_seen_by(1, rabbit.name(2))->running);
  const auto losses = rabbit.rabbit->data_losses();
  REQUIRE(losses.size() == 3u);
  CHECK(losses[2].data_host == "node3");
  CHECK(losses[2].started_on == "node2");
  CHECK_FALSE(losses[2].lost);  // it led no queue of its own since it joined again
}
