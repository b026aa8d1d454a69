// Where a rabbit node's database lives: its data volume is a directory of the host its task
// ran on. A container started on another host finds an empty directory there and boots with a
// blank database: a cluster of its own, while the members keep listing the identity it had
// (not running) until they forget it.
#include <algorithm>
#include <stdexcept>

#include "broker.hpp"

namespace swarmop::sim::rabbitmq {

bool RabbitBroker::same_cluster(const BrokerNode& a, const BrokerNode& b) {
  return &a == &b || (!a.standalone && !b.standalone);
}

BrokerDb& RabbitBroker::db_of(const BrokerNode& node) {
  return node.standalone ? standalone_dbs[node.name] : cluster_db;
}

std::vector<BrokerDb*> RabbitBroker::all_dbs() {
  std::vector<BrokerDb*> out{&cluster_db};
  for (auto& [name, db] : standalone_dbs) {
    out.push_back(&db);
  }
  return out;
}

void RabbitBroker::arrive(BrokerNode& node) {
  const std::uint64_t copy = node.arrived_copy;
  if (copy == node.data_copy || node.data_copy == 0 || copy == 0) {
    // The same database; or the first sight of it; or shared storage, which follows the task.
    node.data_copy = copy;
    node.data_host = node.host;
    return;
  }
  // What it leaves behind: the cluster's data it held, when it ran as a current member.
  const bool had_data = !node.standalone && !node.boot_refused;
  node.files_left[node.data_copy] = RabbitFiles{node.data_host, node.standalone, node.epoch};
  const std::string left_on = node.data_host;
  node.data_copy = copy;
  node.data_host = node.host;
  node.boot_refused = false;
  if (const auto found = node.files_left.find(copy); found != node.files_left.end()) {
    // An older database it left on this host.
    const RabbitFiles& files = found->second;
    if (files.standalone) {
      node.standalone = true;  // its own single-node database again (kept as it was last)
    } else if (files.epoch == node.epoch) {
      node.standalone = false;  // the member the cluster still lists, with what it left here
      return;
    } else {
      node.boot_refused = true;  // a membership the cluster has ended since
    }
  } else {
    node.standalone = true;
    standalone_dbs[node.name] = BrokerDb{};
  }
  if (!had_data) {
    return;
  }
  DataLoss loss;
  loss.time = now();
  loss.store = "rabbitmq";
  loss.service = node.service;
  loss.identity = node.name;
  loss.data_host = left_on;
  loss.started_on = node.host;
  // Queues it led that no synchronised mirror took over when it stopped are down in the
  // cluster, their messages in the database left behind.
  for (const auto& [key, queue] : cluster_db.queues) {
    if (queue.leader == node.name && queue.down) {
      loss.items.push_back(LostItem{"queue", key.second, queue.messages});
    }
  }
  loss.lost = !loss.items.empty();
  loss.note = node.boot_refused
                  ? node.name + " found a database of a membership the cluster has forgotten on " +
                        node.host + " and does not boot (inconsistent_cluster)"
                  : node.name + " started with a blank database on " + node.host +
                        ": a cluster of its own; the members list its old identity as not " +
                        "running until they forget it";
  world.record_data_loss(std::move(loss));
}

void RabbitBroker::forget_node(const std::string& name) {
  std::lock_guard lock(mutex);
  refresh_locked();
  BrokerNode* node = find_node(name);
  if (node == nullptr) {
    throw std::invalid_argument("no rabbit node " + name);
  }
  if (!node->standalone || !node->alive) {
    throw std::invalid_argument(name +
                                " is not running with a blank database: the simulator forgets "
                                "only such a node, which then joins the cluster again");
  }
  // forget_cluster_node: the queues it led that nothing took over go with it.
  std::erase_if(cluster_db.queues, [&](const auto& entry) {
    return entry.second.leader == name && entry.second.down;
  });
  ++node->epoch;
  // reset + join_cluster on the blank node: its own database goes, the cluster's is its now.
  standalone_dbs.erase(name);
  node->standalone = false;
  if (node->running()) {
    on_node_back(*node);
  }
  refresh_locked();
}

}  // namespace swarmop::sim::rabbitmq
