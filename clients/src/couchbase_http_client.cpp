#include "swarmop/clients/couchbase_http_client.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "http_common.hpp"
#include "swarmop/clients/couchbase_json.hpp"

namespace swarmop::clients {

namespace json = boost::json;

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ",") + item;
  }
  return out;
}

template <class Decode>
auto decode_body(const model::Expected<HttpResponse>& response, Decode decode) {
  return http_common::decode_json_body(response, "Couchbase", decode);
}

HttpRequest make_request(std::string method, std::string path, std::string body = {}) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  if (!body.empty()) {
    request.body = std::move(body);
    request.content_type = "application/x-www-form-urlencoded";
  }
  return request;
}

model::Expected<model::Unit> done(const model::Expected<HttpResponse>& response) {
  if (!response) {
    return response.error();
  }
  return model::Unit{};
}

}  // namespace

std::string couchbase_form(const FormFields& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    out += (out.empty() ? "" : "&") + http_common::url_escape(key) + "=" +
           http_common::url_escape(value);
  }
  return out;
}

CouchbaseHttpClient::CouchbaseHttpClient(std::vector<std::unique_ptr<HttpTransport>> endpoints,
                                         BasicAuth credentials)
    : endpoints_(std::move(endpoints)), credentials_(std::move(credentials)) {}

std::unique_ptr<CouchbaseHttpClient> CouchbaseHttpClient::over_curl(
    const std::vector<Endpoint>& endpoints, const BasicAuth& credentials) {
  std::vector<std::unique_ptr<HttpTransport>> transports;
  transports.reserve(endpoints.size());
  for (const auto& endpoint : endpoints) {
    transports.push_back(std::make_unique<CurlTransport>(endpoint, credentials));
  }
  return std::make_unique<CouchbaseHttpClient>(std::move(transports), credentials);
}

std::string CouchbaseHttpClient::display() const {
  std::string out;
  for (const auto& endpoint : endpoints_) {
    out += (out.empty() ? "" : ",") + endpoint->display();
  }
  return out;
}

std::string CouchbaseHttpClient::redact(std::string text) const {
  // The server has no reason to echo the password, but addNode sends it in the body: make sure
  // whatever comes back can never carry it into a log.
  return mask_secret(std::move(text), credentials_.password);
}

model::Expected<HttpResponse> CouchbaseHttpClient::request(const std::string& what,
                                                           const HttpRequest& request,
                                                           const std::vector<int>& ok_statuses) {
  const bool read = request.method == "GET";
  const std::string operation =
      request.method + " " + request.path.substr(0, request.path.find('?'));
  std::string seen;  // what each endpoint did, for the error when none answered
  model::Error last;
  last.code = model::ErrorCode::kTransient;
  bool may_have_arrived = false;
  for (const auto& endpoint : endpoints_) {
    auto response = endpoint->send(request);
    if (!response) {
      last = response.error();
      const bool refused = last.not_sent;
      seen += (seen.empty() ? "" : "; ") + endpoint->display() + ": " +
              (refused ? "refused" : redact(last.message));
      if (read || refused) {
        continue;
      }
      may_have_arrived = true;
      break;  // a write that may have arrived is not sent again elsewhere
    }
    if (std::find(ok_statuses.begin(), ok_statuses.end(), response->status) != ok_statuses.end()) {
      return response;
    }
    model::Error error;
    error.http_status = response->status;
    error.code = http_common::classify_status(response->status);
    error.server_message = redact(couchbase_error_text(response->body));
    if (response->status == 401 && error.server_message.empty()) {
      error.server_message = "credentials refused";
    }
    error.target = endpoint->display();
    error.operation = operation;
    error.message = what + ": " + std::to_string(response->status) +
                    (error.server_message.empty() ? "" : " " + error.server_message);
    return error;
  }
  last.operation = operation;
  last.target = display();
  last.server_message.clear();
  last.not_sent = !may_have_arrived && last.not_sent;
  last.message = what + ": " +
                 (may_have_arrived ? "no answer, and the request may have been applied ("
                                   : "no admin endpoint answered (") +
                 seen + ")";
  return last;
}

model::Expected<model::Unit> CouchbaseHttpClient::post(const std::string& what,
                                                       const std::string& path,
                                                       const FormFields& fields) {
  return done(request(what, make_request("POST", path, couchbase_form(fields)), {200}));
}

model::Expected<CouchbaseCluster> CouchbaseHttpClient::cluster() {
  return decode_body(request("read cluster", make_request("GET", "/pools/default"), {200}),
                     couchbase_json::decode_cluster);
}

model::Expected<std::vector<CouchbaseBucket>> CouchbaseHttpClient::buckets() {
  return decode_body(
      request("list buckets", make_request("GET", "/pools/default/buckets?skipMap=true"), {200}),
      couchbase_json::decode_buckets);
}

model::Expected<model::Unit> CouchbaseHttpClient::set_bucket_replicas(const std::string& bucket,
                                                                      int replicas) {
  return post("set replicas of bucket " + bucket,
              "/pools/default/buckets/" + http_common::url_escape(bucket),
              {{"replicaNumber", std::to_string(replicas)}});
}

model::Expected<std::string> CouchbaseHttpClient::add_node(
    const std::string& hostname, const std::vector<std::string>& services) {
  FormFields fields{
      {"hostname", hostname}, {"user", credentials_.username}, {"password", credentials_.password}};
  if (!services.empty()) {
    fields.emplace_back("services", join(services));
  }
  return decode_body(
      request("add node " + hostname,
              make_request("POST", "/controller/addNode", couchbase_form(fields)), {200}),
      couchbase_json::decode_add_node);
}

model::Expected<model::Unit> CouchbaseHttpClient::rebalance(
    const std::vector<std::string>& known_otp_nodes,
    const std::vector<std::string>& ejected_otp_nodes) {
  return post("rebalance", "/controller/rebalance",
              {{"knownNodes", join(known_otp_nodes)}, {"ejectedNodes", join(ejected_otp_nodes)}});
}

model::Expected<RebalanceProgress> CouchbaseHttpClient::rebalance_progress() {
  return decode_body(request("read rebalance progress",
                             make_request("GET", "/pools/default/rebalanceProgress"), {200}),
                     couchbase_json::decode_rebalance_progress);
}

model::Expected<std::vector<CouchbaseTask>> CouchbaseHttpClient::tasks() {
  return decode_body(request("list tasks", make_request("GET", "/pools/default/tasks"), {200}),
                     couchbase_json::decode_tasks);
}

model::Expected<model::Unit> CouchbaseHttpClient::stop_rebalance() {
  return post("stop rebalance", "/controller/stopRebalance", {});
}

model::Expected<model::Unit> CouchbaseHttpClient::failover(const std::string& otp_node,
                                                           bool graceful) {
  // Hard failover goes without allowUnsafe: refusals (last KV node, last server of a bucket,
  // quorum lost) are answers to respect, not obstacles to override.
  return graceful
             ? post("graceful failover " + otp_node, "/controller/startGracefulFailover",
                    {{"otpNode", otp_node}})
             : post("hard failover " + otp_node, "/controller/failOver", {{"otpNode", otp_node}});
}

model::Expected<model::Unit> CouchbaseHttpClient::set_recovery_type(const std::string& otp_node,
                                                                    RecoveryType type) {
  const std::string name = type == RecoveryType::kDelta ? "delta" : "full";
  return post("set " + name + " recovery for " + otp_node, "/controller/setRecoveryType",
              {{"otpNode", otp_node}, {"recoveryType", name}});
}

model::Expected<model::Unit> CouchbaseHttpClient::readd_node(const std::string& otp_node) {
  return post("re-add node " + otp_node, "/controller/reAddNode", {{"otpNode", otp_node}});
}

model::Expected<model::Unit> CouchbaseHttpClient::eject_node(const std::string& otp_node) {
  return post("eject node " + otp_node, "/controller/ejectNode", {{"otpNode", otp_node}});
}

model::Expected<AutoFailoverSettings> CouchbaseHttpClient::auto_failover() {
  return decode_body(
      request("read auto-failover settings", make_request("GET", "/settings/autoFailover"), {200}),
      couchbase_json::decode_auto_failover);
}

model::Expected<model::Unit> CouchbaseHttpClient::set_auto_failover(bool enabled,
                                                                    int timeout_seconds,
                                                                    std::optional<int> max_count) {
  FormFields fields{{"enabled", enabled ? "true" : "false"}};
  if (enabled) {
    fields.emplace_back("timeout", std::to_string(timeout_seconds));
    if (max_count) {
      fields.emplace_back("maxCount", std::to_string(*max_count));
    }
  }
  return post("set auto-failover settings", "/settings/autoFailover", fields);
}

model::Expected<model::Unit> CouchbaseHttpClient::reset_auto_failover_count() {
  return post("reset auto-failover count", "/settings/autoFailover/resetCount", {});
}

model::Expected<IndexStatus> CouchbaseHttpClient::index_status() {
  return decode_body(request("read index status", make_request("GET", "/indexStatus"), {200}),
                     couchbase_json::decode_index_status);
}

}  // namespace swarmop::clients
