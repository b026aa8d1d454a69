#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <stdexcept>
#include <thread>

#include "broker.hpp"
#include "rabbit_listener.hpp"

namespace swarmop::sim::rabbitmq {

struct RabbitSimulator::Runtime {
  std::mutex mutex;  //!< guards listeners; never held while the broker's lock is wanted
  std::map<std::string, std::unique_ptr<RabbitListener>> listeners;
  std::mutex ticker_mutex;
  std::condition_variable wake;
  std::atomic<bool> stopping{false};
  std::thread ticker;
};

RabbitSimulator::RabbitSimulator(SwarmWorld& world, RabbitOptions options)
    : world_(world),
      options_(std::move(options)),
      faults_(std::make_unique<FaultInjector>()),
      broker_(std::make_unique<RabbitBroker>(world_, options_)),
      runtime_(std::make_unique<Runtime>()) {
  // Rabbit nodes' data moves are recorded by the broker, with the queues they cost.
  world_.claim_data_store("rabbitmq", [match = options_.image_match](const Service& service) {
    const auto* tmpl = service.spec.if_contains("TaskTemplate");
    const auto* container = tmpl != nullptr && tmpl->is_object()
                                ? tmpl->get_object().if_contains("ContainerSpec")
                                : nullptr;
    const auto* image = container != nullptr && container->is_object()
                            ? container->get_object().if_contains("Image")
                            : nullptr;
    return image != nullptr && image->is_string() &&
           std::string_view(image->get_string()).find(match) != std::string_view::npos;
  });
  sync();
  // Changes in the world (a host going down, a task stopping) and due time-driven changes
  // reach the ports without waiting for a request.
  runtime_->ticker = std::thread([this] {
    std::unique_lock lock(runtime_->ticker_mutex);
    while (!runtime_->wake.wait_for(lock, std::chrono::milliseconds(20),
                                    [this] { return runtime_->stopping.load(); })) {
      lock.unlock();
      sync();
      lock.lock();
    }
  });
}

RabbitSimulator::~RabbitSimulator() {
  stop();
}

void RabbitSimulator::sync() {
  broker_->refresh();
  apply_listeners();
}

void RabbitSimulator::apply_listeners() {
  std::lock_guard lock(runtime_->mutex);
  if (runtime_->stopping) {
    return;
  }
  const auto names = broker_->member_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto& listener = runtime_->listeners[names[i]];
    if (!listener) {
      const int port = options_.first_port > 0 ? options_.first_port + static_cast<int>(i) : 0;
      listener = std::make_unique<RabbitListener>(
          names[i], options_.listen_host, port,
          [broker = broker_.get()](HttpCall call) { return broker->handle(call); }, *faults_);
    }
    listener->set_open(broker_->serving(names[i]));
  }
}

std::vector<std::string> RabbitSimulator::node_names() const {
  return broker_->member_names();
}

std::string RabbitSimulator::url(const std::string& node) const {
  std::lock_guard lock(runtime_->mutex);
  const auto found = runtime_->listeners.find(node);
  if (found == runtime_->listeners.end()) {
    throw std::invalid_argument("no rabbit node " + node);
  }
  return "http://" + options_.listen_host + ":" + std::to_string(found->second->port());
}

std::vector<std::string> RabbitSimulator::urls() const {
  std::vector<std::string> out;
  for (const auto& name : node_names()) {
    out.push_back(url(name));
  }
  return out;
}

void RabbitSimulator::stop_node(const std::string& node) {
  broker_->stop_node(node, false);
  apply_listeners();
}

void RabbitSimulator::start_node(const std::string& node) {
  broker_->start_node(node);
  apply_listeners();
}

void RabbitSimulator::kill_node(const std::string& node) {
  broker_->stop_node(node, true);
  apply_listeners();
}

void RabbitSimulator::blip(const std::string& node) {
  broker_->blip(node);
  apply_listeners();
}

void RabbitSimulator::set_alarm(const std::string& node, const std::string& resource, bool on) {
  broker_->set_alarm(node, resource, on);
}

void RabbitSimulator::set_version(const std::string& version) {
  broker_->set_version(version);
}

void RabbitSimulator::freeze_stats(bool frozen) {
  broker_->freeze_stats(frozen);
}

std::vector<DataLoss> RabbitSimulator::data_losses() const {
  std::vector<DataLoss> out;
  for (auto& loss : world_.data_losses()) {
    if (loss.store == "rabbitmq") {
      out.push_back(std::move(loss));
    }
  }
  return out;
}

void RabbitSimulator::forget_node(const std::string& node) {
  broker_->forget_node(node);
  apply_listeners();
}

void RabbitSimulator::stop() {
  {
    std::lock_guard lock(runtime_->ticker_mutex);
    runtime_->stopping = true;
  }
  runtime_->wake.notify_all();
  if (runtime_->ticker.joinable()) {
    runtime_->ticker.join();
  }
  faults_->release_all();  // a held request would keep its listener from closing
  std::map<std::string, std::unique_ptr<RabbitListener>> listeners;
  {
    std::lock_guard lock(runtime_->mutex);
    listeners.swap(runtime_->listeners);
  }
  listeners.clear();
}

}  // namespace swarmop::sim::rabbitmq
