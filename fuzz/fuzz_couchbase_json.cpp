// libFuzzer target: the bytes as a Couchbase admin REST API response body. The error-body
// reader takes any bytes; a body that parses as JSON goes through every decoder of
// couchbase_json.hpp (each must refuse a shape it does not expect with an error, never crash),
// and what they decode through the helpers the topology reconciler calls.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "swarmop/clients/couchbase_json.hpp"

namespace {

namespace clients = swarmop::clients;
namespace couchbase_json = swarmop::clients::couchbase_json;
namespace json = boost::json;

constexpr std::size_t kMaxInput = 1 << 20;  // 1 MiB

volatile std::size_t sink = 0;  // keeps the reads below from being optimised away

void require(bool condition) {
  if (!condition) {
    std::abort();
  }
}

template <class T>
void expect_error_or(const swarmop::model::Expected<T>& decoded) {
  if (!decoded) {
    require(!decoded.error().message.empty());
    sink = sink + decoded.error().describe().size();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) {
    return -1;
  }
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // Error bodies are read whatever they hold: JSON of any shape or plain text.
  const std::string error_text = clients::couchbase_error_text(body);
  require(error_text.size() <= 303);  // 300 characters and "..."
  sink = sink + error_text.size();

  json::error_code ec;
  const json::value value = json::parse(body, ec);  // as http_common::decode_json_body does
  if (ec) {
    return 0;  // not JSON: the decoders never see it
  }

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
  return 0;
}
