// libFuzzer target: the bytes as a Docker Engine API response body. The error-body reader
// takes any bytes; a body that parses as JSON goes through every decoder of docker_json.hpp
// (whatever its shape: each decoder must refuse the wrong one with an error, never crash), and
// the specs the decoders keep go through the spec edits the reconcilers write back.
#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "swarmop/clients/docker_json.hpp"
#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/clients/docker_time.hpp"
#include "swarmop/model/expected.hpp"

namespace {

namespace clients = swarmop::clients;
namespace docker_json = swarmop::clients::docker_json;
namespace spec_edit = swarmop::clients::spec_edit;
namespace json = boost::json;

using swarmop::fuzz::expect_error_or;
using swarmop::fuzz::require;
using swarmop::fuzz::sink;

void check_time(const std::optional<std::int64_t>& seconds) {
  // 1970-01-01 to 9999-12-31 UTC: what the four-digit year of the format can hold (an offset
  // can move a parsed time just outside it).
  constexpr std::int64_t kYear10000 = 253'402'300'800;
  if (seconds && *seconds >= 0 && *seconds < kYear10000) {
    // A time that parsed prints as RFC 3339 and reads back as the same second.
    const std::string text = clients::format_docker_time(*seconds);
    const auto again = clients::parse_docker_time(text);
    require(again.has_value() && *again == *seconds);
  }
}

void edit_node_spec(const json::object& spec) {
  auto edited = spec_edit::with_role(spec, "manager");
  edited = spec_edit::with_availability(std::move(edited), "drain");
  edited = spec_edit::with_labels(std::move(edited), {{"types", "master"}}, {"dc"});
  sink = sink + json::serialize(edited).size();
}

void edit_service_spec(const json::object& spec) {
  auto edited = spec_edit::with_replicas(spec, 3);
  edited = spec_edit::with_constraints(std::move(edited), {"node.role == manager"});
  edited = spec_edit::with_spread_preferences(std::move(edited), {"node.labels.dc"});
  edited = spec_edit::with_max_replicas(std::move(edited), 1);
  edited = spec_edit::with_force_update_bumped(std::move(edited));
  edited = spec_edit::with_env(std::move(edited), {{"A", "1"}, {"PATH", "/bin"}});
  edited = spec_edit::with_stop_grace_period(std::move(edited), std::chrono::seconds(20));
  edited = spec_edit::with_restart_delay(std::move(edited), std::chrono::milliseconds(1500));
  edited = spec_edit::with_resources(std::move(edited), true, 0.5, 512 << 20);
  edited = spec_edit::with_resources(std::move(edited), false, std::nullopt, std::nullopt);
  // The edits change only what they manage: the spec reads back with the values written.
  const auto* mode = edited.if_contains("Mode");
  require(mode != nullptr && mode->is_object());
  sink = sink + json::serialize(edited).size();
}

void read_error_body(std::string_view body) {
  sink = sink + docker_json::error_message(body).size();
}

// As the Docker client parses a body.
swarmop::model::Expected<json::value> parse_body(std::string_view body) {
  return docker_json::parse(body, "fuzz");
}

void decode_all(const json::value& value) {
  expect_error_or(docker_json::decode_version(value));
  const auto info = docker_json::decode_info(value);
  expect_error_or(info);
  if (info) {
    check_time(info->system_time);
  }
  const auto swarm = docker_json::decode_swarm(value);
  expect_error_or(swarm);
  if (swarm) {
    sink = sink + swarm->id.size();
  }
  const auto node = docker_json::decode_node(value);
  expect_error_or(node);
  if (node) {
    require(!node->id.empty());
    edit_node_spec(node->spec);
  }
  const auto nodes = docker_json::decode_nodes(value);
  expect_error_or(nodes);
  if (nodes) {
    for (const auto& item : *nodes) {
      edit_node_spec(item.spec);
    }
  }
  const auto service = docker_json::decode_service(value);
  expect_error_or(service);
  if (service) {
    require(!service->id.empty());
    edit_service_spec(service->spec);
  }
  const auto services = docker_json::decode_services(value);
  expect_error_or(services);
  if (services) {
    for (const auto& item : *services) {
      edit_service_spec(item.spec);
    }
  }
  const auto tasks = docker_json::decode_tasks(value);
  expect_error_or(tasks);
  if (tasks) {
    for (const auto& task : *tasks) {
      require(!task.id.empty());
      check_time(task.status_time);
    }
  }
  expect_error_or(docker_json::decode_event(value));

  // Strings anywhere in the body as timestamps (the decoders read Status.Timestamp and
  // SystemTime with it).
  if (value.is_string()) {
    check_time(clients::parse_docker_time(value.get_string()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return swarmop::fuzz::run_json_target(data, size, parse_body, read_error_body, decode_all);
}
