#include "swarmop/sim/couchbase/couchbase_simulator.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "cb_model.hpp"
#include "cb_node_server.hpp"
#include "cb_render.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

namespace swarmop::sim::couchbase {

namespace json = boost::json;

namespace {

const json::object& child(const json::object& parent, const char* key) {
  static const json::object kEmpty;
  const auto* found = parent.if_contains(key);
  return found != nullptr && found->is_object() ? found->get_object() : kEmpty;
}

std::string text(const json::object& parent, const char* key) {
  const auto* found = parent.if_contains(key);
  return found != nullptr && found->is_string() ? std::string(found->get_string()) : "";
}

//! The manual's order: the primary, then couchbase-worker, couchbase-worker2, ...
std::pair<int, std::string> manual_order(const std::string& service, const std::string& primary) {
  if (service == primary) {
    return {0, ""};
  }
  std::size_t digits = service.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(service[digits - 1])) != 0) {
    --digits;
  }
  const int number = digits == service.size() ? 1 : std::stoi(service.substr(digits));
  return {number, service.substr(0, digits)};
}

//! A stack service whose image is a Couchbase image, as the node sees itself.
struct CouchbaseService {
  std::string id;
  std::string name;
  NodeState node;
};

std::optional<CouchbaseService> as_couchbase(const Service& service,
                                             const CouchbaseSimOptions& options) {
  const auto& container = child(child(service.spec, "TaskTemplate"), "ContainerSpec");
  if (text(container, "Image").find(options.image_marker) == std::string::npos) {
    return std::nullopt;
  }
  const std::string full_name = text(service.spec, "Name");
  std::string name = full_name;
  const std::string stack = text(child(service.spec, "Labels"), "com.docker.stack.namespace");
  if (!stack.empty() && name.starts_with(stack + "_")) {
    name = name.substr(stack.size() + 1);
  }
  CouchbaseService out{service.id, full_name, {}};
  out.node.service = name;
  out.node.container_hostname = text(container, "Hostname");
  if (out.node.container_hostname.empty()) {
    out.node.container_hostname = name + ".isnet";
  }
  out.node.aliases = {name, out.node.container_hostname};
  if (const auto* networks = child(service.spec, "TaskTemplate").if_contains("Networks");
      networks != nullptr && networks->is_array()) {
    for (const auto& network : networks->get_array()) {
      if (const auto* aliases =
              network.is_object() ? network.get_object().if_contains("Aliases") : nullptr;
          aliases != nullptr && aliases->is_array()) {
        for (const auto& alias : aliases->get_array()) {
          if (alias.is_string()) {
            out.node.aliases.emplace_back(alias.get_string());
          }
        }
      }
    }
  }
  if (const auto* env = container.if_contains("Env"); env != nullptr && env->is_array()) {
    for (const auto& entry : env->get_array()) {
      if (entry.is_string()) {
        std::string variable(entry.get_string());
        std::transform(variable.begin(), variable.end(), variable.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.node.auto_rebalance = out.node.auto_rebalance || variable == "auto_rebalance=true";
      }
    }
  }
  return out;
}

}  // namespace

struct CouchbaseSimulator::Impl {
  SimulatedCluster& cluster;
  CouchbaseSimOptions options;
  FaultInjector faults;
  mutable std::mutex mutex;
  ClusterModel model;
  std::vector<std::string> service_ids;    //!< parallel to model.nodes()
  std::vector<std::string> service_names;  //!< full names (iservices_couchbase), likewise
  std::vector<std::unique_ptr<NodeServer>> servers;
  std::mutex ticker_mutex;
  std::condition_variable stop_ticker;
  bool stopping = false;
  std::thread ticker;

  Impl(SimulatedCluster& c, CouchbaseSimOptions o) : cluster(c), options(o), model(o, o.seed) {}

  UnixNanos now() { return cluster.world().clock().now(); }

  //! Observes the swarm: new Couchbase services get a node, and every node learns whether its
  //! container runs. Then applies what is due. Caller holds `mutex`.
  void sync_locked() {
    auto& world = cluster.world();
    const UnixNanos time = now();
    discover_locked(world);
    const auto tasks = world.tasks();
    const auto swarm_nodes = world.nodes();
    auto& nodes = model.nodes();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      NodeState& node = nodes[i];
      const Task* running = nullptr;
      for (const auto& task : tasks) {
        if (task.service_id == service_ids[i] && task.desired_state == "running" &&
            task.state == "running") {
          running = &task;
          break;
        }
      }
      std::optional<Host> host;
      if (running != nullptr) {
        for (const auto& swarm_node : swarm_nodes) {
          if (swarm_node.id == running->node_id) {
            host = world.host(swarm_node.hostname);
          }
        }
      }
      const bool was_running = node.container_running && !node.process_down;
      const std::string previous_container = node.container_id;
      node.container_running = running != nullptr && host && host->engine_up;
      node.partitioned = host && host->partitioned;
      node.container_id = node.container_running ? running->container_id : "";
      const bool is_running = node.container_running && !node.process_down;
      if (is_running && (!was_running || node.container_id != previous_container)) {
        // Which copy of its data volume the container found decides what the node knows.
        if (const auto move = model.move_data(node, running->data_copy, host->hostname)) {
          record(i, *move, time);
        }
        model.node_started(node, time);
      }
    }
    model.advance(time);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      servers[i]->set_refusing(!nodes[i].reachable());
    }
  }

  //! A node that had data came up without it: the world's record of data lost.
  void record(std::size_t index, const DataMove& move, UnixNanos time) {
    if (!move.had_data || move.found_older) {
      return;  // nothing of the cluster's was left behind
    }
    DataLoss loss;
    loss.time = time;
    loss.store = "couchbase";
    loss.service = service_names[index];
    loss.identity = move.identity;
    loss.data_host = move.from_host;
    loss.started_on = move.to_host;
    for (const auto& [bucket, vbuckets] : move.buckets) {
      loss.items.push_back(LostItem{"bucket", bucket, vbuckets});
      loss.lost = loss.lost || vbuckets > 0;
    }
    const bool primary = model.nodes()[index].service == options.primary_service;
    if (move.new_cluster) {
      loss.note = "the primary found an empty volume on " + move.to_host +
                  " and no other member holds the cluster: it provisioned a new, empty one";
    } else if (primary) {
      loss.note = "the primary came up unprovisioned on " + move.to_host +
                  "; the cluster still lists " + move.identity +
                  " as unhealthy (a real primary would provision a second cluster of its own)";
    } else {
      loss.note = "a new, unprovisioned node came up on " + move.to_host +
                  "; the cluster still lists " + move.identity + " as unhealthy";
    }
    cluster.world().record_data_loss(std::move(loss));
  }

  void discover_locked(SwarmWorld& world) {
    std::vector<CouchbaseService> found;
    for (const auto& service : world.services()) {
      if (std::find(service_ids.begin(), service_ids.end(), service.id) != service_ids.end()) {
        continue;
      }
      if (auto couchbase = as_couchbase(service, options)) {
        found.push_back(std::move(*couchbase));
      }
    }
    std::sort(found.begin(), found.end(), [&](const auto& a, const auto& b) {
      return manual_order(a.node.service, options.primary_service) <
             manual_order(b.node.service, options.primary_service);
    });
    for (auto& service : found) {
      const std::size_t index = model.nodes().size();
      auto server = std::make_unique<NodeServer>(
          service.node.container_hostname, faults,
          [this, index](const Request& request) { return handle(index, request); },
          options.tcp_host);
      server->set_refusing(true);
      servers.push_back(std::move(server));
      service_ids.push_back(service.id);
      service_names.push_back(service.name);
      model.add_node_state(std::move(service.node));
    }
  }

  std::optional<Reply> handle(std::size_t index, const Request& request) {
    std::lock_guard lock(mutex);
    sync_locked();
    NodeState& node = model.nodes()[index];
    if (!node.reachable()) {
      return std::nullopt;  // the ticker has not closed the port yet: the connection drops
    }
    return answer(model, node, request, now());
  }

  std::size_t find(const std::string& name) const {
    const auto& nodes = model.nodes();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto& node = nodes[i];
      if (node.service == name || service_names[i] == name ||
          std::find(node.aliases.begin(), node.aliases.end(), name) != node.aliases.end()) {
        return i;
      }
    }
    throw std::out_of_range("no Couchbase node " + name);
  }
};

CouchbaseSimulator::CouchbaseSimulator(SimulatedCluster& cluster, CouchbaseSimOptions options)
    : impl_(std::make_unique<Impl>(cluster, std::move(options))) {
  // Couchbase nodes' data moves are recorded here, with what the cluster lost.
  cluster.world().claim_data_store("couchbase", [options = impl_->options](const Service& s) {
    return as_couchbase(s, options).has_value();
  });
  {
    std::lock_guard lock(impl_->mutex);
    impl_->sync_locked();
  }
  impl_->ticker = std::thread([impl = impl_.get()] {
    std::unique_lock lock(impl->ticker_mutex);
    while (!impl->stopping) {
      lock.unlock();
      {
        std::lock_guard state_lock(impl->mutex);
        impl->sync_locked();
      }
      lock.lock();
      impl->stop_ticker.wait_for(lock, impl->options.tick_interval,
                                 [impl] { return impl->stopping; });
    }
  });
}

CouchbaseSimulator::~CouchbaseSimulator() {
  stop();
}

std::vector<std::string> CouchbaseSimulator::endpoints() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::pair<std::pair<int, std::string>, std::string>> ordered;
  for (std::size_t i = 0; i < impl_->servers.size(); ++i) {
    ordered.emplace_back(
        manual_order(impl_->model.nodes()[i].service, impl_->options.primary_service),
        impl_->servers[i]->url());
  }
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::string> out;
  for (const auto& [order, url] : ordered) {
    out.push_back(url);
  }
  return out;
}

std::string CouchbaseSimulator::endpoint(const std::string& service_or_hostname) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->servers[impl_->find(service_or_hostname)]->url();
}

std::string CouchbaseSimulator::otp_node(const std::string& service_or_hostname) const {
  std::lock_guard lock(impl_->mutex);
  const auto& node = impl_->model.nodes()[impl_->find(service_or_hostname)];
  return node.provisioned ? node.otp_node() : "ns_1@" + node.container_hostname;
}

FaultInjector& CouchbaseSimulator::faults() {
  return impl_->faults;
}

void CouchbaseSimulator::fail_next_rebalance(const std::string& reason) {
  std::lock_guard lock(impl_->mutex);
  impl_->model.fail_next_rebalance(reason);
}

void CouchbaseSimulator::set_process_down(const std::string& service_or_hostname, bool down) {
  std::lock_guard lock(impl_->mutex);
  impl_->sync_locked();
  auto& node = impl_->model.nodes()[impl_->find(service_or_hostname)];
  const bool was_running = node.container_running && !node.process_down;
  node.process_down = down;
  if (!was_running && node.container_running && !down) {
    impl_->model.node_started(node, impl_->now());
  }
  impl_->sync_locked();
}

void CouchbaseSimulator::wipe_data(const std::string& service_or_hostname) {
  std::lock_guard lock(impl_->mutex);
  impl_->model.wipe(impl_->model.nodes()[impl_->find(service_or_hostname)]);
  impl_->sync_locked();
}

void CouchbaseSimulator::tick() {
  std::lock_guard lock(impl_->mutex);
  impl_->sync_locked();
}

void CouchbaseSimulator::advance(std::chrono::nanoseconds by) {
  tick();
  impl_->cluster.advance(by);
  tick();
}

bool CouchbaseSimulator::moving_data() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model.task().has_value();
}

std::vector<DataLoss> CouchbaseSimulator::data_losses() const {
  std::vector<DataLoss> out;
  for (auto& loss : impl_->cluster.world().data_losses()) {
    if (loss.store == "couchbase") {
      out.push_back(std::move(loss));
    }
  }
  return out;
}

std::string CouchbaseSimulator::state_json() const {
  std::lock_guard lock(impl_->mutex);
  return json::serialize(render::state(impl_->model, impl_->now()));
}

void CouchbaseSimulator::stop() {
  {
    std::lock_guard lock(impl_->ticker_mutex);
    impl_->stopping = true;
  }
  impl_->stop_ticker.notify_all();
  if (impl_->ticker.joinable()) {
    impl_->ticker.join();
  }
  impl_->faults.release_all();
  for (auto& server : impl_->servers) {
    server->stop();
  }
}

}  // namespace swarmop::sim::couchbase
