// libFuzzer target: the bytes as a desired-state file, through the whole loader (encoding and
// YAML checks, JSON Schema validation with defaults, decoding, semantic checks), then every
// diagnostic formatted as the CLI prints it and the decoded state walked the way the
// reconcilers read it.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "swarmop/model/constraint.hpp"
#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/diagnostic.hpp"
#include "swarmop/model/document_loader.hpp"
#include "swarmop/model/duration.hpp"

namespace {

namespace model = swarmop::model;

constexpr std::size_t kMaxInput = 1 << 20;  // 1 MiB: the loader's own limit

volatile std::size_t sink = 0;  // keeps the formatting below from being optimised away

// A check that survives NDEBUG (RelWithDebInfo): a broken promise of the API is a crash.
void require(bool condition) {
  if (!condition) {
    std::abort();
  }
}

// What the file decoded to must print and read back the same: constraints are sent to the
// engine as text, and durations are printed in plans and messages.
void check_constraint(const model::Constraint& constraint) {
  const std::string text = constraint.to_string();
  const auto again = model::parse_constraint(text);
  require(again.has_value());
  require(again->attribute == constraint.attribute && again->value == constraint.value &&
          again->op == constraint.op);
  sink = sink + text.size() + constraint.label_key().size();
}

void check_duration(model::Duration duration) {
  require(duration.count() >= 0);
  const std::string text = model::format_duration(duration);
  const auto again = model::parse_duration(text);
  require(again.has_value() && *again == duration);
  sink = sink + text.size();
}

void walk(const model::DesiredState& state) {
  sink = sink + state.metadata.name.size() + state.stack.size();
  for (const auto& node : state.swarm.nodes) {
    sink = sink + node.hostname.size() + model::to_string(node.role).size() +
           model::to_string(node.availability).size();
    require(state.find_node(node.hostname) != nullptr);
  }
  for (const auto& [name, service] : state.services) {
    require(name == service.name);
    if (service.constraints) {
      for (const auto& constraint : *service.constraints) {
        check_constraint(constraint);
      }
    }
    if (service.stop_grace_period) {
      check_duration(*service.stop_grace_period);
    }
    if (service.restart_delay) {
      check_duration(*service.restart_delay);
    }
  }
  if (state.couchbase) {
    check_duration(state.couchbase->auto_failover.timeout);
    for (const auto& pinned : state.couchbase->nodes) {
      require(state.find_node(pinned.node) != nullptr);
    }
  }
  if (state.rabbitmq) {
    for (const auto period : state.rabbitmq->stop_grace_periods) {
      check_duration(period);
    }
    for (const auto& pinned : state.rabbitmq->nodes) {
      require(state.find_node(pinned.node) != nullptr);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) {
    return -1;  // not added to the corpus
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const model::LoadedDocument loaded = model::load_document_text(text, "fuzz.yaml");

  // The documented contract: a state exactly when there is no error; a file that is not
  // accepted says why.
  require(loaded.ok() == !model::has_errors(loaded.diagnostics));
  for (const auto& diagnostic : loaded.diagnostics) {
    require(diagnostic.file == "fuzz.yaml");
    require(!diagnostic.message.empty());
    sink = sink + model::format_diagnostic(diagnostic).size();
  }
  if (loaded.json) {
    sink = sink + boost::json::serialize(*loaded.json).size();
  }
  if (loaded.state) {
    walk(*loaded.state);
  }
  return 0;
}
