#include "swarmop/reconcilers/data_store_activity.hpp"

#include <cmath>

namespace swarmop::reconcilers {

std::optional<DataStoreActivity> couchbase_activity(const CouchbaseObservation& observed) {
  if (observed.unreachable) {
    return DataStoreActivity{kCouchbase, "no Couchbase admin endpoint answered (" +
                                             *observed.unreachable +
                                             "), so whether a rebalance runs is not known"};
  }
  for (const auto& task : observed.tasks) {
    if (task.type == "rebalance" && task.running()) {
      const std::string kind = task.subtype.empty() ? "rebalance" : task.subtype;
      return DataStoreActivity{kCouchbase, "a Couchbase " + kind + " is running (" +
                                               std::to_string(std::lround(task.progress)) + "%)"};
    }
  }
  return std::nullopt;
}

std::optional<DataStoreActivity> rabbitmq_activity(const RabbitObservation& observed) {
  if (observed.unreachable) {
    return DataStoreActivity{kRabbitmq, "no RabbitMQ management endpoint answered (" +
                                            *observed.unreachable +
                                            "), so whether a node restarts or a queue "
                                            "synchronises is not known"};
  }
  std::vector<std::string> stopped;
  for (const auto& node : observed.nodes) {
    if (!node.running) {
      stopped.push_back(node.name);
    }
  }
  if (!stopped.empty()) {
    return DataStoreActivity{kRabbitmq, "rabbit node(s) " + join_text(stopped) + " not running"};
  }
  std::vector<std::string> syncing;
  for (const auto& queue : observed.queues) {
    if (queue.state == "syncing") {
      syncing.push_back(queue.name);
    }
  }
  if (!syncing.empty()) {
    return DataStoreActivity{kRabbitmq,
                             "queue(s) " + join_text(syncing) + " synchronising their mirrors"};
  }
  return std::nullopt;
}

std::vector<DataStoreActivity> data_store_activity(const CouchbaseObservation* couchbase,
                                                   const RabbitObservation* rabbitmq) {
  std::vector<DataStoreActivity> out;
  if (couchbase != nullptr) {
    if (auto activity = couchbase_activity(*couchbase)) {
      out.push_back(std::move(*activity));
    }
  }
  if (rabbitmq != nullptr) {
    if (auto activity = rabbitmq_activity(*rabbitmq)) {
      out.push_back(std::move(*activity));
    }
  }
  return out;
}

}  // namespace swarmop::reconcilers
