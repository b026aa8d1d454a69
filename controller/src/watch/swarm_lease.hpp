#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "swarmop/clients/docker_client.hpp"

namespace swarmop::watch {

struct LeaseOptions {
  //! A service with 0 replicas that is never scheduled: its labels hold the lease, and Swarm's
  //! object version makes each take-over or renewal an atomic compare-and-swap.
  std::string service = "swarm-operator-lease";
  std::chrono::milliseconds duration{15'000};
  std::string identity;  //!< this controller: host, pid and a random part
};

//! The single-writer lease, held in the swarm itself, in the style of Kubernetes leader election.
//! The holder renews it every `duration / 3` by bumping a counter label; it stops writing when
//! it could not renew for 2/3 of the duration. Another controller takes it over only after it
//! has seen the label unchanged for the whole duration (measured on its own clock, so the two
//! clocks never need to agree). A controller that stops releases it.
class SwarmLease {
 public:
  using Clock = std::chrono::steady_clock;

  SwarmLease(clients::DockerClient& docker, LeaseOptions options);

  //! Creates, renews or takes over the lease as the rules allow; returns held(now).
  bool refresh(Clock::time_point now);
  //! Whether this controller may write now.
  bool held(Clock::time_point now) const;
  std::string holder() const;
  //! The holder and its renewal counter as last read ("HOLDER#N"): it changes at each renewal,
  //! so an observer tells a live holder from a silent one.
  std::string observed() const;
  std::string last_error() const;
  //! Gives the lease up (clears the holder) if this controller holds it.
  void release();

  static constexpr const char* kHolderLabel = "swarm-operator.lease.holder";
  static constexpr const char* kRenewalsLabel = "swarm-operator.lease.renewals";

 private:
  bool write(const clients::DockerService* existing, std::uint64_t renewals);

  clients::DockerClient& docker_;
  LeaseOptions options_;
  mutable std::mutex mutex_;
  std::string holder_;
  std::string observed_;  //!< holder and counter as last seen
  Clock::time_point observed_at_{};
  Clock::time_point renewed_at_{};
  bool renewed_once_ = false;
  std::string error_;
};

}  // namespace swarmop::watch
