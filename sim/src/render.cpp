#include "render.hpp"

#include <boost/json/array.hpp>
#include <cstdio>
#include <ctime>

namespace swarmop::sim::render {

namespace json = boost::json;

std::string timestamp(UnixNanos time) {
  const std::time_t seconds = static_cast<std::time_t>(time / kSecond);
  const auto nanos = static_cast<long>(time % kSecond);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, nanos);
  return text;
}

namespace {

json::object labels_json(const std::map<std::string, std::string>& labels) {
  json::object out;
  for (const auto& [key, value] : labels) {
    out[key] = value;
  }
  return out;
}

json::object version_json(std::uint64_t index) {
  return json::object{{"Index", index}};
}

json::array engine_plugins() {
  json::array plugins;
  for (const char* log : {"awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local",
                          "logentries", "splunk", "syslog"}) {
    plugins.push_back(json::object{{"Type", "Log"}, {"Name", log}});
  }
  for (const char* network : {"bridge", "host", "ipvlan", "macvlan", "null", "overlay"}) {
    plugins.push_back(json::object{{"Type", "Network"}, {"Name", network}});
  }
  plugins.push_back(json::object{{"Type", "Volume"}, {"Name", "local"}});
  return plugins;
}

}  // namespace

json::object node(const Node& n) {
  json::object spec{
      {"Labels", labels_json(n.labels)}, {"Role", n.role}, {"Availability", n.availability}};
  if (n.name) {
    spec["Name"] = *n.name;
  }
  json::object status{{"State", n.state}};
  if (!n.message.empty()) {
    status["Message"] = n.message;
  }
  status["Addr"] = n.addr;
  json::object out{
      {"ID", n.id},
      {"Version", version_json(n.version)},
      {"CreatedAt", timestamp(n.created_at)},
      {"UpdatedAt", timestamp(n.updated_at)},
      {"Spec", std::move(spec)},
      {"Description",
       json::object{
           {"Hostname", n.hostname},
           {"Platform", json::object{{"Architecture", "x86_64"}, {"OS", "linux"}}},
           {"Resources",
            json::object{{"NanoCPUs", 2'000'000'000}, {"MemoryBytes", 25'276'510'208}}},
           {"Engine",
            json::object{{"EngineVersion", "20.10.24+dfsg1"}, {"Plugins", engine_plugins()}}},
           {"TLSInfo", json::object{{"CertIssuerSubject", "MBMxETAPBgNVBAMTCHN3YXJtLWNh"}}}}},
      {"Status", std::move(status)}};
  if (n.raft_member) {
    json::object manager;
    if (n.leader) {
      manager["Leader"] = true;
    }
    manager["Reachability"] = n.reachability;
    manager["Addr"] = n.addr + ":2377";
    out["ManagerStatus"] = std::move(manager);
  }
  return out;
}

json::object service(const Service& s) {
  json::object out{{"ID", s.id},
                   {"Version", version_json(s.version)},
                   {"CreatedAt", timestamp(s.created_at)},
                   {"UpdatedAt", timestamp(s.updated_at)},
                   {"Spec", s.spec}};
  if (s.previous_spec) {
    out["PreviousSpec"] = *s.previous_spec;
  }
  json::object endpoint{{"Spec", json::object{}}};
  if (const auto* endpoint_spec = s.spec.if_contains("EndpointSpec");
      endpoint_spec && endpoint_spec->is_object()) {
    endpoint["Spec"] = *endpoint_spec;
    if (const auto* ports = endpoint_spec->get_object().if_contains("Ports")) {
      endpoint["Ports"] = *ports;
    }
  }
  out["Endpoint"] = std::move(endpoint);
  if (s.update_status) {
    json::object status{{"State", s.update_status->state},
                        {"StartedAt", timestamp(s.update_status->started_at)}};
    if (s.update_status->completed_at) {
      status["CompletedAt"] = timestamp(*s.update_status->completed_at);
    }
    status["Message"] = s.update_status->message;
    out["UpdateStatus"] = std::move(status);
  }
  return out;
}

json::object task(const Task& t) {
  json::object status{
      {"Timestamp", timestamp(t.status_time)}, {"State", t.state}, {"Message", t.message}};
  if (!t.err.empty()) {
    status["Err"] = t.err;
  }
  if (!t.container_id.empty()) {
    status["ContainerStatus"] = json::object{{"ContainerID", t.container_id},
                                             {"PID", t.state == "running" ? t.pid : 0},
                                             {"ExitCode", 0}};
  }
  status["PortStatus"] = json::object{};
  json::object out{{"ID", t.id},
                   {"Version", version_json(t.version)},
                   {"CreatedAt", timestamp(t.created_at)},
                   {"UpdatedAt", timestamp(t.updated_at)},
                   {"Labels", json::object{}},
                   {"Spec", t.spec},
                   {"ServiceID", t.service_id}};
  if (t.slot != 0) {
    out["Slot"] = t.slot;  // global tasks have none (Go's omitempty)
  }
  if (!t.node_id.empty()) {
    out["NodeID"] = t.node_id;
  }
  out["Status"] = std::move(status);
  out["DesiredState"] = t.desired_state;
  return out;
}

json::object event(const Event& e) {
  return json::object{
      {"Type", e.type},
      {"Action", e.action},
      {"Actor", json::object{{"ID", e.actor_id}, {"Attributes", labels_json(e.attributes)}}},
      {"scope", "swarm"},
      {"time", e.time / kSecond},
      {"timeNano", e.time}};
}

}  // namespace swarmop::sim::render
