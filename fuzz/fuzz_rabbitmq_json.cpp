// libFuzzer target: the bytes as a RabbitMQ management API response body. The error-body
// reader takes any bytes; a body that parses as JSON goes through every decoder of
// rabbitmq_json.hpp (each must refuse a shape it does not expect with an error, never crash),
// and what they decode through the helpers the RabbitMQ reconciler calls.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/clients/rabbitmq_json.hpp"

namespace {

namespace clients = swarmop::clients;
namespace rabbitmq_json = swarmop::clients::rabbitmq_json;
namespace json = boost::json;

using swarmop::fuzz::expect_error_or;
using swarmop::fuzz::require;
using swarmop::fuzz::sink;

// What the reconciler does with a policy it read: compare it with the one it wants, and send
// it back encoded. A policy has the same effect as itself and as its own encoding read back.
void check_policy(const clients::RabbitPolicy& policy) {
  require(!policy.name.empty());
  require(policy.same_effect_as(policy));
  json::object encoded = rabbitmq_json::encode_policy(policy);
  encoded["name"] = policy.name;
  encoded["vhost"] = policy.vhost;
  const auto again = rabbitmq_json::decode_policy(json::value(encoded));
  require(again.has_value());
  require(again->same_effect_as(policy) && policy.same_effect_as(*again));
  sink = sink + json::serialize(encoded).size();
}

void read_error_body(std::string_view body) {
  sink = sink + clients::rabbit_error_reason(body).size();
}

void decode_all(const json::value& value) {
  const auto overview = rabbitmq_json::decode_overview(value);
  expect_error_or(overview);
  if (overview) {
    require(!overview->rabbitmq_version.empty());
    require(overview->major_version() >= 0);
    sink = sink + overview->has_classic_mirroring();
  }
  const auto nodes = rabbitmq_json::decode_nodes(value);
  expect_error_or(nodes);
  if (nodes) {
    for (const auto& node : *nodes) {
      require(!node.name.empty());
      sink = sink + (node.partitions ? node.partitions->size() : 0);
    }
  }
  const auto policy = rabbitmq_json::decode_policy(value);
  expect_error_or(policy);
  if (policy) {
    check_policy(*policy);
  }
  const auto policies = rabbitmq_json::decode_policies(value);
  expect_error_or(policies);
  if (policies) {
    for (const auto& item : *policies) {
      check_policy(item);
    }
  }
  const auto queues = rabbitmq_json::decode_queues(value);
  expect_error_or(queues);
  if (queues) {
    for (const auto& queue : *queues) {
      require(!queue.name.empty());
      const auto unsynchronised = queue.unsynchronised_mirrors();
      require(unsynchronised.size() <= (queue.mirror_nodes ? queue.mirror_nodes->size() : 0));
    }
  }
  for (const int status : {200, 503}) {
    const auto health = rabbitmq_json::decode_health(status, value);
    require(status == 200 || !health.ok);
    sink = sink + health.reason.size();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return swarmop::fuzz::run_json_target(data, size, swarmop::fuzz::parse_json, read_error_body,
                                        decode_all);
}
