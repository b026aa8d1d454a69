#include "swarmop/reconcilers/data_homes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "spec_paths.hpp"

namespace swarmop::reconcilers {

namespace {

namespace json = boost::json;

using spec_paths::string_at;
using spec_paths::value_at;

//! States in which a task's container existed on its node, so it may have written data there.
bool ran_on_node(const clients::DockerTask& task) {
  static const std::set<std::string, std::less<>> kRan = {
      "starting", "running", "complete", "shutdown", "failed", "orphaned", "remove"};
  return !task.node_id.empty() && kRan.contains(task.state);
}

std::vector<std::string> split_hostnames(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) {
      out.push_back(std::move(item));
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

//! What the file says about the data of its services, by full service name.
struct FileDataNotes {
  std::set<std::string> data_stores;             //!< the Couchbase and RabbitMQ node services
  std::set<std::string> shared;                  //!< `storage: shared`: the data follows the task
  std::map<std::string, std::string> data_node;  //!< `dataNode`
};

FileDataNotes file_data_notes(const model::DesiredState& desired) {
  FileDataNotes out;
  const auto add = [&](const std::vector<model::PinnedService>& nodes) {
    for (const auto& node : nodes) {
      const auto name = stack_service_name(desired, node.service);
      out.data_stores.insert(name);
      if (node.data_node) {
        out.data_node[name] = *node.data_node;
      }
    }
  };
  for (const auto& [short_name, service] : desired.services) {
    const auto name = stack_service_name(desired, short_name);
    if (service.shared_storage) {
      out.shared.insert(name);
    }
    if (service.data_node) {
      out.data_node.emplace(name, *service.data_node);
    }
  }
  if (desired.couchbase) {
    add(desired.couchbase->nodes);
  }
  if (desired.rabbitmq) {
    add(desired.rabbitmq->nodes);
  }
  return out;
}

}  // namespace

bool DataHome::holds(std::string_view hostname) const {
  return std::any_of(nodes.begin(), nodes.end(),
                     [&](const std::string& node) { return same_hostname(node, hostname); });
}

std::string DataHome::mounts_text() const {
  if (mounts.empty()) {
    return "its data";
  }
  std::vector<std::string> items;
  for (const auto& mount : mounts) {
    items.push_back(mount.type + " " + mount.source);
  }
  return join_text(items);
}

std::vector<LocalMount> local_mounts(const json::object& service_spec) {
  std::vector<LocalMount> out;
  const json::value* mounts = value_at(service_spec, {"TaskTemplate", "ContainerSpec", "Mounts"});
  if (mounts == nullptr || !mounts->is_array()) {
    return out;
  }
  for (const auto& entry : mounts->get_array()) {
    const json::object* mount = entry.if_object();
    if (mount == nullptr) {
      continue;
    }
    LocalMount local{string_at(*mount, {"Type"}), string_at(*mount, {"Source"}),
                     string_at(*mount, {"Target"})};
    const json::value* read_only = mount->if_contains("ReadOnly");
    if (read_only != nullptr && read_only->is_bool() && read_only->get_bool()) {
      continue;  // the task writes nothing there
    }
    if (local.source.size() >= 5 && local.source.ends_with(".sock")) {
      continue;  // a socket (the engine's, for a controller) holds no data
    }
    if (local.type == "bind") {
      out.push_back(std::move(local));
    } else if (local.type == "volume" || local.type.empty()) {
      // An anonymous volume has no source and no data worth keeping across tasks.
      const std::string name = string_at(*mount, {"VolumeOptions", "DriverConfig", "Name"});
      if (!local.source.empty() && (name.empty() || name == "local")) {
        local.type = "volume";
        out.push_back(std::move(local));
      }
    }
  }
  return out;
}

std::map<std::string, DataHome> find_data_homes(const model::DesiredState& desired,
                                                const SwarmObservation& observed) {
  const auto notes = file_data_notes(desired);
  std::map<std::string, std::string> hostname_by_id;
  for (const auto& node : observed.nodes) {
    hostname_by_id[node.id] = node.hostname;
  }
  std::map<std::string, DataHome*> by_service_id;
  std::map<std::string, DataHome> out;
  for (const auto& service : observed.services) {
    if (service.mode == "global" || service.mode == "global-job") {
      continue;  // one task per node, each with its own data: Swarm never moves one elsewhere
    }
    if (notes.shared.contains(service.name)) {
      continue;  // the file says its data follows the task
    }
    auto mounts = local_mounts(service.spec);
    const bool store = notes.data_stores.contains(service.name);
    if (mounts.empty() && !store) {
      continue;
    }
    DataHome& home = out[service.name];
    home.service = service.name;
    home.service_id = service.id;
    home.mounts = std::move(mounts);
    home.data_store = store;
    home.nodes = split_hostnames(string_at(service.spec, {"Labels", kDataNodeLabel}));
    home.recorded = !home.nodes.empty();
    if (const auto said = notes.data_node.find(service.name);
        !home.recorded && said != notes.data_node.end()) {
      home.nodes = {said->second};
      home.from_file = true;
    }
    by_service_id[service.id] = &home;
  }
  // Where each service's tasks ran, and where its running ones are now.
  std::map<std::string, std::set<std::string>> ran;
  std::map<std::string, std::set<std::string>> running;
  const auto note = [&](const clients::DockerTask& task, bool current) {
    auto found = by_service_id.find(task.service_id);
    if (found == by_service_id.end() || !ran_on_node(task)) {
      return;
    }
    auto host = hostname_by_id.find(task.node_id);
    const std::string hostname = host == hostname_by_id.end() ? task.node_id : host->second;
    ran[task.service_id].insert(hostname);
    if (current && task.state == "running") {
      running[task.service_id].insert(hostname);
    }
  };
  for (const auto& task : observed.tasks) {
    note(task, true);
  }
  for (const auto& task : observed.task_history) {
    note(task, false);
  }
  for (auto& [id, home] : by_service_id) {
    const auto& seen = ran[id];
    if (!home->recorded && !home->from_file) {
      if (seen.size() == 1) {
        home->nodes = {*seen.begin()};
      } else if (seen.size() > 1) {
        home->ambiguous.assign(seen.begin(), seen.end());
      }
    }
    home->running_on.assign(running[id].begin(), running[id].end());
    for (const auto& host : running[id]) {
      if (!home->nodes.empty() && !home->holds(host)) {
        home->running_away.push_back(host);
      }
    }
  }
  return out;
}

}  // namespace swarmop::reconcilers
