#include "watch/swarm_lease.hpp"

#include <boost/json.hpp>

namespace swarmop::watch {

namespace json = boost::json;

namespace {

std::string label_of(const clients::DockerService& service, const char* key) {
  const auto* labels = service.spec.if_contains("Labels");
  if (labels == nullptr || !labels->is_object()) {
    return "";
  }
  const auto* value = labels->as_object().if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

json::object lease_spec(const std::string& name, const std::string& holder,
                        std::uint64_t renewals) {
  return json::object{
      {"Name", name},
      {"Labels", json::object{{SwarmLease::kHolderLabel, holder},
                              {SwarmLease::kRenewalsLabel, std::to_string(renewals)}}},
      // Never scheduled: 0 replicas. The image is never pulled.
      {"TaskTemplate",
       json::object{{"ContainerSpec", json::object{{"Image", "swarm-operator-lease:never-run"}}}}},
      {"Mode", json::object{{"Replicated", json::object{{"Replicas", 0}}}}}};
}

}  // namespace

SwarmLease::SwarmLease(clients::DockerClient& docker, LeaseOptions options)
    : docker_(docker), options_(std::move(options)) {}

bool SwarmLease::write(const clients::DockerService* existing, std::uint64_t renewals) {
  auto spec = lease_spec(options_.service, options_.identity, renewals);
  if (existing == nullptr) {
    auto created = docker_.create_service(spec);
    if (!created) {
      error_ = created.error().describe();
      return false;
    }
    return true;
  }
  auto updated = docker_.update_service(*existing, spec);
  if (!updated) {
    // A conflict means another controller wrote first: it holds the lease now.
    error_ = updated.error().describe();
    return false;
  }
  return true;
}

bool SwarmLease::refresh(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto service = docker_.inspect_service(options_.service);
  if (!service && service.error().code != model::ErrorCode::kNotFound) {
    error_ = service.error().describe();
    return renewed_once_ && now - renewed_at_ < options_.duration * 2 / 3;
  }
  if (!service) {
    if (write(nullptr, 1)) {
      holder_ = options_.identity;
      renewed_at_ = now;
      renewed_once_ = true;
      error_.clear();
    }
    return renewed_once_ && holder_ == options_.identity;
  }
  const std::string holder = label_of(*service, kHolderLabel);
  std::uint64_t renewals = 0;
  try {
    renewals = std::stoull(label_of(*service, kRenewalsLabel));
  } catch (const std::exception&) {
    renewals = 0;
  }
  const std::string seen = holder + "#" + std::to_string(renewals);
  if (seen != observed_) {
    observed_ = seen;
    observed_at_ = now;
  }
  holder_ = holder;
  const bool mine = holder == options_.identity;
  const bool free = holder.empty();
  const bool expired = now - observed_at_ >= options_.duration;
  if (mine || free || expired) {
    if (write(&*service, renewals + 1)) {
      holder_ = options_.identity;
      observed_ = options_.identity + "#" + std::to_string(renewals + 1);
      observed_at_ = now;
      renewed_at_ = now;
      renewed_once_ = true;
      error_.clear();
    }
  }
  return holder_ == options_.identity && renewed_once_ &&
         now - renewed_at_ < options_.duration * 2 / 3;
}

bool SwarmLease::held(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  return holder_ == options_.identity && renewed_once_ &&
         now - renewed_at_ < options_.duration * 2 / 3;
}

std::string SwarmLease::holder() const {
  std::lock_guard lock(mutex_);
  return holder_;
}

std::string SwarmLease::observed() const {
  std::lock_guard lock(mutex_);
  return observed_;
}

std::string SwarmLease::last_error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void SwarmLease::release() {
  std::lock_guard lock(mutex_);
  if (holder_ != options_.identity) {
    return;
  }
  auto service = docker_.inspect_service(options_.service);
  if (service && label_of(*service, kHolderLabel) == options_.identity) {
    auto spec = lease_spec(options_.service, "", 0);
    (void)docker_.update_service(*service, spec);
  }
  holder_.clear();
  renewed_once_ = false;
}

}  // namespace swarmop::watch
