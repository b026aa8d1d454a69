#pragma once

// `apply` writes only while it holds the lease a `watch` controller holds: one writer across
// both. Couchbase's REST writes carry no object version, so two writers that each read, check
// and write would each send the same bucket change and rebalance; with the lease only one of
// them writes at a time.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "swarmop/clients/manager_handover_client.hpp"
#include "swarmop/model/error.hpp"
#include "swarmop/model/expected.hpp"
#include "watch/swarm_lease.hpp"

namespace swarmop::cli {

struct ApplyLeaseOptions {
  watch::LeaseOptions lease;
  //! Without --wait-for-lease apply refuses, naming the holder, once it sees the holder renew
  //! (within a third of the duration); a holder that stays silent for the whole duration (a
  //! killed apply or watch) is taken over. With it, apply waits for a live holder to let go.
  bool wait = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> stop_requested;  //!< apply's signals cut the wait short
  std::function<void(std::chrono::milliseconds)> sleep;
  //! Told once per pause while the lease is held by `holder` (apply prints it once).
  std::function<void(const std::string& holder)> on_wait;
};

class ApplyLease {
 public:
  //! Takes the lease through `docker` (its own connection, so a renewal never queues behind a
  //! slow call of the converge loop), then renews it on a thread every third of its duration.
  //! Refused: an error naming the holder (kConflict), or why the lease could not be read.
  static model::Expected<std::unique_ptr<ApplyLease>> take(clients::DockerClientPtr docker,
                                                           ApplyLeaseOptions options);
  ~ApplyLease();  //!< stops renewing and releases the lease
  ApplyLease(const ApplyLease&) = delete;
  ApplyLease& operator=(const ApplyLease&) = delete;

  //! Empty while apply may write; else why not (another writer took the lease over, or it
  //! could not be renewed for two thirds of its duration).
  std::optional<model::Error> check_held() const;
  //! The lease follows apply when it moves to another manager (a demotion of the one it used).
  void hand_over(clients::DockerClientPtr next);

 private:
  ApplyLease(clients::DockerClientPtr docker, watch::LeaseOptions options);
  void renew_until_stopped();

  clients::DockerClientPtr first_;
  clients::ManagerHandoverClient docker_;
  watch::LeaseOptions options_;
  watch::SwarmLease lease_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread renewer_;
};

//! "apply-HOST-PID-RANDOM": an apply's lease identity, told apart from a watch controller's.
std::string apply_identity();

}  // namespace swarmop::cli
