#include "cli/apply_lease.hpp"

#include "watch/controller.hpp"

namespace swarmop::cli {

namespace {

using Clock = std::chrono::steady_clock;

model::Error lease_error(const watch::LeaseOptions& options, std::string message) {
  model::Error error;
  error.code = model::ErrorCode::kConflict;
  error.target = "the lease (service " + options.service + ")";
  error.message = std::move(message);
  return error;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  return std::to_string((duration.count() + 999) / 1000) + " s";
}

}  // namespace

std::string apply_identity() {
  return "apply-" + watch::controller_identity();
}

ApplyLease::ApplyLease(clients::DockerClientPtr docker, watch::LeaseOptions options)
    : first_(std::move(docker)),
      docker_(*first_),
      options_(std::move(options)),
      lease_(docker_, options_) {}

model::Expected<std::unique_ptr<ApplyLease>> ApplyLease::take(clients::DockerClientPtr docker,
                                                              ApplyLeaseOptions options) {
  std::unique_ptr<ApplyLease> taken(new ApplyLease(std::move(docker), options.lease));
  std::string first_seen;  // the holder and its counter when first read
  for (;;) {
    if (taken->lease_.refresh(Clock::now())) {
      break;
    }
    const std::string holder = taken->lease_.holder();
    if (holder.empty() || holder == options.lease.identity) {
      // Nobody holds it, yet it could not be written: the API's own error says why.
      return lease_error(options.lease, "cannot take the lease: " + taken->lease_.last_error());
    }
    if (first_seen.empty()) {
      first_seen = taken->lease_.observed();
    }
    // A holder seen renewing is at work; a silent one (an apply or watch that was killed) is
    // taken over once silent for the lease's whole duration, as a watch controller would.
    const bool renewing = taken->lease_.observed() != first_seen;
    if (renewing && !options.wait) {
      return lease_error(
          options.lease,
          "another writer holds the lease and renews it: " + holder +
              " (a watch controller, or another apply). Stop it, or pass --wait-for-lease to "
              "wait until it lets go");
    }
    if (Clock::now() >= options.deadline) {
      return lease_error(options.lease, "timed out waiting for the lease, still held by " + holder);
    }
    if (options.stop_requested && options.stop_requested()) {
      return lease_error(options.lease, "stopped while waiting for the lease held by " + holder);
    }
    if (options.on_wait) {
      options.on_wait(holder);
    }
    // A third of the duration, as often as the holder renews: a live holder shows within one
    // renewal, a release within one pause.
    options.sleep(options.lease.duration / 3);
  }
  ApplyLease* self = taken.get();
  self->renewer_ = std::thread([self] { self->renew_until_stopped(); });
  return taken;
}

void ApplyLease::renew_until_stopped() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.duration / 3, [this] { return stopping_; })) {
    lock.unlock();
    (void)lease_.refresh(Clock::now());
    lock.lock();
  }
}

ApplyLease::~ApplyLease() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (renewer_.joinable()) {
    renewer_.join();
  }
  lease_.release();
}

std::optional<model::Error> ApplyLease::check_held() const {
  if (lease_.held(Clock::now())) {
    return std::nullopt;
  }
  const std::string holder = lease_.holder();
  if (!holder.empty() && holder != options_.identity) {
    return lease_error(options_, "lost the lease to " + holder + "; no further step is sent");
  }
  return lease_error(options_, "could not renew the lease for " +
                                   seconds_text(options_.duration * 2 / 3) + " (" +
                                   lease_.last_error() + "); no further step is sent");
}

void ApplyLease::hand_over(clients::DockerClientPtr next) {
  docker_.hand_over(std::move(next));
}

}  // namespace swarmop::cli
