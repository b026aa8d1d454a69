// SwarmWorld: rolling updates, stop-first. Each batch (UpdateConfig.Parallelism tasks) stops
// its old tasks (StopGracePeriod), then starts replacements in the same slots; the next batch
// starts after the monitor period (and UpdateConfig.Delay), whether or not the replacements
// could be placed, as swarmkit's stop-first updater does. The update is `completed` once every
// replaced slot runs again; a replacement that cannot be placed keeps it `updating`.
#include <algorithm>

#include "service_spec.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

void SwarmWorld::begin_rollout(Service& service, std::vector<std::uint64_t> dirty_slots,
                               std::uint64_t generation) {
  set_update_state(service, "updating", "update in progress");
  if (service_spec::is_global(service.spec)) {
    // Global services are replaced in one step (a simplification: no batches per node).
    for (auto& task : tasks_) {
      if (task.service_id == service.id && task.desired_state == "running") {
        stop_task(task, "shutdown", "shutdown");
      }
    }
    reconcile_global(service);
    set_update_state(service, "completed", "update completed");
    return;
  }
  std::sort(dirty_slots.begin(), dirty_slots.end());
  service.rollout = Rollout{};
  service.rollout->generation = generation;
  service.rollout->dirty_slots = std::move(dirty_slots);
  run_rollout_batch(service.id, generation);
}

void SwarmWorld::run_rollout_batch(const std::string& service_id, std::uint64_t generation) {
  auto it = services_.find(service_id);
  if (it == services_.end() || !it->second.rollout ||
      it->second.rollout->generation != generation) {
    return;  // superseded by a newer update, or the service is gone
  }
  Service& service = it->second;
  Rollout& rollout = *service.rollout;
  const std::uint64_t parallelism = service_spec::update_parallelism(service.spec);
  const std::size_t batch_size =
      parallelism == 0 ? rollout.dirty_slots.size()
                       : std::min<std::size_t>(parallelism, rollout.dirty_slots.size());
  const std::vector<std::uint64_t> batch(
      rollout.dirty_slots.begin(), rollout.dirty_slots.begin() + static_cast<long>(batch_size));
  rollout.dirty_slots.erase(rollout.dirty_slots.begin(),
                            rollout.dirty_slots.begin() + static_cast<long>(batch_size));
  rollout.replaced_slots.insert(rollout.replaced_slots.end(), batch.begin(), batch.end());

  const UnixNanos grace = service_spec::stop_grace_period(service.spec);
  const UnixNanos stopped_at = now() + grace;
  std::vector<std::string> stopping;
  for (auto& task : tasks_) {
    if (task.service_id == service.id && task.desired_state == "running" &&
        std::find(batch.begin(), batch.end(), task.slot) != batch.end()) {
      task.desired_state = "shutdown";
      task.version = bump();
      stopping.push_back(task.id);
      service.slot_blocked_until[task.slot] = stopped_at;
    }
  }
  at(stopped_at, [this, service_id, stopping] {
    for (auto& task : tasks_) {
      if (std::find(stopping.begin(), stopping.end(), task.id) != stopping.end() &&
          task.state == "running") {
        stop_task(task, "shutdown", "shutdown");
      }
    }
    if (auto found = services_.find(service_id); found != services_.end()) {
      reconcile_service(found->second);
    }
  });
  if (!rollout.dirty_slots.empty()) {
    const UnixNanos monitor =
        service_spec::update_monitor(service.spec).value_or(options_.update_monitor.count());
    at(stopped_at + monitor + service_spec::update_delay(service.spec),
       [this, service_id, generation] { run_rollout_batch(service_id, generation); });
  }
}

void SwarmWorld::check_rollout_progress(Service& service) {
  if (!service.rollout || !service.rollout->dirty_slots.empty()) {
    return;
  }
  // A scale-down during the update removes slots for good: only slots the service still has
  // must run again (swarmkit's updater likewise stops tracking removed slots).
  const std::uint64_t replicas = service_spec::replicas(service.spec);
  for (const std::uint64_t slot : service.rollout->replaced_slots) {
    if (slot > replicas) {
      continue;
    }
    const bool running_again = std::any_of(tasks_.begin(), tasks_.end(), [&](const Task& task) {
      return task.service_id == service.id && task.slot == slot &&
             task.desired_state == "running" && task.state == "running";
    });
    if (!running_again) {
      return;
    }
  }
  service.rollout.reset();
  set_update_state(service, "completed", "update completed");
}

}  // namespace swarmop::sim
