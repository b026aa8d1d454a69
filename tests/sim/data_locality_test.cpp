// Where the simulated world keeps each service's data: bind mounts and `local` volumes on the
// host the task ran on, other drivers' volumes with the task; and the record of data left
// behind when a task starts elsewhere.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "sim_fixtures.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

using namespace swarmop;
using namespace swarmop::sim;
using sim::testing::service_spec;
using sim::testing::TestWorld;
namespace json = boost::json;

namespace {

json::object bind_mount(const std::string& source) {
  return json::object{{"Type", "bind"}, {"Source", source}, {"Target", "/data"}};
}

json::object volume(const std::string& source, const std::string& driver = "") {
  json::object mount{{"Type", "volume"}, {"Source", source}, {"Target", "/data"}};
  if (!driver.empty()) {
    mount["VolumeOptions"] = json::object{{"DriverConfig", json::object{{"Name", driver}}}};
  }
  return mount;
}

//! A one-replica service pinned to `host`, with these mounts.
json::object pinned(const std::string& name, const std::string& host, json::array mounts) {
  json::object spec = service_spec(name, 1, {"node.hostname == " + host});
  spec["TaskTemplate"].as_object()["ContainerSpec"].as_object()["Mounts"] = std::move(mounts);
  return spec;
}

//! Moves a pinned service to `host` through a service update, as an operator's constraint
//! change does, and lets the rolling update (stop-first, 2 s grace) finish.
void pin_to(TestWorld& lab, const std::string& name, const std::string& host) {
  REQUIRE(
      lab.update_spec(name,
                      [&](json::object& spec) {
                        spec["TaskTemplate"].as_object()["Placement"].as_object()["Constraints"] =
                            json::array{json::value("node.hostname == " + host)};
                      })
          .ok());
  lab.advance(10);
  REQUIRE(lab.world->running_by_host(name) == std::map<std::string, int>{{host, 1}});
}

std::vector<std::string> hosts_of(const ServiceData& data) {
  std::vector<std::string> out;
  for (const auto& copy : data.copies) {
    out.push_back(copy.host);
  }
  return out;
}

}  // namespace

TEST_CASE("data is first written where the task first runs, and a restart there keeps it",
          "[sim][data]") {
  TestWorld lab(1, 2);
  CHECK_FALSE(lab.world->holds_data("db", "node2"));  // never ran: its data is nowhere yet
  lab.world->create_service_directly(pinned("db", "node2", {bind_mount("/srv/db")}));
  auto data = lab.world->data_of("db");
  REQUIRE(data);
  CHECK(data->local_mounts == std::vector<std::string>{"bind /srv/db"});
  CHECK(data->current_host == "node2");
  REQUIRE(hosts_of(*data) == std::vector<std::string>{"node2"});
  CHECK(data->copies[0].in_use);
  CHECK(lab.world->holds_data("db", "node2"));
  CHECK_FALSE(lab.world->holds_data("db", "node3"));

  // A forced update restarts the task on the same host: the same copy.
  REQUIRE(
      lab.update_spec(
             "db", [](json::object& spec) { spec["TaskTemplate"].as_object()["ForceUpdate"] = 1; })
          .ok());
  lab.advance(10);
  CHECK(lab.world->running_by_host("db") == std::map<std::string, int>{{"node2", 1}});
  const auto restarted = lab.world->data_of("db");
  REQUIRE(hosts_of(*restarted) == std::vector<std::string>{"node2"});
  CHECK(restarted->copies[0].id == data->copies[0].id);
  CHECK(lab.world->data_losses().empty());
}

TEST_CASE("a task moved to another host starts on an empty copy, the data stays behind",
          "[sim][data]") {
  TestWorld lab(1, 2);
  lab.world->create_service_directly(
      pinned("db", "node2", {bind_mount("/srv/db"), volume("dbvolume")}));
  const auto first = lab.world->data_of("db")->copies.at(0).id;
  lab.advance(30);
  const UnixNanos moved_at = lab.clock->now();
  pin_to(lab, "db", "node3");

  const auto data = lab.world->data_of("db");
  REQUIRE(hosts_of(*data) == std::vector<std::string>{"node2", "node3"});
  CHECK(data->current_host == "node3");
  CHECK_FALSE(data->copies[0].in_use);
  CHECK(data->copies[1].in_use);
  CHECK(data->copies[1].id != first);
  CHECK(lab.world->holds_data("db", "node2"));  // the old files are still there
  const auto losses = lab.world->data_losses();
  REQUIRE(losses.size() == 1);
  const DataLoss& loss = losses[0];
  CHECK(loss.store == "volume");
  CHECK(loss.service == "db");
  CHECK(loss.data_host == "node2");
  CHECK(loss.started_on == "node3");
  CHECK(loss.lost);
  CHECK(loss.time >= moved_at);
  REQUIRE(loss.items.size() == 2);
  CHECK(loss.items[0].kind == "mount");
  CHECK(loss.items[0].name == "bind /srv/db");
  CHECK(loss.items[1].name == "volume dbvolume");

  // Back on node2 the task finds the older copy it left there; node3's newer data stays.
  pin_to(lab, "db", "node2");
  const auto back = lab.world->data_of("db");
  REQUIRE(hosts_of(*back) == std::vector<std::string>{"node2", "node3"});
  CHECK(back->current_host == "node2");
  CHECK(back->current_copy == first);
  const auto again = lab.world->data_losses();
  REQUIRE(again.size() == 2);
  CHECK(again[1].data_host == "node3");
  CHECK(again[1].started_on == "node2");
  CHECK(again[1].note.find("older copy") != std::string::npos);
}

TEST_CASE("a volume of another driver follows the task, a local one does not", "[sim][data]") {
  TestWorld lab(1, 2);
  lab.world->create_service_directly(pinned("shared", "node2", {volume("db", "nfs-plugin")}));
  lab.world->create_service_directly(
      pinned("mixed", "node2", {volume("db", "nfs-plugin"), volume("cache", "local")}));
  pin_to(lab, "shared", "node3");
  pin_to(lab, "mixed", "node3");

  const auto shared = lab.world->data_of("shared");
  REQUIRE(shared);
  CHECK(shared->local_mounts.empty());
  CHECK(shared->shared_mounts == std::vector<std::string>{"volume db (driver nfs-plugin)"});
  CHECK(shared->copies.empty());
  CHECK(lab.world->holds_data("shared", "node1"));  // nothing of it is local to any host
  const auto losses = lab.world->data_losses();
  REQUIRE(losses.size() == 1);  // only the local volume of `mixed` stayed on node2
  CHECK(losses[0].service == "mixed");
  REQUIRE(losses[0].items.size() == 1);
  CHECK(losses[0].items[0].name == "volume cache");
}

TEST_CASE("replicas on several hosts each keep their own copy, a scale-out leaves nothing behind",
          "[sim][data]") {
  TestWorld lab(1, 2);
  json::object spec = service_spec("cache", 1);
  spec["TaskTemplate"].as_object()["ContainerSpec"].as_object()["Mounts"] =
      json::array{volume("cache")};
  lab.world->create_service_directly(spec);
  REQUIRE(lab.update_spec("cache",
                          [](json::object& s) {
                            s["Mode"] = json::object{{"Replicated", json::object{{"Replicas", 3}}}};
                          })
              .ok());
  const auto data = lab.world->data_of("cache");
  CHECK(data->copies.size() == 3);
  for (const auto& copy : data->copies) {
    CHECK(copy.in_use);
  }
  CHECK(lab.world->data_losses().empty());
}

TEST_CASE("services without mounts, tmpfs and anonymous volumes have no data to leave behind",
          "[sim][data]") {
  TestWorld lab(1, 2);
  lab.world->create_service_directly(pinned("web", "node2", {}));
  lab.world->create_service_directly(pinned(
      "scratch", "node2",
      {json::object{{"Type", "tmpfs"}, {"Target", "/tmp"}}, json::object{{"Target", "/anon"}}}));
  pin_to(lab, "web", "node3");
  pin_to(lab, "scratch", "node3");
  CHECK_FALSE(lab.world->data_of("web"));
  CHECK_FALSE(lab.world->data_of("scratch"));
  CHECK(lab.world->holds_data("web", "node1"));
  CHECK(lab.world->data_losses().empty());
}

TEST_CASE("a claimed service's move is left to its store's simulator to record", "[sim][data]") {
  TestWorld lab(1, 2);
  lab.world->claim_data_store("couchbase", [](const Service& service) {
    return service.spec.at("Name").as_string() == "claimed";
  });
  lab.world->create_service_directly(pinned("claimed", "node2", {bind_mount("/srv/db")}));
  pin_to(lab, "claimed", "node3");
  CHECK(lab.world->data_of("claimed")->current_host == "node3");
  CHECK(lab.world->data_losses().empty());
}

TEST_CASE("GET /_sim/data and /_sim/data/losses", "[sim][data][http]") {
  ClusterOptions options;
  options.unix_sockets = false;
  SimulatedCluster cluster(options, [](SwarmWorld& world) {
    for (const char* host : {"node1", "node2", "node3"}) {
      world.add_host(host);
    }
    world.init_swarm("node1");
    world.join_directly("node2", "worker");
    world.join_directly("node3", "worker");
    world.create_service_directly(pinned("db", "node2", {bind_mount("/srv/db")}));
  });
  auto& world = cluster.world();
  auto spec = world.inspect_service("db").body.at("Spec").as_object();
  spec["TaskTemplate"].as_object()["Placement"].as_object()["Constraints"] =
      json::array{"node.hostname == node3"};
  const auto version = world.inspect_service("db").body.at("Version").at("Index").as_uint64();
  REQUIRE(world.update_service("db", std::to_string(version), json::serialize(spec)).ok());
  cluster.advance(std::chrono::seconds(15));

  auto endpoint = clients::parse_docker_host(cluster.tcp_address("node1"));
  REQUIRE(endpoint);
  clients::CurlTransport control(*endpoint);
  auto losses = control.send({"GET", "/_sim/data/losses", "", ""});
  REQUIRE(losses);
  REQUIRE(losses->status == 200);
  const auto list = json::parse(losses->body).as_array();
  REQUIRE(list.size() == 1);
  const auto& entry = list[0].as_object();
  CHECK(entry.at("Store") == "volume");
  CHECK(entry.at("Service") == "db");
  CHECK(entry.at("DataHost") == "node2");
  CHECK(entry.at("StartedOn") == "node3");
  CHECK(entry.at("Lost") == true);
  CHECK(entry.at("Items").as_array().at(0).at("Name") == "bind /srv/db");
  CHECK(entry.at("Time").as_string().starts_with("2026-11-25T13:00:"));

  auto data = control.send({"GET", "/_sim/data", "", ""});
  REQUIRE(data);
  const auto services = json::parse(data->body).at("Services").as_array();
  REQUIRE(services.size() == 1);
  CHECK(services[0].at("CurrentHost") == "node3");
  CHECK(services[0].at("Copies").as_array().size() == 2);
}
