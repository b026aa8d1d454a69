#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "swarmop/clients/docker_client.hpp"

namespace swarmop::clients {

struct DockerEventWatcherOptions {
  std::chrono::milliseconds retry_delay{500};  //!< between failed connection attempts
};

//! Follows the node and service events of a swarm across reconnections. The stream dies with
//! the manager that serves it, so the watcher moves on to the next manager endpoint and asks
//! for `since=<second of the last event>`: the engine replays what was missed. Events of that
//! boundary second that were already delivered are dropped, so each event is delivered once.
//! Events are wake-up calls, not state: callers re-list after them.
class DockerEventWatcher {
 public:
  using Options = DockerEventWatcherOptions;
  using Callback = std::function<void(const DockerEvent&)>;
  using Status = std::function<void(const std::string& endpoint, const model::Error* error)>;

  //! `clients`: one per manager endpoint, tried in turn. `on_event` runs on the watcher's
  //! thread. `on_status` (optional) hears about each (re)connection and each failure.
  DockerEventWatcher(std::vector<DockerClientPtr> clients, Callback on_event, Status on_status = {},
                     Options options = {});
  ~DockerEventWatcher();  //!< stops and joins
  DockerEventWatcher(const DockerEventWatcher&) = delete;
  DockerEventWatcher& operator=(const DockerEventWatcher&) = delete;

  void start();
  void stop();
  std::uint64_t reconnections() const { return reconnections_; }

 private:
  void run();
  bool deliver(const DockerEvent& event);

  std::vector<DockerClientPtr> clients_;
  Callback on_event_;
  Status on_status_;
  Options options_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> reconnections_{0};
  std::int64_t last_second_ = 0;
  //! Events already delivered in `last_second_`, to drop them when they are replayed.
  std::set<std::tuple<std::int64_t, std::string, std::string, std::string>> seen_in_last_second_;
  std::thread thread_;
};

}  // namespace swarmop::clients
