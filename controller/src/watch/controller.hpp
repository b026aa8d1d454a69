#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apply/cluster_pass.hpp"
#include "watch/status_board.hpp"
#include "watch/swarm_lease.hpp"
#include "watch/watch_log.hpp"
#include "watch/work_queue.hpp"

namespace swarmop::watch {

struct ControllerOptions {
  std::string file;
  std::chrono::milliseconds resync{30'000};
  //! A burst of file events settles into one reload this long after the last one.
  std::chrono::milliseconds settle{50};
  //! New file content is taken only when read the same twice this far apart (a file being
  //! written in place with pauses is never acted on half written).
  std::chrono::milliseconds file_stable{1000};
  //! How soon a reconciler that waits for something (a rollout, a rebalance) looks again.
  std::chrono::milliseconds requeue{2'000};
  BackoffPolicy backoff;
  LeaseOptions lease;
  //! "HOST:PORT" of the read-only HTTP endpoints; "" for none. Port 0: any free port.
  std::string listen = "127.0.0.1:9180";
  //! How long SIGTERM waits for the passes in flight before it exits anyway.
  std::chrono::milliseconds shutdown_grace{30'000};
  //! /healthz fails once the event loop has not turned (its heartbeat, every second) for this
  //! long. The loop only dispatches (passes, file reads and lease calls run on other threads),
  //! so a turn never takes long unless something is wrong.
  std::chrono::milliseconds stall_bound{15'000};
  //! A step that takes a member away for good (a Couchbase node rebalanced out, a swarm node
  //! leaving or removed) waits until the file content in force has stood this long.
  std::chrono::milliseconds removal_settle{10'000};
};

//! What the controller talks to. The event clients (one per manager endpoint) feed the Docker
//! event stream; without any, only the file, the resync timer and requeues trigger passes.
struct ControllerClients {
  clients::DockerClient& docker;
  reconcilers::EngineConnector engines;
  clients::CouchbaseClient* couchbase = nullptr;
  clients::RabbitClient* rabbit = nullptr;
  std::vector<clients::DockerClientPtr> event_clients;
  //! The lease's own client, with a per-call timeout well under the lease's duration; nullptr:
  //! the lease uses `docker`.
  clients::DockerClientPtr lease_docker = nullptr;
  //! Ends every call of `docker`, `engines`, `couchbase` and `rabbit` in flight and refuses new
  //! ones (their clients share one clients::CallDeadline::abandonable()): called when the
  //! shutdown grace is over, so a hanging API cannot hold the exit. Unset: nothing to abandon.
  std::function<void()> abandon_calls = nullptr;
};

//! `swarm-operator watch`: one Boost.Asio loop owns the timers, the signals, the file watch and
//! the work queue; reconciler passes run on a thread pool so a slow API never blocks the loop or
//! another reconciler. Each pass observes, plans its reconciler and, while this controller holds
//! the lease, applies one step. A file that stops validating changes nothing.
class Controller {
 public:
  Controller(ControllerOptions options, ControllerClients clients, WatchLog log);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  //! Runs until SIGTERM/SIGINT (or stop()): 0 after a clean stop, 1 when it cannot start (no
  //! valid file, the HTTP address taken). Handles SIGHUP (re-read the file) too when
  //! `handle_signals`.
  int run(bool handle_signals = true);
  //! Asks a running controller to stop as SIGTERM does. Thread-safe.
  void stop();

  const StatusBoard& status() const;
  //! The HTTP port once listening (0 before, or without HTTP).
  int http_port() const { return http_port_; }
  //! The loop started and the first passes are queued.
  bool started() const { return started_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::atomic<int> http_port_{0};
  std::atomic<bool> started_{false};
};

//! "host-pid-random": this controller's identity in the lease.
std::string controller_identity();

}  // namespace swarmop::watch
