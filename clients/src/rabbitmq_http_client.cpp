#include "swarmop/clients/rabbitmq_http_client.hpp"

#include <boost/json.hpp>

#include "http_common.hpp"
#include "swarmop/clients/rabbitmq_json.hpp"

namespace swarmop::clients {

namespace json = boost::json;

namespace {

template <class Decode>
auto decode_body(const model::Expected<HttpResponse>& response, Decode decode) {
  return http_common::decode_json_body(response, "RabbitMQ", decode);
}

HttpRequest make_request(std::string method, std::string path, std::string body = {}) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  if (!body.empty()) {
    request.body = std::move(body);
    request.content_type = "application/json";
  }
  return request;
}

}  // namespace

std::string rabbit_error_reason(std::string_view body) {
  json::error_code ec;
  const json::value value = json::parse(body, ec);
  if (!ec && value.is_object()) {
    if (const auto* reason = value.get_object().if_contains("reason")) {
      return reason->is_string() ? std::string(reason->get_string()) : json::serialize(*reason);
    }
    if (const auto* error = value.get_object().if_contains("error"); error && error->is_string()) {
      return std::string(error->get_string());
    }
  }
  return std::string(body.substr(0, 200));
}

RabbitHttpClient::RabbitHttpClient(std::vector<std::unique_ptr<HttpTransport>> endpoints)
    : endpoints_(std::move(endpoints)) {}

std::string RabbitHttpClient::display() const {
  std::string out;
  for (const auto& endpoint : endpoints_) {
    out += (out.empty() ? "" : ",") + endpoint->display();
  }
  return out;
}

model::Expected<HttpResponse> RabbitHttpClient::request(const std::string& what,
                                                        const HttpRequest& request,
                                                        const std::vector<int>& ok_statuses) {
  const bool read = request.method == "GET";
  std::string seen;  // what each endpoint did, for the error when none answered
  model::Error last;
  last.code = model::ErrorCode::kTransient;
  for (const auto& endpoint : endpoints_) {
    auto response = endpoint->send(request);
    if (!response) {
      last = response.error();
      const bool refused = last.not_sent;
      seen += (seen.empty() ? "" : "; ") + endpoint->display() + ": " +
              (refused ? "refused (stopped, or paused by pause_minority)"
                       : endpoint->redact(last.message));
      if (read || refused) {
        continue;
      }
      break;  // a write that may have arrived is not sent again elsewhere
    }
    if (std::find(ok_statuses.begin(), ok_statuses.end(), response->status) != ok_statuses.end()) {
      return response;
    }
    model::Error error;
    error.http_status = response->status;
    error.code = http_common::classify_status(response->status);
    error.server_message = endpoint->redact(rabbit_error_reason(response->body));
    error.target = endpoint->display();
    error.operation = request.method + " " + request.path.substr(0, request.path.find('?'));
    error.message = what + ": " + std::to_string(response->status) +
                    (error.server_message.empty() ? "" : " " + error.server_message);
    return error;
  }
  last.operation = request.method + " " + request.path.substr(0, request.path.find('?'));
  last.target = display();
  last.message = what + ": no management endpoint answered (" + seen + ")";
  return last;
}

model::Expected<RabbitOverview> RabbitHttpClient::overview() {
  return decode_body(request("read overview", make_request("GET", "/api/overview"), {200}),
                     rabbitmq_json::decode_overview);
}

model::Expected<std::vector<RabbitNode>> RabbitHttpClient::nodes() {
  return decode_body(
      request(
          "list nodes",
          make_request("GET",
                       "/api/nodes?columns=name,type,running,partitions,mem_alarm,disk_free_alarm"),
          {200}),
      rabbitmq_json::decode_nodes);
}

model::Expected<std::vector<RabbitPolicy>> RabbitHttpClient::policies(const std::string& vhost) {
  return decode_body(
      request("list policies",
              make_request("GET", "/api/policies/" + http_common::url_escape(vhost)), {200}),
      rabbitmq_json::decode_policies);
}

model::Expected<std::optional<RabbitPolicy>> RabbitHttpClient::policy(const std::string& vhost,
                                                                      const std::string& name) {
  auto response = request("read policy " + name,
                          make_request("GET", "/api/policies/" + http_common::url_escape(vhost) +
                                                  "/" + http_common::url_escape(name)),
                          {200});
  if (!response && response.error().code == model::ErrorCode::kNotFound) {
    return std::optional<RabbitPolicy>();
  }
  return decode_body(response,
                     [](const json::value& value) -> model::Expected<std::optional<RabbitPolicy>> {
                       auto policy = rabbitmq_json::decode_policy(value);
                       if (!policy) {
                         return policy.error();
                       }
                       return std::optional<RabbitPolicy>(std::move(*policy));
                     });
}

model::Expected<PolicyWrite> RabbitHttpClient::put_policy(const RabbitPolicy& policy) {
  const HttpRequest put = make_request("PUT",
                                       "/api/policies/" + http_common::url_escape(policy.vhost) +
                                           "/" + http_common::url_escape(policy.name),
                                       json::serialize(rabbitmq_json::encode_policy(policy)));
  auto response = request("put policy " + policy.name, put, {201, 204});
  if (!response) {
    return response.error();
  }
  return response->status == 201 ? PolicyWrite::kCreated : PolicyWrite::kUpdated;
}

model::Expected<PolicyDelete> RabbitHttpClient::delete_policy(const std::string& vhost,
                                                              const std::string& name) {
  auto response = request("delete policy " + name,
                          make_request("DELETE", "/api/policies/" + http_common::url_escape(vhost) +
                                                     "/" + http_common::url_escape(name)),
                          {204, 404});
  if (!response) {
    return response.error();
  }
  return response->status == 204 ? PolicyDelete::kDeleted : PolicyDelete::kWasAbsent;
}

model::Expected<std::vector<RabbitQueue>> RabbitHttpClient::queues(const std::string& vhost) {
  // Not ?disable_stats=true&enable_queue_totals=true: that combination was seen serving stale
  // synchronised_slave_nodes for over 20 s after a sync.
  return decode_body(
      request("list queues",
              make_request("GET", "/api/queues/" + http_common::url_escape(vhost) +
                                      "?columns=name,vhost,type,node,policy,slave_nodes,"
                                      "synchronised_slave_nodes,state,messages"),
              {200}),
      rabbitmq_json::decode_queues);
}

model::Expected<model::Unit> RabbitHttpClient::sync_queue(const std::string& vhost,
                                                          const std::string& name) {
  const HttpRequest post = make_request("POST",
                                        "/api/queues/" + http_common::url_escape(vhost) + "/" +
                                            http_common::url_escape(name) + "/actions",
                                        R"({"action":"sync"})");
  auto response = request("sync queue " + name, post, {204});
  if (!response) {
    return response.error();
  }
  return model::Unit{};
}

model::Expected<HealthCheckResult> RabbitHttpClient::health_check(const std::string& name) {
  auto response = request("health check " + name, make_request("GET", "/api/health/checks/" + name),
                          {200, 503});
  return decode_body(response,
                     [&response](const json::value& value) -> model::Expected<HealthCheckResult> {
                       return rabbitmq_json::decode_health(response->status, value);
                     });
}

}  // namespace swarmop::clients
