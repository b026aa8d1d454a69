#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/docker_json.hpp"
#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/clients/docker_time.hpp"
#include "swarmop/clients/endpoint.hpp"

using namespace swarmop;
using namespace swarmop::clients;
namespace json = boost::json;

namespace {

// Responses captured from a real dockerd 20.10 swarm (API 1.41).
json::value fixture(const std::string& name) {
  std::ifstream in(std::string(SWARMOP_SOURCE_DIR) + "/tests/fixtures/docker/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

}  // namespace

TEST_CASE("real /nodes responses decode", "[unit][docker]") {
  auto nodes = docker_json::decode_nodes(fixture("get-nodes-5.json"));
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 5);
  const auto leader = std::find_if(nodes->begin(), nodes->end(), [](auto& n) { return n.leader; });
  REQUIRE(leader != nodes->end());
  CHECK(leader->hostname == "node1");
  CHECK(leader->role == "manager");
  CHECK(leader->manager_reachability == "reachable");
  CHECK(leader->manager_addr == "10.231.0.11:2377");
  const auto worker =
      std::find_if(nodes->begin(), nodes->end(), [](auto& n) { return n.hostname == "node4"; });
  REQUIRE(worker != nodes->end());
  CHECK(worker->role == "worker");
  CHECK_FALSE(worker->manager_reachability.has_value());
  CHECK(worker->state == "ready");
  CHECK(worker->version > 0);
  CHECK(worker->spec.contains("Role"));
  CHECK(worker->engine_version == "20.10.24+dfsg1");
}

TEST_CASE("real /services and /tasks responses decode", "[unit][docker]") {
  auto service = docker_json::decode_service(fixture("get-service-gui.json"));
  REQUIRE(service);
  CHECK(service->name == "gui");
  CHECK(service->mode == "replicated");
  CHECK(service->replicas == 3u);
  CHECK(service->max_replicas == 1u);
  CHECK(service->constraints == std::vector<std::string>{"node.labels.types==master"});
  auto services = docker_json::decode_services(fixture("get-services.json"));
  REQUIRE(services);
  CHECK(services->size() == 2);

  auto tasks = docker_json::decode_tasks(fixture("get-tasks-gui-pending.json"));
  REQUIRE(tasks);
  const auto pending =
      std::find_if(tasks->begin(), tasks->end(), [](auto& t) { return t.state == "pending"; });
  REQUIRE(pending != tasks->end());
  CHECK(pending->node_id.empty());
  CHECK(pending->err ==
        "no suitable node (max replicas per node limit exceed; scheduling constraints not "
        "satisfied on 2 nodes)");
}

TEST_CASE("join tokens are secrets", "[unit][docker]") {
  auto swarm = docker_json::decode_swarm(fixture("get-swarm.json"));
  REQUIRE(swarm);
  CHECK(swarm->worker_join_token.reveal().rfind("SWMTKN-1-", 0) == 0);
  std::ostringstream printed;
  printed << swarm->worker_join_token;
  CHECK(printed.str() == "[redacted]");
}

TEST_CASE("/info tells a manager from a worker", "[unit][docker]") {
  auto manager = docker_json::decode_info(fixture("get-info-manager.json"));
  auto worker = docker_json::decode_info(fixture("get-info-worker.json"));
  REQUIRE(manager);
  REQUIRE(worker);
  CHECK(manager->control_available);
  CHECK_FALSE(worker->control_available);
  CHECK(manager->local_node_state == "active");
  CHECK_FALSE(worker->remote_manager_addrs.empty());
  // The real engine's clock, read from the sample: 2026-11-25T13:03:38.5921888Z.
  CHECK(manager->system_time == 1795611818);
}

TEST_CASE("task timestamps are read as seconds on the swarm's clock", "[unit][docker]") {
  auto tasks = docker_json::decode_tasks(fixture("get-tasks-gui-running.json"));
  REQUIRE(tasks);
  REQUIRE_FALSE(tasks->empty());
  for (const auto& task : *tasks) {
    REQUIRE(task.status_time);
    // The sample was taken on 2026-11-25 between 13:00 and 14:00 UTC.
    CHECK(*task.status_time >= 1795611600);
    CHECK(*task.status_time < 1795615200);
  }
}

TEST_CASE("Docker timestamps: RFC 3339 with fractions and offsets, nothing else",
          "[unit][docker]") {
  CHECK(clients::parse_docker_time("1970-01-01T00:00:00Z") == 0);
  CHECK(clients::parse_docker_time("2026-11-25T13:03:38.5921888Z") == 1795611818);
  CHECK(clients::parse_docker_time("2026-11-25T14:03:38.5+01:00") == 1795611818);
  CHECK(clients::parse_docker_time("2026-11-25T08:33:38-04:30") == 1795611818);
  // Go's zero time means "never"; malformed text is not a time.
  CHECK_FALSE(clients::parse_docker_time("0001-01-01T00:00:00Z"));
  for (const char* bad :
       {"", "2026-11-25", "2026-11-25T13:03:38", "2026-11-25T13:03:38.Z", "2026-13-25T13:03:38Z",
        "2026-11-25T13:03:38Zjunk", "2026-11-25 13:03:38Z", "2026-11-25T13:03:38+0100"}) {
    INFO(bad);
    CHECK_FALSE(clients::parse_docker_time(bad));
  }
}

TEST_CASE("events decode with their attributes", "[unit][docker]") {
  std::ifstream in(std::string(SWARMOP_SOURCE_DIR) +
                   "/tests/fixtures/docker/events-sample-role-avail-create-remove.jsonl");
  std::string line;
  std::getline(in, line);
  auto event = docker_json::decode_event(json::parse(line));
  REQUIRE(event);
  CHECK(event->type == "node");
  CHECK(event->action == "update");
  CHECK(event->attributes.at("availability.new") == "drain");
  CHECK(event->attributes.at("name") == "node4");
  CHECK(event->time_nano > event->time);
}

TEST_CASE("broken responses are errors, never crashes", "[unit][docker]") {
  CHECK_FALSE(docker_json::parse("{\"ID\":", "/nodes"));
  CHECK(docker_json::parse("[1,", "/nodes").error().message ==
        "unexpected response from the Docker engine: /nodes is not valid JSON (incomplete JSON)");
  CHECK_FALSE(docker_json::decode_nodes(json::parse("{}")));
  CHECK_FALSE(docker_json::decode_nodes(json::parse("[{\"Spec\":{}}]")));  // no ID
  CHECK_FALSE(docker_json::decode_nodes(json::parse("[42]")));
  // Fields of the wrong type read as empty rather than throwing.
  auto odd = docker_json::decode_node(json::parse(
      R"({"ID":"x","Version":{"Index":"7"},"Spec":{"Labels":{"a":1,"b":"c"},"Role":5},
          "ManagerStatus":null})"));
  REQUIRE(odd);
  CHECK(odd->version == 0);
  CHECK(odd->labels == std::map<std::string, std::string>{{"b", "c"}});
  CHECK(odd->role.empty());
  CHECK_FALSE(odd->manager_reachability);
  CHECK_FALSE(docker_json::decode_version(json::parse("{}")));
}

TEST_CASE("engine errors map to what the caller should do", "[unit][docker]") {
  using model::ErrorCode;
  CHECK(classify_docker_error(500, "rpc error: code = Unknown desc = update out of sequence") ==
        ErrorCode::kConflict);
  CHECK(classify_docker_error(409, "rpc error: code = AlreadyExists desc = name conflicts") ==
        ErrorCode::kConflict);
  CHECK(classify_docker_error(404, "node nope not found") == ErrorCode::kNotFound);
  CHECK(classify_docker_error(400, "invalid Role: \"boss\"") == ErrorCode::kInvalid);
  CHECK(classify_docker_error(503,
                              "This node is not a swarm manager. Worker nodes can't be used "
                              "to view or modify cluster state.") == ErrorCode::kInvalid);
  CHECK(classify_docker_error(503, "The swarm does not have a leader.") == ErrorCode::kTransient);
  CHECK(classify_docker_error(500, "something else") == ErrorCode::kTransient);
  CHECK(docker_json::error_message(R"({"message":"node nope not found"})") ==
        "node nope not found");
  CHECK(docker_json::error_message("plain text\n") == "plain text");
}

TEST_CASE("docker hosts parse like the docker CLI's", "[unit][docker]") {
  auto unix_socket = parse_docker_host("unix:///var/run/docker.sock");
  REQUIRE(unix_socket);
  CHECK(unix_socket->unix_socket == "/var/run/docker.sock");
  CHECK(unix_socket->display() == "unix:///var/run/docker.sock");
  auto tcp = parse_docker_host("tcp://10.0.0.1:2376", TlsConfig{"ca", "cert", "key", true});
  REQUIRE(tcp);
  CHECK(tcp->base_url == "https://10.0.0.1:2376");
  auto plain = parse_docker_host("tcp://127.0.0.1:2375");
  REQUIRE(plain);
  CHECK(plain->base_url == "http://127.0.0.1:2375");
  CHECK_FALSE(parse_docker_host("unix://relative"));
  CHECK_FALSE(parse_docker_host("tcp://host-without-port"));
  CHECK_FALSE(parse_docker_host("ssh://user@host"));
  auto url = parse_http_url("http://couchbase.isnet:8091/");
  REQUIRE(url);
  CHECK(url->base_url == "http://couchbase.isnet:8091");
}

TEST_CASE("spec edits change one field and keep the rest", "[unit][docker]") {
  auto service = docker_json::decode_service(fixture("get-service-gui.json"));
  REQUIRE(service);
  json::object spec = service->spec;
  spec["FieldFromTheFuture"] = json::object{{"keep", true}};

  auto scaled = spec_edit::with_replicas(spec, 5);
  CHECK(scaled.at("Mode").at("Replicated").at("Replicas").as_uint64() == 5);
  CHECK(scaled.at("FieldFromTheFuture") == spec.at("FieldFromTheFuture"));
  CHECK(scaled.at("TaskTemplate") == spec.at("TaskTemplate"));

  auto forced = spec_edit::with_force_update_bumped(spec_edit::with_force_update_bumped(spec));
  CHECK(forced.at("TaskTemplate").at("ForceUpdate").as_uint64() == 2);

  auto placed = spec_edit::with_max_replicas(
      spec_edit::with_constraints(spec, {"node.labels.types == master"}), 1);
  const auto& placement = placed.at("TaskTemplate").at("Placement").as_object();
  CHECK(placement.at("Constraints").as_array().size() == 1);
  CHECK(placement.at("MaxReplicas").as_uint64() == 1);

  auto env = spec_edit::with_env(spec_edit::with_env(spec, {{"A", "1"}, {"B", "2"}}),
                                 {{"A", "3"}, {"C", "4"}});
  CHECK(env.at("TaskTemplate").at("ContainerSpec").at("Env") == json::array{"A=3", "B=2", "C=4"});

  auto timed = spec_edit::with_restart_delay(
      spec_edit::with_stop_grace_period(spec, std::chrono::seconds(20)), std::chrono::seconds(30));
  CHECK(timed.at("TaskTemplate").at("ContainerSpec").at("StopGracePeriod").as_int64() ==
        20'000'000'000);
  CHECK(timed.at("TaskTemplate").at("RestartPolicy").at("Delay").as_int64() == 30'000'000'000);
  CHECK(timed.at("TaskTemplate").at("RestartPolicy").at("Condition") == "any");

  auto limited = spec_edit::with_resources(spec, false, 1.5, 2LL << 30);
  CHECK(limited.at("TaskTemplate").at("Resources").at("Limits").at("NanoCPUs").as_int64() ==
        1'500'000'000);

  json::object node_spec{{"Role", "worker"},
                         {"Availability", "active"},
                         {"Labels", json::object{{"owner", "ops"}, {"types", "worker"}}}};
  auto relabelled = spec_edit::with_labels(node_spec, {{"types", "master"}}, {"gone"});
  CHECK(relabelled.at("Labels") == json::object{{"owner", "ops"}, {"types", "master"}});
  CHECK(spec_edit::with_role(node_spec, "manager").at("Role") == "manager");
}

// Found by fuzz/fuzz_docker_json (docs/fuzzing.md): Boost.JSON reads an integer literal too big
// for 64 bits as a double, and converting a double outside the integer type's range is
// undefined behaviour. Such a value now reads as empty (0), like a negative count.
TEST_CASE("integer fields out of the 64-bit range read as 0, not undefined behaviour",
          "[unit][docker]") {
  const auto version_of = [](const json::value& index) {
    auto node = docker_json::decode_node(json::object{{"ID", "n1"},
                                                      {"Version", json::object{{"Index", index}}},
                                                      {"Spec", json::object{{"Role", "manager"}}}});
    REQUIRE(node);
    return node->version;
  };
  CHECK(version_of(json::parse("100000000000000000000")) == 0);  // parsed as a double
  CHECK(version_of(json::parse("18446744073709551616")) == 0);   // 2^64
  CHECK(version_of(json::parse("1e300")) == 0);
  CHECK(version_of(json::parse("-1e300")) == 0);
  CHECK(version_of(json::parse("-1")) == 0);
  CHECK(version_of(json::parse("18446744073709551615")) == UINT64_MAX);  // still an integer
  CHECK(version_of(json::parse("42.0")) == 42);
  // The last double below 2^64 still fits (built here: the parser may round a decimal up).
  CHECK(version_of(18446744073709549568.0) == 18446744073709549568u);

  // "time timeNano" of an event, as text so that a failure shows both.
  const auto times_of = [](const json::value& time, const json::value& time_nano) {
    auto event = docker_json::decode_event(json::object{{"Type", "node"},
                                                        {"Action", "update"},
                                                        {"Actor", json::object{{"ID", "n1"}}},
                                                        {"time", time},
                                                        {"timeNano", time_nano}});
    REQUIRE(event);
    return std::to_string(event->time) + " " + std::to_string(event->time_nano);
  };
  CHECK(times_of(json::parse("1e19"), json::parse("-1e300")) == "0 0");
  CHECK(times_of(json::parse("1e300"), json::parse("-1e19")) == "0 0");
  // 2^63 as a double is just out of range; -2^63 is just in it.
  CHECK(times_of(json::parse("9.223372036854775808e18"), json::parse("-9.223372036854775808e18")) ==
        "0 -9223372036854775808");
  CHECK(times_of(json::parse("1.7e9"), json::parse("1.7e18")) == "1700000000 1700000000000000000");
  // The last double below 2^63 still fits.
  CHECK(times_of(9223372036854774784.0, 0) == "9223372036854774784 0");
  // No JSON text spells NaN or infinity, but a json::value can hold them.
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  CHECK(times_of(std::numeric_limits<double>::quiet_NaN(), kInfinity) == "0 0");
  CHECK(times_of(-kInfinity, -std::numeric_limits<double>::quiet_NaN()) == "0 0");
}

namespace {

//! Answers every request with `body` and records the timeout each was sent with.
class RecordingTransport final : public HttpTransport {
 public:
  explicit RecordingTransport(std::vector<std::chrono::milliseconds>& timeouts)
      : timeouts_(timeouts) {}
  model::Expected<HttpResponse> send(const HttpRequest& request) override {
    timeouts_.push_back(request.timeout);
    if (request.path == "/version") {
      return HttpResponse{200, R"({"ApiVersion":"1.41","Version":"20.10.24"})", {}};
    }
    return HttpResponse{200, "[]", {}};
  }
  model::Expected<int> stream(const HttpRequest& request,
                              const std::function<bool(std::string_view)>&,
                              const std::atomic<bool>*) override {
    timeouts_.push_back(request.timeout);
    return 200;
  }
  std::string display() const override { return "recording"; }

 private:
  std::vector<std::chrono::milliseconds>& timeouts_;
};

}  // namespace

TEST_CASE("a call timeout cap bounds every call, a join's longer one included", "[unit][docker]") {
  std::vector<std::chrono::milliseconds> timeouts;
  RetryPolicy lease_policy;
  lease_policy.attempts = 1;
  lease_policy.call_timeout = std::chrono::seconds(2);
  DockerHttpClient capped(std::make_unique<RecordingTransport>(timeouts), lease_policy);
  REQUIRE(capped.list_services());
  JoinRequest join;
  join.remote_addrs = {"10.0.0.1:2377"};
  (void)capped.join_swarm(join);  // its own timeout is 40 s: capped too
  REQUIRE(timeouts.size() == 3);  // /version, /services, /swarm/join
  for (const auto timeout : timeouts) {
    CHECK(timeout == std::chrono::seconds(2));
  }
  timeouts.clear();
  DockerHttpClient plain(std::make_unique<RecordingTransport>(timeouts));
  REQUIRE(plain.list_services());
  CHECK(timeouts.back() == std::chrono::seconds(30));
}

namespace {

//! Answers /version, and everything else with `status` and `body`.
class AnsweringTransport final : public HttpTransport {
 public:
  AnsweringTransport(int status, std::string body) : status_(status), body_(std::move(body)) {}
  model::Expected<HttpResponse> send(const HttpRequest& request) override {
    if (request.path == "/version") {
      return HttpResponse{200, R"({"ApiVersion":"1.41","Version":"20.10.24"})", {}};
    }
    return HttpResponse{status_, body_, {}};
  }
  model::Expected<int> stream(const HttpRequest&, const std::function<bool(std::string_view)>&,
                              const std::atomic<bool>*) override {
    return 200;
  }
  std::string display() const override { return "answering"; }

 private:
  int status_;
  std::string body_;
};

}  // namespace

TEST_CASE("an engine error that echoes a join token is masked before it is shown",
          "[unit][docker]") {
  const std::string token = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-abc123def";
  DockerHttpClient client(std::make_unique<AnsweringTransport>(
      400, R"({"message":"invalid join token )" + token + R"(: not accepted"})"));
  JoinRequest join;
  join.remote_addrs = {"10.0.0.1:2377"};
  join.join_token = Secret(token);
  auto joined = client.join_swarm(join);
  REQUIRE_FALSE(joined);
  CHECK_THAT(joined.error().describe(), !Catch::Contains("3pu6hszjas19"));
  CHECK_THAT(joined.error().server_message, Catch::Contains("invalid join token SWMTKN-***"));
}

TEST_CASE("a transport masks its own password in what a server answers", "[unit][docker]") {
  auto endpoint = parse_http_url("http://127.0.0.1:1");
  REQUIRE(endpoint);
  CurlTransport transport(*endpoint, BasicAuth{"admin", "pa55-word"});
  CHECK(transport.redact("bad password pa55-word for admin") == "bad password *** for admin");
  CHECK(transport.redact("nothing secret") == "nothing secret");
}
