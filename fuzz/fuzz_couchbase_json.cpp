// libFuzzer target: the bytes as a Couchbase admin REST API response body. The error-body
// reader takes any bytes; a body that parses as JSON goes through every decoder of
// couchbase_json.hpp (each must refuse a shape it does not expect with an error, never crash),
// and what they decode through the helpers the topology reconciler calls.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "swarmop/clients/couchbase_json.hpp"

namespace {

namespace clients = swarmop::clients;
namespace couchbase_json = swarmop::clients::couchbase_json;
namespace json = boost::json;

using swarmop::fuzz::expect_error_or;
using swarmop::fuzz::require;
using swarmop::fuzz::sink;

// Error bodies are read whatever they hold: JSON of any shape or plain text.
void read_error_body(std::string_view body) {
  const std::string error_text = clients::couchbase_error_text(body);
  require(error_text.size() <= 303);  // 300 characters and "..."
  sink = sink + error_text.size();
}

void decode_all(const json::value& value) {
  const auto cluster = couchbase_json::decode_cluster(value);
  expect_error_or(cluster);
  if (cluster) {
    const auto otp_nodes = cluster->otp_nodes();
    require(otp_nodes.size() == cluster->nodes.size());
    for (const auto& node : cluster->nodes) {
      require(!node.otp_node.empty());
      require(cluster->find_by_otp_node(node.otp_node) != nullptr);
      require(cluster->find_by_hostname(node.hostname) != nullptr);
      sink = sink + node.has_service("kv") + node.active() + node.pending_add() +
             node.failed_over() + node.healthy() + node.warming_up();
    }
    sink = sink + cluster->rebalancing() + cluster->counters.size();
  }
  const auto buckets = couchbase_json::decode_buckets(value);
  expect_error_or(buckets);
  if (buckets) {
    for (const auto& bucket : *buckets) {
      require(!bucket.name.empty());
    }
  }
  const auto otp_node = couchbase_json::decode_add_node(value);
  expect_error_or(otp_node);
  if (otp_node) {
    require(!otp_node->empty());
  }
  const auto progress = couchbase_json::decode_rebalance_progress(value);
  expect_error_or(progress);
  if (progress) {
    sink = sink + static_cast<std::size_t>(progress->overall() != 0) + progress->running();
  }
  const auto tasks = couchbase_json::decode_tasks(value);
  expect_error_or(tasks);
  if (tasks) {
    for (const auto& task : *tasks) {
      require(!task.type.empty());
      sink = sink + task.running();
    }
  }
  expect_error_or(couchbase_json::decode_auto_failover(value));
  expect_error_or(couchbase_json::decode_index_status(value));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return swarmop::fuzz::run_json_target(data, size, swarmop::fuzz::parse_json, read_error_body,
                                        decode_all);
}
