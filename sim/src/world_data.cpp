// SwarmWorld: where each service's data lives. A bind mount or a `local` volume is a directory
// of the host the task runs on, so a task started on another host finds an empty one there
// and the old data stays behind; a volume of another driver is shared storage that follows the
// task (data_placement.hpp).
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "render.hpp"
#include "service_spec.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

namespace json = boost::json;

namespace {

struct MountSplit {
  std::vector<std::string> local;
  std::vector<std::string> shared;
};

MountSplit split_mounts(const json::object& spec) {
  MountSplit out;
  for (const auto& mount : service_spec::mounts(spec)) {
    if (mount.type == "bind") {
      out.local.push_back("bind " + mount.source);
    } else if (mount.type == "volume" && !mount.source.empty()) {
      if (mount.driver.empty() || mount.driver == "local") {
        out.local.push_back("volume " + mount.source);
      } else {
        out.shared.push_back("volume " + mount.source + " (driver " + mount.driver + ")");
      }
    }
    // A tmpfs keeps nothing across a restart, and an anonymous volume is new for every
    // container: neither holds data a later task could find again.
  }
  return out;
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) {
    out.emplace_back(item);
  }
  return out;
}

json::object loss_json(const DataLoss& loss) {
  json::array items;
  for (const auto& item : loss.items) {
    items.push_back(json::object{{"Kind", item.kind}, {"Name", item.name}, {"Count", item.count}});
  }
  return json::object{{"Time", render::timestamp(loss.time)},
                      {"Store", loss.store},
                      {"Service", loss.service},
                      {"Identity", loss.identity},
                      {"DataHost", loss.data_host},
                      {"StartedOn", loss.started_on},
                      {"Lost", loss.lost},
                      {"Items", std::move(items)},
                      {"Note", loss.note}};
}

json::object service_data_json(const ServiceData& data) {
  json::array copies;
  for (const auto& copy : data.copies) {
    copies.push_back(json::object{{"Host", copy.host},
                                  {"ID", copy.id},
                                  {"CreatedAt", render::timestamp(copy.created_at)},
                                  {"LastUsedAt", render::timestamp(copy.last_used_at)},
                                  {"InUse", copy.in_use}});
  }
  return json::object{{"Service", data.service},
                      {"LocalMounts", strings(data.local_mounts)},
                      {"SharedMounts", strings(data.shared_mounts)},
                      {"CurrentHost", data.current_host},
                      {"Copies", std::move(copies)}};
}

}  // namespace

void SwarmWorld::place_data(Task& task, const std::string& hostname) {
  task.data_copy = 0;
  const auto service = services_.find(task.service_id);
  if (service == services_.end()) {
    return;
  }
  MountSplit mounts = split_mounts(service->second.spec);
  if (mounts.local.empty() && mounts.shared.empty()) {
    return;
  }
  const std::string name = service_spec::name(service->second.spec);
  ServiceData& data = data_[name];
  data.service = name;
  data.local_mounts = std::move(mounts.local);
  data.shared_mounts = std::move(mounts.shared);
  if (data.local_mounts.empty()) {
    return;  // shared storage only: the data is wherever the task is
  }
  // Copies other running replicas use are theirs (a scale-out writes a new copy beside them,
  // leaving nothing behind). Of the idle ones, the newest is what this task would have needed.
  std::set<std::uint64_t> in_use;
  for (const auto& other : tasks_) {
    if (&other != &task && other.service_id == task.service_id &&
        other.desired_state == "running" && other.state == "running" && other.data_copy != 0) {
      in_use.insert(other.data_copy);
    }
  }
  DataCopy* here = nullptr;
  const DataCopy* newest_idle = nullptr;
  for (auto& copy : data.copies) {
    if (copy.host == hostname) {
      here = &copy;
    }
    if (!in_use.contains(copy.id) &&
        (newest_idle == nullptr || copy.last_used_at >= newest_idle->last_used_at)) {
      newest_idle = &copy;
    }
  }
  if (newest_idle != nullptr && newest_idle != here) {
    const bool claimed =
        std::any_of(data_claims_.begin(), data_claims_.end(),
                    [&](const auto& claim) { return claim.second(service->second); });
    if (!claimed) {
      DataLoss loss;
      loss.time = now();
      loss.store = "volume";
      loss.service = name;
      loss.data_host = newest_idle->host;
      loss.started_on = hostname;
      loss.lost = true;
      for (const auto& mount : data.local_mounts) {
        loss.items.push_back(LostItem{"mount", mount, 0});
      }
      loss.note = here != nullptr ? "the task started on the older copy left on " + hostname +
                                        "; the newer data stays on " + newest_idle->host
                                  : "the task started with empty local mounts on " + hostname +
                                        "; the data stays on " + newest_idle->host;
      data_losses_.push_back(std::move(loss));
    }
  }
  if (here == nullptr) {
    data.copies.push_back(DataCopy{hostname, ++next_copy_id_, now(), now(), false});
    here = &data.copies.back();
  }
  here->last_used_at = now();
  data.current_host = hostname;
  data.current_copy = here->id;
  task.data_copy = here->id;
}

std::optional<ServiceData> SwarmWorld::data_of_locked(const std::string& service_name) const {
  const auto found = data_.find(service_name);
  if (found == data_.end()) {
    return std::nullopt;
  }
  ServiceData out = found->second;
  for (auto& copy : out.copies) {
    copy.in_use = std::any_of(tasks_.begin(), tasks_.end(), [&](const Task& task) {
      return task.data_copy == copy.id && task.desired_state == "running" &&
             task.state == "running";
    });
  }
  return out;
}

std::optional<ServiceData> SwarmWorld::data_of(const std::string& service_name) const {
  Lock lock(mutex_);
  return data_of_locked(service_name);
}

bool SwarmWorld::holds_data(const std::string& service_name, const std::string& hostname) const {
  Lock lock(mutex_);
  const auto found = data_.find(service_name);
  if (found == data_.end()) {
    // Never started: only a service without local mounts has nothing to find on a host.
    for (const auto& [id, service] : services_) {
      if (service_spec::name(service.spec) == service_name) {
        return split_mounts(service.spec).local.empty();
      }
    }
    return false;
  }
  const auto& data = found->second;
  return data.local_mounts.empty() ||
         std::any_of(data.copies.begin(), data.copies.end(),
                     [&](const DataCopy& copy) { return copy.host == hostname; });
}

void SwarmWorld::claim_data_store(const std::string& store,
                                  std::function<bool(const Service&)> claims) {
  Lock lock(mutex_);
  data_claims_.emplace_back(store, std::move(claims));
}

void SwarmWorld::record_data_loss(DataLoss loss) {
  Lock lock(mutex_);
  data_losses_.push_back(std::move(loss));
}

std::vector<DataLoss> SwarmWorld::data_losses() const {
  Lock lock(mutex_);
  return data_losses_;
}

json::value SwarmWorld::data_json() const {
  Lock lock(mutex_);
  json::array services;
  for (const auto& [name, data] : data_) {
    services.push_back(service_data_json(*data_of_locked(name)));
  }
  json::array losses;
  for (const auto& loss : data_losses_) {
    losses.push_back(loss_json(loss));
  }
  return json::object{{"Services", std::move(services)}, {"Losses", std::move(losses)}};
}

}  // namespace swarmop::sim
