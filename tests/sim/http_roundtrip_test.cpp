#include <httplib.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "sim_fixtures.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

using namespace swarmop;
using namespace swarmop::sim;
using sim::testing::eventually;
using sim::testing::service_spec;
namespace json = boost::json;

namespace {

//! node1 manager, node2 worker, node3 an engine outside the swarm.
std::unique_ptr<SimulatedCluster> small_cluster(WorldOptions world = {}) {
  ClusterOptions options;
  options.world = world;
  return std::make_unique<SimulatedCluster>(options, [](SwarmWorld& w) {
    w.add_host("node1");
    w.add_host("node2");
    w.add_host("node3");
    w.init_swarm("node1");
    w.join_directly("node2", "worker");
  });
}

std::unique_ptr<clients::HttpTransport> transport(const std::string& address) {
  auto endpoint = clients::parse_docker_host(address);
  REQUIRE(endpoint);
  return std::make_unique<clients::CurlTransport>(*endpoint);
}

std::unique_ptr<clients::DockerHttpClient> client(const std::string& address) {
  return std::make_unique<clients::DockerHttpClient>(transport(address),
                                                     clients::RetryPolicy{1, {}});
}

}  // namespace

TEST_CASE("the production client round-trips over TCP and the unix socket", "[sim][http]") {
  auto cluster = small_cluster();
  const bool unix_socket = GENERATE(false, true);
  const std::string address =
      unix_socket ? cluster->unix_address("node1") : cluster->tcp_address("node1");
  INFO(address);
  auto docker = client(address);

  auto version = docker->version();
  REQUIRE(version);
  CHECK(version->api_version == "1.41");
  CHECK(version->min_api_version == "1.12");
  CHECK(version->engine_version == "20.10.24+dfsg1");
  CHECK(docker->api_prefix().value() == "/v1.41");

  auto info = docker->info();
  REQUIRE(info);
  CHECK(info->local_node_state == "active");
  CHECK(info->control_available);
  CHECK(info->name == "node1");

  auto swarm = docker->inspect_swarm();
  REQUIRE(swarm);
  CHECK(swarm->worker_join_token.reveal().starts_with("SWMTKN-1-"));

  auto nodes = docker->list_nodes();
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 2);
  auto node2 = docker->inspect_node("node2");
  REQUIRE(node2);
  CHECK(node2->role == "worker");
  CHECK(node2->engine_version == "20.10.24+dfsg1");
  CHECK(!node2->manager_reachability);

  auto spec = node2->spec;
  spec["Labels"] = json::object{{"types", "worker"}};
  REQUIRE(docker->update_node(*node2, spec));
  auto stale = docker->update_node(*node2, spec);  // same, now stale, version
  REQUIRE(!stale);
  CHECK(stale.error().code == model::ErrorCode::kConflict);
  CHECK(stale.error().http_status == 500);

  auto id = docker->create_service(service_spec("gui", 2, {"node.labels.types==worker"}));
  REQUIRE(id);
  auto services = docker->list_services();
  REQUIRE(services);
  REQUIRE(services->size() == 1);
  CHECK(services->front().running_tasks == 2u);
  CHECK(services->front().desired_tasks == 2u);
  CHECK(services->front().constraints == std::vector<std::string>{"node.labels.types==worker"});
  auto duplicate = docker->create_service(service_spec("gui", 1));
  REQUIRE(!duplicate);
  CHECK(duplicate.error().code == model::ErrorCode::kConflict);

  auto tasks = docker->list_tasks({{"gui"}, {}, {"running"}});
  REQUIRE(tasks);
  REQUIRE(tasks->size() == 2);
  int pending = 0;
  for (const auto& task : *tasks) {
    if (task.state == "pending") {
      ++pending;
      CHECK(task.node_id.empty());
      CHECK(task.err.starts_with("no suitable node"));
    }
  }
  CHECK(pending == 0);  // no MaxReplicas: both land on node2

  auto service = docker->inspect_service("gui");
  REQUIRE(service);
  auto service_spec_json = service->spec;
  service_spec_json["TaskTemplate"].as_object()["ForceUpdate"] = 1;
  REQUIRE(docker->update_service(*service, service_spec_json));
  auto again = docker->update_service(*service, service_spec_json);
  REQUIRE(!again);
  CHECK(again.error().code == model::ErrorCode::kConflict);
}

TEST_CASE("workers and unjoined engines refuse cluster state with the engine's 503",
          "[sim][http]") {
  auto cluster = small_cluster();
  auto worker = client(cluster->tcp_address("node2"));
  auto nodes = worker->list_nodes();
  REQUIRE(!nodes);
  CHECK(nodes.error().http_status == 503);
  CHECK(nodes.error().server_message.starts_with("This node is not a swarm manager. Worker"));
  auto info = worker->info();
  REQUIRE(info);
  CHECK(info->local_node_state == "active");
  CHECK_FALSE(info->control_available);

  auto raw = transport(cluster->unix_address("node1"));
  auto ping = raw->send({"GET", "/_ping", "", ""});
  REQUIRE(ping);
  CHECK(ping->status == 200);
  CHECK(ping->headers["api-version"] == "1.41");
  auto old = raw->send({"GET", "/v1.11/nodes", "", ""});
  REQUIRE(old);
  CHECK(old->status == 400);
  auto versioned = raw->send({"GET", "/v1.24/nodes", "", ""});
  REQUIRE(versioned);
  CHECK(versioned->status == 200);
  auto garbage = raw->send({"POST", "/v1.41/services/create", "{nope", "application/json"});
  REQUIRE(garbage);
  CHECK(garbage->status == 400);
}

TEST_CASE("a node joins and leaves through its own engine", "[sim][http][membership]") {
  auto cluster = small_cluster(WorldOptions{.heartbeat_delay = std::chrono::seconds(10)});
  auto manager = client(cluster->tcp_address("node1"));
  auto outsider = client(cluster->unix_address("node3"));
  auto swarm = manager->inspect_swarm();
  REQUIRE(swarm);
  auto node1 = manager->inspect_node("node1");
  REQUIRE(node1);

  clients::JoinRequest join;
  join.remote_addrs = {node1->manager_addr};
  join.join_token = clients::Secret("SWMTKN-1-wrong");
  auto refused = outsider->join_swarm(join);
  REQUIRE(!refused);
  CHECK(refused.error().http_status == 400);

  join.join_token = swarm->manager_join_token;
  REQUIRE(outsider->join_swarm(join));
  auto joined = manager->inspect_node("node3");
  REQUIRE(joined);
  CHECK(joined->role == "manager");
  CHECK(outsider->list_nodes());  // a manager now

  auto leave = outsider->leave_swarm(false);
  REQUIRE(!leave);
  CHECK(leave.error().http_status == 503);
  // The clean way out for a manager: demote first, then leave.
  auto demoted = joined->spec;
  demoted["Role"] = "worker";
  REQUIRE(manager->update_node(*joined, demoted));
  REQUIRE(outsider->leave_swarm(false));
  CHECK(outsider->info()->local_node_state == "inactive");
  cluster->advance(std::chrono::seconds(10));
  CHECK(manager->inspect_node(joined->id)->state == "down");
}

TEST_CASE("events: a live stream delivers new events, and since/until replays then closes",
          "[sim][http][events]") {
  auto cluster = small_cluster();
  auto docker = client(cluster->tcp_address("node1"));
  const auto start = cluster->manual_clock()->now() / kSecond;

  std::mutex mutex;
  std::vector<clients::DockerEvent> seen;
  std::atomic<bool> cancel{false};
  std::thread stream([&] {
    auto live = client(cluster->unix_address("node1"));
    (void)live->events(
        0, 0,
        [&](const clients::DockerEvent& event) {
          std::lock_guard lock(mutex);
          seen.push_back(event);
          return true;
        },
        &cancel);
  });
  // The stream is open once a request is being served; events published before that are
  // not part of a live stream, so keep publishing until one arrives.
  REQUIRE(eventually([&] {
    static int n = 0;
    (void)docker->create_service(service_spec("svc" + std::to_string(n++), 1));
    std::lock_guard lock(mutex);
    return !seen.empty();
  }));
  cancel = true;
  stream.join();
  {
    std::lock_guard lock(mutex);
    CHECK(seen.front().type == "service");
    CHECK(seen.front().action == "create");
  }

  cluster->advance(std::chrono::seconds(5));
  std::vector<clients::DockerEvent> replay;
  auto done = docker->events(
      start, start + 2,
      [&](const clients::DockerEvent& event) {
        replay.push_back(event);
        return true;
      },
      nullptr);
  REQUIRE(done);  // returned by itself: the replay closed the stream
  CHECK(!replay.empty());

  // A worker's stream carries no swarm events.
  auto worker = client(cluster->tcp_address("node2"));
  std::vector<clients::DockerEvent> none;
  REQUIRE(worker->events(
      start, start + 2,
      [&](const clients::DockerEvent& event) {
        none.push_back(event);
        return true;
      },
      nullptr));
  CHECK(none.empty());
}

TEST_CASE("faults: injected statuses, drops, down and partitioned nodes", "[sim][http][faults]") {
  auto cluster = small_cluster(WorldOptions{.heartbeat_delay = std::chrono::seconds(12)});
  auto docker = client(cluster->tcp_address("node1"));
  auto control = transport(cluster->tcp_address("node1"));
  REQUIRE(docker->version());

  auto added =
      control->send({"POST", "/_sim/faults",
                     R"({"method":"GET","path":"/nodes$","status":500,"message":"boom","count":1})",
                     "application/json"});
  REQUIRE(added);
  CHECK(added->status == 201);
  auto failed = docker->list_nodes();
  REQUIRE(!failed);
  CHECK(failed.error().code == model::ErrorCode::kTransient);
  CHECK(failed.error().server_message == "boom");
  CHECK(docker->list_nodes());  // count 1: used up

  FaultRule drop;
  drop.path_regex = "/swarm$";
  drop.drop = true;
  cluster->faults().add(drop);
  auto dropped = docker->inspect_swarm();
  REQUIRE(!dropped);
  CHECK(dropped.error().code == model::ErrorCode::kTransient);
  REQUIRE(control->send({"DELETE", "/_sim/faults", "", ""})->status == 200);
  CHECK(docker->inspect_swarm());

  // A down node: its engine refuses; managers see it down after the heartbeat delay.
  REQUIRE(control->send({"POST", "/_sim/nodes/node2/down", "", ""})->status == 200);
  auto worker = client(cluster->tcp_address("node2"));
  auto dead = worker->version();
  REQUIRE(!dead);
  CHECK(dead.error().code == model::ErrorCode::kTransient);
  CHECK(docker->inspect_node("node2")->state == "ready");
  REQUIRE(control->send({"POST", "/_sim/clock/advance?seconds=12", "", ""})->status == 200);
  CHECK(docker->inspect_node("node2")->state == "down");
  REQUIRE(control->send({"POST", "/_sim/nodes/node2/up", "", ""})->status == 200);
  CHECK(docker->inspect_node("node2")->state == "ready");

  // A partition: the node's engine still answers locally, the cluster sees it down.
  REQUIRE(control->send({"POST", "/_sim/nodes/node2/partition", "", ""})->status == 200);
  cluster->advance(std::chrono::seconds(12));
  CHECK(docker->inspect_node("node2")->state == "down");
  CHECK(worker->info()->local_node_state == "active");

  auto state = control->send({"GET", "/_sim/state", "", ""});
  REQUIRE(state);
  CHECK(state->status == 200);
}

TEST_CASE("a hung request is held until its rule is cleared", "[sim][http][faults]") {
  auto cluster = small_cluster();
  auto docker = client(cluster->tcp_address("node1"));
  REQUIRE(docker->version());
  FaultRule hang;
  hang.path_regex = "/services$";
  hang.hang = true;
  const auto id = cluster->faults().add(hang);
  std::atomic<bool> answered{false};
  std::thread caller([&] {
    CHECK(docker->list_services());
    answered = true;
  });
  CHECK_FALSE(eventually([&] { return answered.load(); }, std::chrono::milliseconds(200)));
  cluster->faults().remove(id);
  caller.join();
  CHECK(answered);
}

TEST_CASE("many concurrent connections through the unix socket proxy", "[sim][http]") {
  auto cluster = small_cluster();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto docker = client(cluster->unix_address("node1"));
      for (int j = 0; j < 10; ++j) {
        if (docker->list_nodes()) {
          ++ok;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(ok == 160);
}

TEST_CASE("an answer over the size limit and an endless event line are cut off, not kept",
          "[http][limits]") {
  using namespace std::chrono_literals;
  httplib::Server server;
  const std::string big(std::size_t{3} << 20, ' ');
  server.Get("/big", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(big, "application/json");
  });
  server.Get("/version", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"ApiVersion":"1.41","Version":"24.0.0"})", "application/json");
  });
  // An "event stream" that never sends a newline: 64 KiB chunks up to 8 MiB.
  server.Get(R"(/v1\.41/events)", [](const httplib::Request&, httplib::Response& response) {
    response.set_chunked_content_provider("application/json",
                                          [](std::size_t offset, httplib::DataSink& sink) {
                                            if (offset >= (std::size_t{8} << 20)) {
                                              sink.done();
                                              return true;
                                            }
                                            const std::string chunk(std::size_t{64} << 10, 'a');
                                            return sink.write(chunk.data(), chunk.size());
                                          });
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread serving([&] { server.listen_after_bind(); });
  const std::string address = "tcp://127.0.0.1:" + std::to_string(port);

  auto http = transport(address);
  clients::HttpRequest request{"GET", "/big", "", "", 10s};
  request.max_body_bytes = std::size_t{1} << 20;
  auto cut = http->send(request);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().code == model::ErrorCode::kInternal);
  CHECK_THAT(cut.error().message, Catch::Contains("longer than 1 MiB"));
  request.max_body_bytes = std::size_t{4} << 20;
  auto whole = http->send(request);
  REQUIRE(whole);
  CHECK(whole->body.size() == big.size());

  auto docker = client(address);
  int events_seen = 0;
  auto streamed = docker->events(
      0, 0, [&](const clients::DockerEvent&) { return ++events_seen > 0; }, nullptr);
  REQUIRE_FALSE(streamed);
  CHECK(events_seen == 0);
  CHECK_THAT(streamed.error().message, Catch::Contains("longer than 1 MiB"));

  server.stop();
  serving.join();
}
