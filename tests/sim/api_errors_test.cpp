#include <catch2/catch.hpp>

#include "sim_fixtures.hpp"
#include "swarmop/sim/default_world.hpp"

using namespace swarmop::sim;
using swarmop::sim::testing::service_spec;
using swarmop::sim::testing::TestWorld;
namespace json = boost::json;

TEST_CASE("node updates: version errors and spec validation as the engine", "[sim][api]") {
  TestWorld lab(1, 2);
  auto& world = *lab.world;
  const std::string v = std::to_string(lab.node_version("node3"));
  const std::string spec =
      R"({"Labels":{"types":"worker"},"Role":"worker","Availability":"active"})";

  auto reply = world.update_node("node3", std::nullopt, spec);
  CHECK(reply.status == 400);
  CHECK(reply.message() ==
        "invalid node version '': strconv.ParseUint: parsing \"\": invalid syntax");
  reply = world.update_node("node3", "1", spec);
  CHECK(reply.status == 500);
  CHECK(reply.message() == "rpc error: code = Unknown desc = update out of sequence");
  reply = world.update_node("node3", "999999", spec);
  CHECK(reply.status == 500);
  reply = world.update_node("node3", v, R"({"Labels":{"a":"b"}})");
  CHECK(reply.status == 400);
  CHECK(reply.message() == "invalid Role: \"\"");
  reply = world.update_node("node3", v, R"({"Role":"boss","Availability":"active"})");
  CHECK(reply.message() == "invalid Role: \"boss\"");
  reply = world.update_node("node3", v, R"({"Role":"worker","Availability":"paused"})");
  CHECK(reply.status == 400);
  CHECK(reply.message() == "invalid Availability: \"paused\"");
  reply = world.update_node("node3", v, "not json");
  CHECK(reply.status == 400);
  CHECK(reply.message() == "invalid character 'n' looking for beginning of value");

  const auto index_before = world.raft_index();
  reply = world.update_node("node3", v, spec);
  CHECK(reply.status == 200);
  CHECK(reply.body.is_null());
  CHECK(lab.node_version("node3") > std::stoull(v));
  CHECK(world.raft_index() > index_before);
  // Omitting Labels clears them; the version still bumps.
  reply = world.update_node("node3", std::to_string(lab.node_version("node3")),
                            R"({"Role":"worker","Availability":"active"})");
  CHECK(reply.status == 200);
  CHECK(world.inspect_node("node3").body.at("Spec").at("Labels").as_object().empty());
}

TEST_CASE("node lookups: hostname, ambiguous hostname, not found", "[sim][api]") {
  TestWorld lab(1, 1, WorldOptions{.heartbeat_delay = std::chrono::seconds(0)});
  auto& world = *lab.world;
  CHECK(world.inspect_node("nope").status == 404);
  CHECK(world.inspect_node("nope").message() == "node nope not found");
  CHECK(world.inspect_node("node2").status == 200);
  // A re-join leaves the old entry: two entries share the hostname.
  REQUIRE(world.leave("node2", false).ok());
  world.join_directly("node2", "worker");
  lab.advance(0);
  const auto reply = world.inspect_node("node2");
  CHECK(reply.status == 400);
  CHECK(reply.message() == "node node2 is ambiguous (2 matches found)");
}

TEST_CASE("demotion and removal follow the raft rules", "[sim][api]") {
  TestWorld lab(3, 1);
  auto& world = *lab.world;
  const auto demote = [&](const std::string& host) {
    return world.update_node(host, std::to_string(lab.node_version(host)),
                             R"({"Role":"worker","Availability":"active"})");
  };
  const auto remove = [&](const std::string& host, bool force) {
    return world.remove_node(lab.node_id(host), force);
  };

  auto reply = remove("node4", false);
  CHECK(reply.status == 400);
  CHECK(reply.message() == "rpc error: code = FailedPrecondition desc = node " +
                               lab.node_id("node4") + " is not down and can't be removed");
  reply = remove("node2", true);
  CHECK(reply.status == 400);
  CHECK(reply.message() == "rpc error: code = FailedPrecondition desc = node " +
                               lab.node_id("node2") +
                               " is a cluster manager and is a member of the raft cluster. It "
                               "must be demoted to worker before removal");

  world.set_engine_up("node3", false);  // 3 managers, 1 unreachable
  reply = demote("node2");
  CHECK(reply.status == 400);
  CHECK(reply.message() ==
        "rpc error: code = FailedPrecondition desc = can't remove member from the raft: this "
        "would result in a loss of quorum");
  CHECK(demote("node3").status == 200);  // a down manager may be demoted
  lab.advance(12);
  CHECK(remove("node3", false).status == 200);

  // The leader may be demoted; leadership moves.
  CHECK(world.inspect_node("node1").body.at("ManagerStatus").at("Leader") == true);
  CHECK(demote("node1").status == 200);
  CHECK(world.inspect_node("node2").body.at("ManagerStatus").at("Leader") == true);
  CHECK(world.inspect_node("node1").body.as_object().if_contains("ManagerStatus") == nullptr);
  reply = demote("node2");
  CHECK(reply.status == 400);
  CHECK(reply.message() ==
        "rpc error: code = FailedPrecondition desc = attempting to demote the last manager of "
        "the swarm");
  CHECK(remove("node4", true).status == 200);
}

TEST_CASE("service create and update errors", "[sim][api]") {
  TestWorld lab(1, 0);
  auto& world = *lab.world;
  auto created = world.create_service(json::serialize(service_spec("gui", 1)));
  CHECK(created.status == 201);
  CHECK(created.body.at("ID").is_string());
  auto duplicate = world.create_service(json::serialize(service_spec("gui", 1)));
  CHECK(duplicate.status == 409);
  CHECK(duplicate.message() ==
        "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service "
        "gui already exists");
  const auto stored = world.inspect_service("gui").body.at("Spec");
  CHECK(stored.at("TaskTemplate").at("Runtime") == "container");
  CHECK(stored.at("TaskTemplate").at("ContainerSpec").at("Isolation") == "default");
  CHECK(stored.at("TaskTemplate").at("ForceUpdate") == 0);

  const std::string v = std::to_string(lab.service_version("gui"));
  auto reply = world.update_service("gui", std::nullopt, json::serialize(service_spec("gui", 1)));
  CHECK(reply.status == 400);
  CHECK(reply.message() ==
        "invalid service version '': strconv.ParseUint: parsing \"\": invalid syntax");
  reply = world.update_service("gui", v, R"({"Name":"gui","Mode":{"Replicated":{"Replicas":2}}})");
  CHECK(reply.status == 400);
  CHECK(reply.message() == "mismatched Runtime and *Spec fields");
  reply = world.update_service("gui", v, json::serialize(service_spec("web", 1)));
  CHECK(reply.status == 501);
  CHECK(reply.message() ==
        "rpc error: code = Unimplemented desc = renaming services is not supported");
  reply = world.update_service("gui", "3", json::serialize(service_spec("gui", 1)));
  CHECK(reply.status == 500);
  CHECK(reply.message() == "rpc error: code = Unknown desc = update out of sequence");
  reply = world.update_service("gui", v, json::serialize(service_spec("gui", 1)));
  CHECK(reply.status == 200);
  CHECK(json::serialize(reply.body) == R"({"Warnings":null})");
  CHECK(world.inspect_service("nope").status == 404);
  CHECK(world.remove_service("gui").status == 200);
  CHECK(world.inspect_service("gui").status == 404);
}

TEST_CASE("join and leave on a node's own engine", "[sim][membership]") {
  TestWorld lab(1, 1,
                WorldOptions{.heartbeat_delay = std::chrono::seconds(10),
                             .join_timeout = std::chrono::seconds(20)});
  auto& world = *lab.world;
  world.add_host("node9");
  const auto join_body = [&](const std::string& token, const std::string& remote) {
    return json::serialize(json::object{{"ListenAddr", "0.0.0.0:2377"},
                                        {"RemoteAddrs", json::array{json::value(remote)}},
                                        {"JoinToken", token}});
  };
  const std::string manager_addr = world.host("node1")->addr + ":2377";

  CHECK(world.info("node9").body.at("Swarm").at("LocalNodeState") == "inactive");
  auto reply = world.leave("node9", false);
  CHECK(reply.status == 503);
  CHECK(reply.message() == "This node is not part of a swarm");
  reply = world.join("node9", join_body("SWMTKN-1-bad", manager_addr));
  CHECK(reply.status == 400);
  CHECK(reply.message() ==
        "rpc error: code = InvalidArgument desc = A valid join token is necessary to join this "
        "cluster");
  CHECK(world.join("node9", join_body(world.worker_join_token(), manager_addr)).status == 200);
  CHECK(world.info("node9").body.at("Swarm").at("LocalNodeState") == "active");
  reply = world.join("node9", join_body(world.worker_join_token(), manager_addr));
  CHECK(reply.status == 503);
  CHECK(reply.message() ==
        "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm "
        "and join another one.");

  reply = world.leave("node1", false);
  CHECK(reply.status == 503);
  CHECK(reply.message().starts_with(
      "You are attempting to leave the swarm on a node that is participating as a manager."));

  const std::string old_id = world.host("node9")->node_id;
  CHECK(world.leave("node9", false).status == 200);
  CHECK(world.info("node9").body.at("Swarm").at("LocalNodeState") == "inactive");
  CHECK(world.inspect_node(old_id).body.at("Status").at("State") == "ready");
  lab.advance(10);
  CHECK(world.inspect_node(old_id).body.at("Status").at("State") == "down");

  // A re-join is a new node with no labels; the old entry stays until removed.
  CHECK(world.join("node9", join_body(world.manager_join_token(), manager_addr)).status == 200);
  const std::string new_id = world.host("node9")->node_id;
  CHECK(new_id != old_id);
  CHECK(world.inspect_node(new_id).body.at("ManagerStatus").at("Reachability") == "reachable");
  CHECK(world.inspect_node(old_id).status == 200);
  CHECK(world.info("node9").body.at("Swarm").at("ControlAvailable") == true);
}

TEST_CASE("a join to an unreachable manager answers 503 after the simulated timeout",
          "[sim][membership]") {
  TestWorld lab(1, 0, WorldOptions{.join_timeout = std::chrono::seconds(20)});
  lab.world->add_host("node9");
  ApiReply reply;
  std::thread joiner([&] {
    reply = lab.world->join("node9", R"({"RemoteAddrs":["10.9.9.9:2377"],"JoinToken":")" +
                                         lab.world->worker_join_token() + "\"}");
  });
  REQUIRE(swarmop::sim::testing::eventually(
      [&] { return lab.world->host("node9")->local_state == "pending"; }));
  lab.advance(20);
  joiner.join();
  CHECK(reply.status == 503);
  CHECK(reply.message().starts_with("Timeout was reached before node joined."));
  CHECK(lab.world->leave("node9", false).status == 200);
  CHECK(lab.world->host("node9")->local_state == "inactive");
}

TEST_CASE("cluster state only on managers", "[sim][api]") {
  TestWorld lab(1, 1);
  lab.world->add_host("node9");
  CHECK_FALSE(lab.world->cluster_gate("node1"));
  auto refused = lab.world->cluster_gate("node2");
  REQUIRE(refused);
  CHECK(refused->status == 503);
  CHECK(refused->message() ==
        "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster "
        "state. Please run this command on a manager node or promote the current node to a "
        "manager.");
  refused = lab.world->cluster_gate("node9");
  REQUIRE(refused);
  CHECK(refused->status == 503);
}

TEST_CASE("events carry the engine's attributes", "[sim][events]") {
  TestWorld lab(1, 1, WorldOptions{.heartbeat_delay = std::chrono::seconds(0)});
  const auto start = lab.world->events().end_sequence();
  lab.set_availability("node2", "drain");
  lab.world->create_service_directly(service_spec("gui", 1));
  lab.world->set_engine_up("node2", false);
  lab.advance(0);
  const auto events = lab.world->events().read_from(start, std::chrono::milliseconds(0)).events;
  REQUIRE(events.size() == 3);
  CHECK(events[0].attributes == std::map<std::string, std::string>{{"name", "node2"},
                                                                   {"availability.new", "drain"},
                                                                   {"availability.old", "active"}});
  CHECK(events[1].type == "service");
  CHECK(events[1].action == "create");
  CHECK(events[2].attributes == std::map<std::string, std::string>{{"name", "node2"},
                                                                   {"state.new", "down"},
                                                                   {"state.old", "ready"}});
}

TEST_CASE("the default world: a single-node Skylar Automation stack plus spare nodes",
          "[sim][default]") {
  auto clock = std::make_shared<ManualClock>();
  SwarmWorld world(clock);
  install_default_world(world, {.nodes = 3, .unjoined = 2, .stack = "iservices"});
  CHECK(world.hostnames().size() == 5);
  CHECK(world.nodes().size() == 3);
  CHECK(world.host("node5")->local_state == "inactive");
  CHECK(world.running_by_host("iservices_couchbase") == std::map<std::string, int>{{"node1", 1}});
  const auto couchbase = world.inspect_service("iservices_couchbase").body.at("Spec");
  CHECK(couchbase.at("TaskTemplate").at("ContainerSpec").at("Hostname") == "couchbase.isnet");
  CHECK(world.services().size() == 7);
}
