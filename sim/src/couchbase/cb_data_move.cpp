// A node's container started on other files than it had: its data volume is a directory of
// the host it ran on, so on another host it finds an empty one (or an older copy it left
// there), and its data stays behind.
#include <algorithm>

#include "cb_model.hpp"

namespace swarmop::sim::couchbase {

std::optional<DataMove> ClusterModel::move_data(NodeState& node, std::uint64_t copy,
                                                const std::string& host) {
  if (copy == node.data_copy || node.data_copy == 0 || copy == 0) {
    // The same files; or the first sight of them (nothing to compare with); or shared
    // storage, which follows the container.
    node.data_copy = copy;
    node.data_host = host;
    return std::nullopt;
  }
  DataMove move;
  move.identity = node.otp_node();
  move.from_host = node.data_host;
  move.to_host = host;
  move.had_data = node.provisioned;
  if (node.member && node.provisioned) {
    move.buckets = sole_copies(node);
  }
  node.files_left[node.data_copy] =
      FilesLeft{node.data_host, node.provisioned, uuid_, node.incarnation};
  const auto found = node.files_left.find(copy);
  node.data_copy = copy;
  node.data_host = host;
  if (found != node.files_left.end()) {
    // Older files on this host. They still work when they describe the membership the cluster
    // keeps for the node (it was never removed and re-added since): it is that member again,
    // with the data it had when it left here. Files of a membership since ended are of no use.
    const FilesLeft& files = found->second;
    if (files.provisioned && exists_ && node.member && files.cluster_uuid == uuid_ &&
        files.incarnation == node.incarnation) {
      node.provisioned = true;
      move.found_older = true;
      return move;
    }
  }
  // A new, empty server. The cluster keeps listing the old identity, which no longer answers
  // as itself: it shows unhealthy, as for a wiped volume.
  node.provisioned = false;
  const bool cluster_lives_elsewhere =
      std::any_of(nodes_.begin(), nodes_.end(),
                  [&](const NodeState& other) { return &other != &node && other.provisioned; });
  if (node.service == options_.primary_service && exists_ && !cluster_lives_elsewhere) {
    // The primary's entrypoint provisions a cluster on an empty volume. With no other member
    // holding the old one, the old cluster is gone and the new one is all there is.
    dissolve();
    move.new_cluster = true;
  }
  return move;
}

std::vector<std::pair<std::string, std::uint64_t>> ClusterModel::sole_copies(
    const NodeState& node) const {
  const std::string otp = node.otp_node();
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& b : buckets_) {
    const auto self = std::find(b.servers.begin(), b.servers.end(), otp);
    if (self == b.servers.end()) {
      continue;
    }
    const int n = static_cast<int>(b.servers.size());
    const int me = static_cast<int>(self - b.servers.begin());
    std::vector<bool> gone(b.servers.size());
    for (int i = 0; i < n; ++i) {
      const NodeState* server = member(b.servers[static_cast<std::size_t>(i)]);
      gone[static_cast<std::size_t>(i)] = i == me || server == nullptr || !server->provisioned;
    }
    // The same placement as the rendered vBucketServerMap: copy c of vBucket vb on server
    // (vb + c) % n, for the copies every vBucket still has.
    const int placed = std::min(b.copies, n);
    std::uint64_t lost = 0;
    for (int vb = 0; vb < kNumVBuckets; ++vb) {
      bool here = false;
      bool elsewhere = false;
      for (int c = 0; c < placed; ++c) {
        const int server = (vb + c) % n;
        here = here || server == me;
        elsewhere = elsewhere || !gone[static_cast<std::size_t>(server)];
      }
      lost += here && !elsewhere ? 1 : 0;
    }
    out.emplace_back(b.name, lost);
  }
  return out;
}

void ClusterModel::dissolve() {
  for (auto& node : nodes_) {
    if (node.member) {
      remove_member(node);
    }
  }
  exists_ = false;
  uuid_.clear();
  buckets_.clear();
  indexes_.clear();
  task_.reset();
  last_error_.clear();
  counters_.clear();
  logs_.clear();
  auto_failover_ = AutoFailoverState{};
  auto_failover_.enabled = options_.auto_failover_enabled;
  auto_failover_.timeout_seconds = options_.auto_failover_timeout_seconds;
  auto_failover_.max_count = options_.auto_failover_max_count;
}

}  // namespace swarmop::sim::couchbase
