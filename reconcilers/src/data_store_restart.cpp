#include "swarmop/reconcilers/data_store_restart.hpp"

namespace swarmop::reconcilers {

std::optional<std::string> data_store_restarting(const SwarmObservation& observed,
                                                 const std::vector<std::string>& services) {
  for (const auto& name : services) {
    const clients::DockerService* service = find_service(observed, name);
    if (service == nullptr || service->mode != "replicated" || !service->replicas ||
        *service->replicas == 0) {
      continue;
    }
    if (service->update_status && (service->update_status->state == "updating" ||
                                   service->update_status->state == "rollback_started")) {
      return name + " restarts (update in progress)";
    }
    std::uint64_t running = 0;
    for (const auto& task : observed.tasks) {
      running += task.service_id == service->id && task.state == "running" ? 1 : 0;
    }
    if (running < *service->replicas) {
      return name + " restarts (" + std::to_string(running) + " of " +
             std::to_string(*service->replicas) + " tasks running)";
    }
  }
  return std::nullopt;
}

}  // namespace swarmop::reconcilers
