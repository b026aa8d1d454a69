#include "swarmop/clients/docker_event_watcher.hpp"

namespace swarmop::clients {

DockerEventWatcher::DockerEventWatcher(std::vector<DockerClientPtr> clients, Callback on_event,
                                       Status on_status, Options options)
    : clients_(std::move(clients)),
      on_event_(std::move(on_event)),
      on_status_(std::move(on_status)),
      options_(options) {}

DockerEventWatcher::~DockerEventWatcher() {
  stop();
}

void DockerEventWatcher::start() {
  thread_ = std::thread([this] { run(); });
}

void DockerEventWatcher::stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool DockerEventWatcher::deliver(const DockerEvent& event) {
  // The key of an event within its second: its exact time and what it says.
  std::string attributes;
  for (const auto& [key, value] : event.attributes) {
    attributes += key + "=" + value + ";";
  }
  auto key = std::make_tuple(event.time_nano, event.actor_id, event.action, attributes);
  if (event.time < last_second_) {
    return !stopping_;  // replayed from before what was already delivered
  }
  if (event.time > last_second_) {
    last_second_ = event.time;
    seen_in_last_second_.clear();
  }
  if (!seen_in_last_second_.insert(std::move(key)).second) {
    return !stopping_;  // delivered before the reconnection
  }
  on_event_(event);
  return !stopping_;
}

void DockerEventWatcher::run() {
  std::size_t next = 0;
  bool first = true;
  while (!stopping_) {
    DockerClient& client = *clients_[next % clients_.size()];
    if (!first) {
      ++reconnections_;
    }
    first = false;
    if (on_status_) {
      on_status_(client.display(), nullptr);
    }
    // The first connection starts from now; later ones replay from the last event's second.
    auto result = client.events(
        last_second_, 0, [this](const DockerEvent& event) { return deliver(event); }, &stopping_);
    if (stopping_) {
      break;
    }
    if (!result && on_status_) {
      on_status_(client.display(), &result.error());
    }
    if (!result) {
      ++next;  // this manager is gone or failing: try the next one
      // Wait before retrying, in small steps so stop() is not held up.
      const auto until = std::chrono::steady_clock::now() + options_.retry_delay;
      while (!stopping_ && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
}

}  // namespace swarmop::clients
