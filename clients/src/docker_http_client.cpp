#include "swarmop/clients/docker_http_client.hpp"

#include <boost/json.hpp>
#include <random>
#include <thread>

#include "http_common.hpp"
#include "swarmop/clients/docker_json.hpp"

namespace swarmop::clients {

namespace json = boost::json;
using http_common::url_escape;

namespace {

std::optional<std::pair<int, int>> parse_api_version(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) {
    return std::nullopt;
  }
  try {
    return std::pair{std::stoi(std::string(text.substr(0, dot))),
                     std::stoi(std::string(text.substr(dot + 1)))};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string version_text(std::pair<int, int> v) {
  return std::to_string(v.first) + "." + std::to_string(v.second);
}

std::chrono::milliseconds jittered(std::chrono::milliseconds base, int attempt) {
  thread_local std::mt19937 random(std::random_device{}());
  const auto ceiling = base.count() << attempt;
  std::uniform_int_distribution<long long> pick(ceiling / 2, ceiling);
  return std::chrono::milliseconds(pick(random));
}

}  // namespace

model::ErrorCode classify_docker_error(int status, std::string_view message) {
  if (message.find("update out of sequence") != std::string_view::npos || status == 409) {
    return model::ErrorCode::kConflict;
  }
  if (status == 404) {
    return model::ErrorCode::kNotFound;
  }
  if (status == 401 || status == 403) {
    return model::ErrorCode::kUnauthorized;
  }
  if (status == 503 && (message.find("not a swarm manager") != std::string_view::npos ||
                        message.find("not part of a swarm") != std::string_view::npos ||
                        message.find("already part of a swarm") != std::string_view::npos ||
                        message.find("participating as a manager") != std::string_view::npos)) {
    return model::ErrorCode::kInvalid;
  }
  // 501 is the engine refusing an operation it does not implement (renaming a service):
  // retrying cannot help.
  if (status >= 500 && status != 501) {
    return model::ErrorCode::kTransient;
  }
  return model::ErrorCode::kInvalid;
}

struct DockerHttpClient::Call {
  Call(std::string what_, std::string method_, std::string path_, std::string body_ = {})
      : what(std::move(what_)),
        method(std::move(method_)),
        path(std::move(path_)),
        body(std::move(body_)) {}

  std::string what;  //!< "update node node2", for messages
  std::string method;
  std::string path;  //!< without the version prefix
  std::string body;
  bool versioned = true;
  std::chrono::milliseconds timeout{30'000};
  std::vector<int> ok_statuses = {200};
};

DockerHttpClient::DockerHttpClient(std::unique_ptr<HttpTransport> transport, RetryPolicy retry)
    : transport_(std::move(transport)), retry_(retry) {}

model::Expected<std::string> DockerHttpClient::api_prefix() {
  {
    std::lock_guard lock(mutex_);
    if (prefix_) {
      return *prefix_;
    }
  }
  auto engine = version();
  if (!engine) {
    return engine.error();
  }
  const auto theirs = parse_api_version(engine->api_version);
  if (!theirs || *theirs < kMinDockerApi) {
    model::Error error;
    error.code = model::ErrorCode::kInvalid;
    error.target = display();
    error.operation = "GET /version";
    error.message = "the Docker engine speaks API " + engine->api_version +
                    "; swarm-operator needs " + version_text(kMinDockerApi) + " or newer";
    return error;
  }
  const std::string prefix = "/v" + version_text(std::min(*theirs, kMaxDockerApi));
  std::lock_guard lock(mutex_);
  prefix_ = prefix;
  return prefix;
}

model::Expected<HttpResponse> DockerHttpClient::call(const Call& c) {
  std::string path = c.path;
  if (c.versioned) {
    auto prefix = api_prefix();
    if (!prefix) {
      return prefix.error();
    }
    path = *prefix + c.path;
  }
  HttpRequest request{c.method, path, c.body, c.body.empty() ? "" : "application/json",
                      retry_.call_timeout ? std::min(c.timeout, *retry_.call_timeout) : c.timeout};
  request.abandon = retry_.deadline.abandon_flag();
  // Only reads are retried: a write that timed out may have been applied.
  const int attempts = c.method == "GET" ? std::max(1, retry_.attempts) : 1;
  model::Expected<HttpResponse> response = model::Error{};
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(jittered(retry_.base_delay, attempt - 1));
    }
    if (retry_.deadline.passed()) {
      // The first attempt's error (if any) says more than "deadline passed".
      if (attempt == 0) {
        response = retry_.deadline.refusal(display(), c.method + " " + path);
      }
      break;
    }
    request.timeout = retry_.deadline.bound(request.timeout);
    response = transport_->send(request);
    const bool transient = !response ? response.error().code == model::ErrorCode::kTransient
                                     : response->status >= 500 && response->status != 501;
    if (!transient) {
      break;
    }
  }
  const std::string operation = c.method + " " + path.substr(0, path.find('?'));
  if (!response) {
    model::Error error = response.error();
    error.message = c.what + ": " + error.message;
    error.operation = operation;
    return error;
  }
  if (std::find(c.ok_statuses.begin(), c.ok_statuses.end(), response->status) !=
      c.ok_statuses.end()) {
    return response;
  }
  model::Error error;
  error.server_message = transport_->redact(docker_json::error_message(response->body));
  error.code = classify_docker_error(response->status, error.server_message);
  error.http_status = response->status;
  error.operation = operation;
  error.target = display();
  error.message = c.what + ": " + std::to_string(response->status) + " " + error.server_message;
  return error;
}

model::Expected<EngineVersion> DockerHttpClient::version() {
  Call c{"read engine version", "GET", "/version"};
  c.versioned = false;
  auto response = call(c);
  if (!response) {
    return response.error();
  }
  auto parsed = docker_json::parse(response->body, "/version");
  if (!parsed) {
    return parsed.error();
  }
  return docker_json::decode_version(*parsed);
}

namespace {

template <class Decode>
auto decode_response(const model::Expected<HttpResponse>& response, std::string_view what,
                     Decode decode) -> decltype(decode(json::value())) {
  if (!response) {
    return response.error();
  }
  auto parsed = docker_json::parse(response->body, what);
  if (!parsed) {
    return parsed.error();
  }
  return decode(*parsed);
}

}  // namespace

model::Expected<EngineInfo> DockerHttpClient::info() {
  return decode_response(call({"read engine info", "GET", "/info"}), "/info",
                         docker_json::decode_info);
}

model::Expected<SwarmInfo> DockerHttpClient::inspect_swarm() {
  return decode_response(call({"inspect swarm", "GET", "/swarm"}), "/swarm",
                         docker_json::decode_swarm);
}

model::Expected<std::vector<DockerNode>> DockerHttpClient::list_nodes() {
  return decode_response(call({"list nodes", "GET", "/nodes"}), "/nodes",
                         docker_json::decode_nodes);
}

model::Expected<DockerNode> DockerHttpClient::inspect_node(const std::string& id_or_name) {
  return decode_response(
      call({"inspect node " + id_or_name, "GET", "/nodes/" + url_escape(id_or_name)}),
      "/nodes/{id}", docker_json::decode_node);
}

model::Expected<model::Unit> DockerHttpClient::update_node(const DockerNode& node,
                                                           const json::object& spec) {
  Call c{"update node " + (node.hostname.empty() ? node.id : node.hostname), "POST",
         "/nodes/" + url_escape(node.id) + "/update?version=" + std::to_string(node.version),
         json::serialize(spec)};
  auto response = call(c);
  if (!response) {
    return response.error();
  }
  return model::Unit{};
}

model::Expected<model::Unit> DockerHttpClient::remove_node(const std::string& id, bool force) {
  Call c{"remove node " + id, "DELETE", "/nodes/" + url_escape(id) + (force ? "?force=true" : "")};
  auto response = call(c);
  if (!response) {
    return response.error();
  }
  return model::Unit{};
}

model::Expected<std::vector<DockerService>> DockerHttpClient::list_services() {
  return decode_response(call({"list services", "GET", "/services?status=true"}), "/services",
                         docker_json::decode_services);
}

model::Expected<DockerService> DockerHttpClient::inspect_service(const std::string& id_or_name) {
  return decode_response(
      call({"inspect service " + id_or_name, "GET", "/services/" + url_escape(id_or_name)}),
      "/services/{id}", docker_json::decode_service);
}

model::Expected<model::Unit> DockerHttpClient::update_service(const DockerService& service,
                                                              const json::object& spec) {
  Call c{
      "update service " + service.name, "POST",
      "/services/" + url_escape(service.id) + "/update?version=" + std::to_string(service.version),
      json::serialize(spec)};
  auto response = call(c);
  if (!response) {
    return response.error();
  }
  return model::Unit{};
}

model::Expected<std::string> DockerHttpClient::create_service(const json::object& spec) {
  const auto* name = spec.if_contains("Name");
  Call c{"create service " +
             (name != nullptr && name->is_string() ? std::string(name->get_string()) : "?"),
         "POST", "/services/create", json::serialize(spec)};
  c.ok_statuses = {200, 201};
  return decode_response(call(c), "/services/create",
                         [](const json::value& value) -> model::Expected<std::string> {
                           if (value.is_object()) {
                             if (const auto* id = value.get_object().if_contains("ID");
                                 id != nullptr && id->is_string()) {
                               return std::string(id->get_string());
                             }
                           }
                           model::Error error;
                           error.message = "service create answered without an ID";
                           return error;
                         });
}

model::Expected<model::Unit> DockerHttpClient::remove_service(const std::string& id_or_name) {
  auto response =
      call({"remove service " + id_or_name, "DELETE", "/services/" + url_escape(id_or_name)});
  if (!response) {
    return response.error();
  }
  return model::Unit{};
}

model::Expected<std::vector<DockerTask>> DockerHttpClient::list_tasks(const TaskFilter& filter) {
  json::object filters;
  const auto add = [&filters](const char* key, const std::vector<std::string>& values) {
    if (!values.empty()) {
      json::array array;
      for (const auto& v : values) {
        array.emplace_back(v);
      }
      filters[key] = std::move(array);
    }
  };
  add("service", filter.services);
  add("node", filter.nodes);
  add("desired-state", filter.desired_states);
  std::string path = "/tasks";
  if (!filters.empty()) {
    path += "?filters=" + url_escape(json::serialize(filters));
  }
  return decode_response(call({"list tasks", "GET", path}), "/tasks", docker_json::decode_tasks);
}

model::Expected<model::Unit> DockerHttpClient::join_swarm(const JoinRequest& request) {
  json::object body;
  body["ListenAddr"] = request.listen_addr;
  if (!request.advertise_addr.empty()) {
    body["AdvertiseAddr"] = request.advertise_addr;
  }
  json::array remotes;
  for (const auto& remote : request.remote_addrs) {
    remotes.emplace_back(remote);
  }
  body["RemoteAddrs"] = std::move(remotes);
  body["JoinToken"] = request.join_token.reveal();
  // A join waits for the cluster (20 s when the manager is unreachable) before answering.
  Call c{"join swarm", "POST", "/swarm/join", json::serialize(body)};
  c.timeout = std::chrono::seconds(40);
  auto response = call(c);
  if (!response) {
    return response.error();
  }
  return model::Unit{};
}

model::Expected<model::Unit> DockerHttpClient::leave_swarm(bool force) {
  auto response =
      call({"leave swarm", "POST", std::string("/swarm/leave") + (force ? "?force=true" : "")});
  if (!response) {
    return response.error();
  }
  return model::Unit{};
}

model::Expected<model::Unit> DockerHttpClient::events(
    std::int64_t since, std::int64_t until, const std::function<bool(const DockerEvent&)>& on_event,
    const std::atomic<bool>* cancel) {
  auto prefix = api_prefix();
  if (!prefix) {
    return prefix.error();
  }
  std::string path = *prefix + "/events?filters=" + url_escape(R"({"type":["node","service"]})");
  if (since > 0) {
    path += "&since=" + std::to_string(since);
  }
  if (until > 0) {
    path += "&until=" + std::to_string(until);
  }
  std::string pending;
  std::optional<model::Error> decode_error;
  bool stopped = false;
  // One event is a few hundred bytes; a "line" longer than this is not an event stream.
  constexpr std::size_t kMaxEventLine = std::size_t{1} << 20;
  const auto on_data = [&](std::string_view data) {
    pending.append(data);
    if (pending.size() > kMaxEventLine && pending.find('\n') == std::string::npos) {
      model::Error error;
      error.code = model::ErrorCode::kInternal;
      error.target = display();
      error.operation = "GET /events";
      error.message = "event stream: a line longer than 1 MiB; not an event, stream closed";
      decode_error = error;
      return false;
    }
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.empty()) {
        continue;
      }
      auto parsed = docker_json::parse(line, "an event");
      auto event = parsed ? docker_json::decode_event(*parsed) : parsed.error();
      if (!event) {
        decode_error = event.error();
        return false;
      }
      if (!on_event(*event)) {
        stopped = true;
        return false;
      }
    }
    return true;
  };
  HttpRequest request{"GET", path, "", "", std::chrono::milliseconds(0)};
  auto status = transport_->stream(request, on_data, cancel);
  if (!status) {
    model::Error error = status.error();
    error.message = "event stream: " + error.message;
    return error;
  }
  if (decode_error) {
    return *decode_error;
  }
  if (!stopped && *status != 200 && !(cancel && cancel->load())) {
    model::Error error;
    error.code = classify_docker_error(*status, "");
    error.http_status = *status;
    error.target = display();
    error.operation = "GET " + *prefix + "/events";
    error.message = "event stream: " + std::to_string(*status);
    return error;
  }
  return model::Unit{};
}

}  // namespace swarmop::clients
