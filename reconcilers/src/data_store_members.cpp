#include "swarmop/reconcilers/data_store_members.hpp"

#include <algorithm>

#include "swarmop/reconcilers/data_homes.hpp"
#include "swarmop/reconcilers/pinned_service.hpp"

namespace swarmop::reconcilers {

namespace {

//! The container hostname the store knows the node by: the service's own, or the one the
//! operator gives the nodes it creates.
std::string store_hostname(const SwarmObservation& swarm, const std::string& full_name,
                           const std::string& fallback) {
  const clients::DockerService* service = find_service(swarm, full_name);
  const std::string own = service != nullptr ? container_hostname(service->spec) : "";
  return own.empty() ? fallback : own;
}

bool couchbase_confirms(const CouchbaseObservation* observed, const std::string& hostname) {
  if (observed == nullptr || observed->unreachable) {
    return false;
  }
  const clients::CouchbaseNode* member = couchbase_member(observed->cluster, hostname);
  return member != nullptr && member->active();
}

bool rabbitmq_confirms(const RabbitObservation* observed, const std::string& hostname) {
  if (observed == nullptr || observed->unreachable) {
    return false;
  }
  const std::string name = rabbit_node_name(hostname);
  return std::any_of(
      observed->nodes.begin(), observed->nodes.end(),
      [&](const clients::RabbitNode& node) { return node.running && node.name == name; });
}

}  // namespace

void hold_unconfirmed_records(SwarmPlan& labels, const model::DesiredState& desired,
                              const SwarmObservation& swarm,
                              const std::function<const CouchbaseObservation*()>& couchbase,
                              const std::function<const RabbitObservation*()>& rabbitmq) {
  const auto confirmed = [&](const std::string& full_name) {
    if (desired.couchbase) {
      for (const auto& node : desired.couchbase->nodes) {
        if (stack_service_name(desired, node.service) == full_name) {
          return couchbase_confirms(
              couchbase(), store_hostname(swarm, full_name, couchbase_hostname(node.service)));
        }
      }
    }
    if (desired.rabbitmq) {
      for (std::size_t i = 0; i < desired.rabbitmq->nodes.size(); ++i) {
        if (stack_service_name(desired, desired.rabbitmq->nodes[i].service) == full_name) {
          return rabbitmq_confirms(rabbitmq(),
                                   store_hostname(swarm, full_name, rabbit_hostname(i + 1)));
        }
      }
    }
    return true;  // not a data-store node: its task history is the evidence
  };
  std::erase_if(labels.steps, [&](const SwarmStep& step) {
    return step.description.action == "record-data-node" && !confirmed(step.description.object);
  });
}

}  // namespace swarmop::reconcilers
