// The management API's routes: authentication, then /api/overview, nodes, policies, queues,
// the publish endpoint and health checks, with the real server's codes and bodies.
#include <algorithm>

#include "broker.hpp"

namespace swarmop::sim::rabbitmq {

namespace {

const json::array kExchangeTypes = {
    json::object{{"name", "direct"},
                 {"description", "AMQP direct exchange, as per the AMQP specification"},
                 {"enabled", true}},
    json::object{{"name", "fanout"},
                 {"description", "AMQP fanout exchange, as per the AMQP specification"},
                 {"enabled", true}},
    json::object{{"name", "headers"},
                 {"description", "AMQP headers exchange, as per the AMQP specification"},
                 {"enabled", true}},
    json::object{{"name", "topic"},
                 {"description", "AMQP topic exchange, as per the AMQP specification"},
                 {"enabled", true}}};

HttpAnswer method_not_allowed(const std::string& allow) {
  HttpAnswer answer = empty_answer(405);
  answer.headers.emplace_back("allow", allow);
  return answer;
}

json::object policy_json(const BrokerPolicy& policy) {
  return json::object{{"vhost", policy.vhost},           {"name", policy.name},
                      {"pattern", policy.pattern},       {"apply-to", policy.apply_to},
                      {"definition", policy.definition}, {"priority", policy.priority}};
}

HttpAnswer unauthorised(bool credentials_given) {
  HttpAnswer answer =
      credentials_given
          ? json_answer(401, json::object{{"error", "not_authorized"}, {"reason", "Login failed"}})
          : empty_answer(401);
  answer.headers.emplace_back("www-authenticate", "Basic realm=\"RabbitMQ Management\"");
  return answer;
}

}  // namespace

HttpAnswer RabbitBroker::handle(const HttpCall& call) {
  std::lock_guard lock(mutex);
  refresh_locked();
  const BrokerNode* self = find_node(call.node);
  if (self == nullptr || !self->running()) {
    return empty_answer(503);  // the listener closes before this can be seen
  }
  const std::string prefix = "Basic ";
  if (call.authorization.rfind(prefix, 0) != 0) {
    return unauthorised(false);
  }
  const std::string credentials = base64_decode(call.authorization.substr(prefix.size()));
  if (credentials != options.user + ":" + options.password) {
    return unauthorised(true);
  }
  return route(call);
}

HttpAnswer RabbitBroker::route(const HttpCall& call) {
  const auto& s = call.segments;
  if (s.size() < 2 || s[0] != "api") {
    return not_found();
  }
  const std::string& what = s[1];
  if (what == "overview" && s.size() == 2) {
    return call.method == "GET" ? overview(call) : method_not_allowed("HEAD, GET, OPTIONS");
  }
  if (what == "whoami" && s.size() == 2) {
    return json_answer(
        200, json::object{{"name", options.user}, {"tags", json::array{"administrator"}}});
  }
  if (what == "nodes") {
    return nodes_route(call);
  }
  if (what == "policies") {
    return policies_route(call);
  }
  if (what == "queues") {
    return queues_route(call);
  }
  if (what == "exchanges" && s.size() == 5 && s[3] == "amq.default" && s[4] == "publish") {
    return call.method == "POST" ? publish(call, s[2]) : method_not_allowed("POST, OPTIONS");
  }
  if (what == "health" && s.size() >= 4 && s[2] == "checks") {
    if (s[3] == "port-listener" && s.size() == 5) {
      return json_answer(200, json::object{{"status", "ok"}, {"port", std::atoi(s[4].c_str())}});
    }
    return s.size() == 4 ? health_check(call, s[3]) : not_found();
  }
  if (what == "aliveness-test" && s.size() == 3) {
    return json_answer(200, json::object{{"status", "ok"}});
  }
  return not_found();
}

HttpAnswer RabbitBroker::overview(const HttpCall& call) {
  const std::string v = version();
  const BrokerNode& self = *find_node(call.node);
  // A cluster is named after its first member; a standalone node after itself.
  std::string cluster_name = self.name;
  for (const auto& node : nodes) {
    if (same_cluster(self, node)) {
      cluster_name = node.name;
      break;
    }
  }
  return json_answer(
      200, select_columns(
               json::object{
                   {"management_version", v},
                   {"rates_mode", "basic"},
                   {"sample_retention_policies", json::object{{"global", {600, 3600, 28800, 86400}},
                                                              {"basic", {600, 3600}},
                                                              {"detailed", {600}}}},
                   {"exchange_types", kExchangeTypes},
                   {"product_version", v},
                   {"product_name", "RabbitMQ"},
                   {"rabbitmq_version", v},
                   {"cluster_name", cluster_name},
                   {"erlang_version", "25.2.3"},
                   {"erlang_full_version",
                    "Erlang/OTP 25 [erts-13.1.5] [source] [64-bit] [smp:2:2] [ds:2:2:10] "
                    "[async-threads:1] [jit:ns]"},
                   {"release_series_support_status", "supported"},
                   {"disable_stats", false},
                   {"enable_queue_totals", false},
                   {"message_stats", json::object{}},
                   {"churn_rates", json::object{}},
                   {"queue_totals", json::object{}},
                   {"object_totals", json::object{{"channels", 0},
                                                  {"connections", 0},
                                                  {"consumers", 0},
                                                  {"exchanges", 7},
                                                  {"queues", db_of(self).queues.size()}}},
                   {"statistics_db_event_queue", 0},
                   {"node", call.node},
                   {"listeners", json::array{}},
                   {"contexts", json::array{}}},
               call.query));
}

HttpAnswer RabbitBroker::nodes_route(const HttpCall& call) {
  if (call.method != "GET") {
    return method_not_allowed("HEAD, GET, OPTIONS");
  }
  const BrokerNode& self = *find_node(call.node);
  std::vector<const BrokerNode*> sorted;
  for (const auto& node : nodes) {
    // A standalone node knows only itself; the cluster still lists the identity it had.
    if (!self.standalone || &node == &self) {
      sorted.push_back(&node);
    }
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const BrokerNode* a, const BrokerNode* b) { return a->name < b->name; });
  if (call.segments.size() == 3) {
    for (const auto* node : sorted) {
      if (node->name == call.segments[2]) {
        return json_answer(200, select_columns(node_entry(self, *node), call.query));
      }
    }
    return empty_answer(500);  // the real server crashes on an unknown node
  }
  if (call.segments.size() != 2) {
    return not_found();
  }
  json::array out;
  for (const auto* node : sorted) {
    out.push_back(node_entry(self, *node));
  }
  return json_answer(200, select_columns(std::move(out), call.query));
}

HttpAnswer RabbitBroker::policies_route(const HttpCall& call) {
  BrokerDb& db = db_of(*find_node(call.node));
  const auto& s = call.segments;
  if (s.size() <= 3) {
    if (call.method != "GET") {
      return method_not_allowed("HEAD, GET, OPTIONS");
    }
    if (s.size() == 3 && s[2] != "/") {
      return not_found();
    }
    json::array out;
    for (const auto& [key, policy] : db.policies) {
      out.push_back(policy_json(policy));
    }
    return json_answer(200, select_columns(std::move(out), call.query));
  }
  if (s.size() != 4) {
    return not_found();
  }
  const std::string& vhost = s[2];
  const std::string& name = s[3];
  const auto key = std::make_pair(vhost, name);
  if (call.method == "GET") {
    const auto found = db.policies.find(key);
    return found == db.policies.end() ? not_found() : json_answer(200, policy_json(found->second));
  }
  if (call.method == "DELETE") {
    if (db.policies.erase(key) == 0) {
      return not_found();
    }
    update_mirrors(db);
    return empty_answer(204);
  }
  if (call.method != "PUT") {
    return method_not_allowed("HEAD, GET, PUT, DELETE, OPTIONS");
  }
  if (vhost != "/") {
    return json_answer(404, json::object{{"error", "not_found"}, {"reason", "vhost_not_found"}});
  }
  json::error_code ec;
  const json::value body = json::parse(call.body, ec);
  if (ec || !body.is_object()) {
    return bad_request("not_json");
  }
  std::vector<std::string> missing;
  for (const char* field : {"pattern", "definition"}) {
    if (body.get_object().if_contains(field) == nullptr) {
      missing.emplace_back(field);
    }
  }
  if (!missing.empty()) {
    return bad_request(key_missing(missing));
  }
  BrokerPolicy policy;
  policy.vhost = vhost;
  policy.name = name;
  if (auto error = validate_policy(body.get_object(), policy)) {
    return bad_request("Validation failed\n\n" + *error + "\n");
  }
  const bool created = db.policies.count(key) == 0;
  db.policies[key] = std::move(policy);
  update_mirrors(db);
  return empty_answer(created ? 201 : 204);
}

HttpAnswer RabbitBroker::queues_route(const HttpCall& call) {
  BrokerDb& db = db_of(*find_node(call.node));
  const auto& s = call.segments;
  if (s.size() <= 3) {
    if (call.method != "GET") {
      return method_not_allowed("HEAD, GET, OPTIONS");
    }
    if (s.size() == 3 && s[2] != "/") {
      return not_found();
    }
    json::array out;
    for (const auto& [key, queue] : db.queues) {
      out.push_back(queue_entry(queue));
    }
    return json_answer(200, select_columns(std::move(out), call.query));
  }
  const std::string& vhost = s[2];
  const std::string& name = s[3];
  if (s.size() == 5 && s[4] == "actions") {
    return call.method == "POST" ? queue_action(call, vhost, name)
                                 : method_not_allowed("POST, OPTIONS");
  }
  if (s.size() == 5 && s[4] == "contents") {
    BrokerQueue* queue = find_queue(db, vhost, name);
    if (call.method != "DELETE") {
      return method_not_allowed("DELETE, OPTIONS");
    }
    if (queue == nullptr) {
      return not_found();
    }
    queue->messages = 0;
    for (auto& [mirror, missing] : queue->mirrors) {
      missing = 0;
    }
    return empty_answer(204);
  }
  if (s.size() != 4) {
    return not_found();
  }
  if (call.method == "PUT") {
    return declare_queue(call, vhost, name);
  }
  BrokerQueue* queue = find_queue(db, vhost, name);
  if (call.method == "GET") {
    return queue == nullptr ? not_found()
                            : json_answer(200, select_columns(queue_entry(*queue), call.query));
  }
  if (call.method == "DELETE") {
    if (queue == nullptr) {
      return not_found();
    }
    db.queues.erase({vhost, name});
    return empty_answer(204);
  }
  return method_not_allowed("HEAD, GET, PUT, DELETE, OPTIONS");
}

}  // namespace swarmop::sim::rabbitmq
