// Queues: declaration, publishing, mirrors as the effective ha-* policy places them, the sync
// action, queue statistics, and the health checks that read queues and alarms.
#include <algorithm>

#include "broker.hpp"

namespace swarmop::sim::rabbitmq {

namespace {

std::string definition_string(const json::object& definition, const char* key) {
  const auto* value = definition.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

json::object queue_ref(const BrokerQueue& queue) {
  return json::object{
      {"name", queue.name},
      {"readable_name", "queue '" + queue.name + "' in vhost '" + queue.vhost + "'"},
      {"type", queue.type},
      {"virtual_host", queue.vhost}};
}

json::array names(const std::vector<std::string>& list) {
  json::array out;
  for (const auto& name : list) {
    out.emplace_back(name);
  }
  return out;
}

}  // namespace

BrokerQueue* RabbitBroker::find_queue(BrokerDb& db, const std::string& vhost,
                                      const std::string& name) {
  const auto found = db.queues.find({vhost, name});
  return found == db.queues.end() ? nullptr : &found->second;
}

void RabbitBroker::update_mirrors() {
  for (BrokerDb* db : all_dbs()) {
    update_mirrors(*db);
  }
}

void RabbitBroker::update_mirrors(BrokerDb& db) {
  for (auto& [key, queue] : db.queues) {
    update_queue_mirrors(db, queue);
  }
}

void RabbitBroker::update_queue_mirrors(BrokerDb& db, BrokerQueue& queue) {
  const BrokerPolicy* policy = has_mirroring() ? effective_policy(db, queue) : nullptr;
  const json::object none;
  const json::object& definition = policy != nullptr ? policy->definition : none;
  const std::string mode = definition_string(definition, "ha-mode");
  queue.mirrored = queue.type == "classic" && !mode.empty();
  if (!queue.mirrored) {
    queue.mirrors.clear();
    return;
  }
  BrokerNode* leader = find_node(queue.leader);
  if (queue.down || leader == nullptr || !leader->running()) {
    queue.mirrors.clear();
    return;
  }
  // Candidates: running nodes the leader can reach, in member order.
  std::vector<std::string> reachable;
  for (const auto& node : nodes) {
    if (node.name != queue.leader && connected(*leader, node)) {
      reachable.push_back(node.name);
    }
  }
  std::set<std::string> wanted;
  if (mode == "all") {
    wanted.insert(reachable.begin(), reachable.end());
  } else if (mode == "exactly") {
    const auto* params = definition.if_contains("ha-params");
    const std::size_t replicas =
        params != nullptr && params->is_number() ? params->to_number<std::size_t>() : 1;
    const std::size_t count = replicas > 0 ? replicas - 1 : 0;
    for (const auto& name : reachable) {  // existing mirrors stay first
      if (wanted.size() < count && queue.mirrors.count(name) != 0) {
        wanted.insert(name);
      }
    }
    for (const auto& name : reachable) {
      if (wanted.size() < count) {
        wanted.insert(name);
      }
    }
  } else if (mode == "nodes") {
    const auto* params = definition.if_contains("ha-params");
    for (const auto& name : reachable) {
      if (params != nullptr && params->is_array() &&
          std::find(params->get_array().begin(), params->get_array().end(), json::value(name)) !=
              params->get_array().end()) {
        wanted.insert(name);
      }
    }
  }
  std::erase_if(queue.mirrors, [&](const auto& mirror) { return wanted.count(mirror.first) == 0; });
  const bool automatic = definition_string(definition, "ha-sync-mode") == "automatic";
  for (const auto& name : wanted) {
    if (queue.mirrors.count(name) == 0) {
      // A new mirror starts empty: it has none of the backlog unless it syncs automatically.
      queue.mirrors[name] = automatic ? 0 : queue.messages;
    }
  }
}

void RabbitBroker::finish_syncs() {
  const UnixNanos t = now();
  for (BrokerDb* db : all_dbs()) {
    for (auto& [key, queue] : db->queues) {
      if (queue.syncing_until && *queue.syncing_until <= t) {
        queue.syncing_until.reset();
        for (auto& [mirror, missing] : queue.mirrors) {
          missing = 0;
        }
      }
    }
  }
}

void RabbitBroker::emit_queue_stats() {
  if (stats_frozen) {
    return;
  }
  const UnixNanos t = now();
  const UnixNanos interval = std::max<UnixNanos>(stats_interval(), 1);
  for (BrokerDb* db : all_dbs()) {
    for (auto& [key, queue] : db->queues) {
      if (t < queue.next_stats) {
        continue;
      }
      QueueStats stats;
      if (const BrokerPolicy* policy = effective_policy(*db, queue)) {
        stats.policy = policy->name;
        stats.effective_definition = policy->definition;
        if (!has_mirroring()) {
          for (const auto& ha : {"ha-mode", "ha-params", "ha-sync-mode"}) {
            stats.effective_definition.erase(ha);
          }
        }
      }
      stats.messages = queue.messages;
      stats.state = queue.down ? "down" : queue.syncing_until ? "syncing" : "running";
      queue.stats = std::move(stats);
      queue.next_stats += ((t - queue.next_stats) / interval + 1) * interval;
    }
  }
}

json::object RabbitBroker::queue_entry(const BrokerQueue& queue) const {
  json::object entry{{"name", queue.name},
                     {"vhost", queue.vhost},
                     {"type", queue.type},
                     {"durable", queue.durable},
                     {"auto_delete", queue.auto_delete},
                     {"exclusive", false},
                     {"arguments", queue.arguments},
                     {"node", queue.leader}};
  if (queue.type == "quorum") {
    entry["leader"] = queue.leader;
    entry["members"] = names(queue.members);
    std::vector<std::string> online;
    for (const auto& member : queue.members) {
      for (const auto& node : nodes) {
        if (node.name == member && node.running()) {
          online.push_back(member);
        }
      }
    }
    entry["online"] = names(online);
  } else if (queue.mirrored) {
    // Absent keys mean "not mirrored"; [] means mirrored without (synchronised) mirrors.
    std::vector<std::string> mirrors;
    std::vector<std::string> synced;
    for (const auto& [mirror, missing] : queue.mirrors) {
      mirrors.push_back(mirror);
      if (missing == 0) {
        synced.push_back(mirror);
      }
    }
    entry["slave_nodes"] = names(mirrors);
    entry["synchronised_slave_nodes"] = names(synced);
    entry["recoverable_slaves"] = names(mirrors);
  } else {
    entry["recoverable_slaves"] = nullptr;
  }
  if (queue.stats) {
    const QueueStats& stats = *queue.stats;
    entry["policy"] = stats.policy ? json::value(*stats.policy) : json::value(nullptr);
    entry["operator_policy"] = nullptr;
    entry["effective_policy_definition"] = stats.effective_definition;
    entry["messages"] = stats.messages;
    entry["messages_ready"] = stats.messages;
    entry["messages_unacknowledged"] = 0;
    entry["consumers"] = 0;
    entry["state"] = stats.state;
  }
  return entry;
}

HttpAnswer RabbitBroker::declare_queue(const HttpCall& call, const std::string& vhost,
                                       const std::string& name) {
  if (vhost != "/") {
    return json_answer(404, json::object{{"error", "not_found"}, {"reason", "vhost_not_found"}});
  }
  json::error_code ec;
  json::value body = call.body.empty() ? json::value(json::object{}) : json::parse(call.body, ec);
  if (ec || !body.is_object()) {
    return bad_request("not_json");
  }
  const auto& object = body.get_object();
  const bool durable = object.if_contains("durable") == nullptr ||
                       (object.at("durable").is_bool() && object.at("durable").get_bool());
  const bool auto_delete = object.if_contains("auto_delete") != nullptr &&
                           object.at("auto_delete").is_bool() &&
                           object.at("auto_delete").get_bool();
  json::object arguments =
      object.if_contains("arguments") != nullptr && object.at("arguments").is_object()
          ? object.at("arguments").get_object()
          : json::object{};
  const BrokerNode& self = *find_node(call.node);
  BrokerDb& db = db_of(self);
  if (BrokerQueue* existing = find_queue(db, vhost, name)) {
    if (existing->durable != durable) {
      return bad_request("inequivalent arg 'durable' for queue '" + name + "' in vhost '" + vhost +
                         "': received '" + (durable ? "true" : "false") + "' but current is '" +
                         (existing->durable ? "true" : "false") + "'");
    }
    return empty_answer(204);
  }
  BrokerQueue queue;
  queue.vhost = vhost;
  queue.name = name;
  queue.durable = durable;
  queue.auto_delete = auto_delete;
  queue.arguments = arguments;
  if (const auto* type = arguments.if_contains("x-queue-type"); type && type->is_string()) {
    queue.type = std::string(type->get_string());
  }
  // client-local leader placement: the node that took the request.
  queue.leader = call.node;
  if (queue.type == "quorum") {
    queue.members.push_back(call.node);
    for (const auto& node : nodes) {
      if (queue.members.size() < 3 && node.name != call.node && node.running() &&
          same_cluster(self, node)) {
        queue.members.push_back(node.name);
      }
    }
  }
  queue.next_stats = now() + stats_interval();
  auto& stored = db.queues[{vhost, name}] = std::move(queue);
  update_queue_mirrors(db, stored);
  return empty_answer(201);
}

HttpAnswer RabbitBroker::queue_action(const HttpCall& call, const std::string& vhost,
                                      const std::string& name) {
  json::error_code ec;
  const json::value body = json::parse(call.body, ec);
  BrokerQueue* queue = find_queue(db_of(*find_node(call.node)), vhost, name);
  if (queue == nullptr && !has_mirroring()) {
    return not_found();  // 4.x checks that the queue exists first
  }
  if (ec || !body.is_object()) {
    return bad_request("not_json");
  }
  const auto* action = body.get_object().if_contains("action");
  if (action == nullptr) {
    return bad_request(key_missing({"action"}));
  }
  const std::string what = action->is_string() ? std::string(action->get_string()) : "";
  if (!has_mirroring() || (what != "sync" && what != "cancel_sync")) {
    return bad_request_json(
        json::array{"unknown", action->is_string() ? *action : json::value(what)});
  }
  if (queue == nullptr) {
    // 3.x crashes in post_respond({error, not_found}): a 500 with no body.
    return empty_answer(500);
  }
  if (what == "cancel_sync") {
    queue->syncing_until.reset();
    return empty_answer(204);
  }
  // Quorum and unmirrored queues: accepted, nothing happens.
  if (queue->mirrored && !queue->syncing_until && !queue->mirrors.empty()) {
    const auto duration = std::max<std::chrono::nanoseconds>(
        options.sync_minimum, options.sync_per_message * queue->messages);
    queue->syncing_until = now() + duration.count();
  }
  return empty_answer(204);
}

HttpAnswer RabbitBroker::publish(const HttpCall& call, const std::string& vhost) {
  if (vhost != "/") {
    return not_found();
  }
  json::error_code ec;
  const json::value body = json::parse(call.body, ec);
  if (ec || !body.is_object()) {
    return bad_request("not_json");
  }
  std::vector<std::string> missing;
  for (const char* key : {"properties", "routing_key", "payload", "payload_encoding"}) {
    if (body.get_object().if_contains(key) == nullptr) {
      missing.emplace_back(key);
    }
  }
  if (!missing.empty()) {
    return bad_request(key_missing(missing));
  }
  const auto& key = body.at("routing_key");
  BrokerQueue* queue = key.is_string() ? find_queue(db_of(*find_node(call.node)), vhost,
                                                    std::string(key.get_string()))
                                       : nullptr;
  if (queue == nullptr || queue->down) {
    return json_answer(200, json::object{{"routed", false}});
  }
  ++queue->messages;  // every mirror gets new messages: what each lacks stays the same
  return json_answer(200, json::object{{"routed", true}});
}

HttpAnswer RabbitBroker::health_check(const HttpCall& call, const std::string& check) {
  const BrokerNode* self = find_node(call.node);
  const auto ok = [] { return json_answer(200, json::object{{"status", "ok"}}); };
  if (check == "alarms" || check == "local-alarms") {
    json::array alarms;
    for (const auto& node : nodes) {
      const bool counted = check == "alarms" ? connected(*self, node) : &node == self;
      if (counted && node.mem_alarm) {
        alarms.push_back(json::object{{"node", node.name}, {"resource", "memory"}});
      }
      if (counted && node.disk_alarm) {
        alarms.push_back(json::object{{"node", node.name}, {"resource", "disk space"}});
      }
    }
    if (alarms.empty()) {
      return ok();
    }
    return json_answer(
        503, json::object{{"status", "failed"},
                          {"reason", check == "alarms" ? "There are alarms in effect in the cluster"
                                                       : "There are alarms in effect on the node"},
                          {"alarms", alarms}});
  }
  const bool mirror_check = check == "node-is-mirror-sync-critical";
  if (mirror_check || check == "node-is-quorum-critical") {
    if (mirror_check && !has_mirroring()) {
      return not_found();  // removed with classic mirroring in 4.0
    }
    const auto cluster_size = std::count_if(
        nodes.begin(), nodes.end(), [&](const BrokerNode& n) { return same_cluster(*self, n); });
    if (cluster_size == 1) {
      return json_answer(200, json::object{{"status", "ok"}, {"reason", "single node cluster"}});
    }
    json::array critical;
    for (const auto& [key, queue] : db_of(*self).queues) {
      if (mirror_check && queue.mirrored && queue.leader == call.node && !queue.down &&
          std::none_of(queue.mirrors.begin(), queue.mirrors.end(),
                       [](const auto& mirror) { return mirror.second == 0; })) {
        critical.push_back(queue_ref(queue));
      }
      if (!mirror_check && queue.type == "quorum" &&
          std::find(queue.members.begin(), queue.members.end(), call.node) != queue.members.end()) {
        std::size_t online = 0;
        for (const auto& node : nodes) {
          online += node.running() && same_cluster(*self, node) &&
                            std::find(queue.members.begin(), queue.members.end(), node.name) !=
                                queue.members.end()
                        ? 1
                        : 0;
        }
        if ((online - 1) * 2 <= queue.members.size()) {
          critical.push_back(queue_ref(queue));
        }
      }
    }
    if (critical.empty()) {
      return ok();
    }
    return json_answer(
        503, json::object{{"status", "failed"},
                          {"reason", mirror_check ? "There are classic mirrored queues without "
                                                    "online synchronised mirrors"
                                                  : "There are quorum queues that would lose "
                                                    "their quorum if the target node is shut "
                                                    "down"},
                          {"queues", critical}});
  }
  if (check == "virtual-hosts") {
    return ok();
  }
  return not_found();
}

}  // namespace swarmop::sim::rabbitmq
