#include "cli/swarm_connection.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/clients/credentials.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/deadline_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"

namespace swarmop::cli {

namespace {

clients::DockerClientPtr client_for(const clients::Endpoint& endpoint,
                                    const clients::RetryPolicy& policy = {}) {
  return std::make_unique<clients::DockerHttpClient>(
      std::make_unique<clients::CurlTransport>(endpoint), policy);
}

}  // namespace

model::Expected<SwarmConnection> connect_swarm(const boost::program_options::variables_map& options,
                                               const clients::RetryPolicy& policy) {
  std::optional<std::string> host;
  if (options.count("docker") > 0) {
    host = options["docker"].as<std::string>();
  }
  auto endpoint = clients::docker_endpoint_from_environment(host);
  if (!endpoint) {
    return endpoint.error();
  }
  SwarmConnection out;
  out.manager = client_for(*endpoint, policy);
  // A node's own engine is reached as the manager is: under the same deadline (apply
  // --timeout), and with the lease's short calls on the lease's connection.
  out.engines =
      [engine_policy = policy](
          const model::EngineEndpoint& engine) -> model::Expected<clients::DockerClientPtr> {
    std::optional<clients::TlsConfig> tls;
    if (engine.tls) {
      tls = clients::TlsConfig{engine.tls->ca_file, engine.tls->cert_file, engine.tls->key_file,
                               engine.tls->verify};
    }
    auto parsed = clients::parse_docker_host(engine.endpoint, tls);
    if (!parsed) {
      return parsed.error();
    }
    return client_for(*parsed, engine_policy);
  };
  return out;
}

clients::RetryPolicy lease_retry_policy(std::chrono::milliseconds lease_duration) {
  clients::RetryPolicy policy;
  policy.attempts = 1;
  policy.call_timeout = std::max(std::chrono::milliseconds(1000), lease_duration / 3);
  return policy;
}

namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

//! A flag, else an environment variable, else nothing.
std::optional<std::string> flag_or_environment(const boost::program_options::variables_map& options,
                                               const char* flag, const char* variable) {
  if (options.count(flag) > 0) {
    return options[flag].as<std::string>();
  }
  if (const char* value = std::getenv(variable); value != nullptr && *value != '\0') {
    return std::string(value);
  }
  return std::nullopt;
}

}  // namespace

namespace {

//! Where a data store is and who to be there: endpoints from the flag, else the environment
//! variable, else the file; credentials likewise. No endpoints: nullopt (not observed).
struct DataStoreAccess {
  std::vector<clients::Endpoint> endpoints;
  std::optional<clients::BasicAuth> auth;
};

model::Expected<std::optional<DataStoreAccess>> data_store_access(
    const boost::program_options::variables_map& options, const std::string& name,
    const std::string& variable, const std::vector<std::string>& file_endpoints,
    const std::optional<model::Credentials>& file_credentials, std::vector<std::string>& warnings) {
  std::vector<std::string> urls = file_endpoints;
  if (auto given = flag_or_environment(options, name.c_str(), variable.c_str())) {
    urls = split_commas(*given);
  }
  if (urls.empty()) {
    return std::optional<DataStoreAccess>{};
  }
  DataStoreAccess access;
  const std::string credentials_flag = name + "-credentials";
  const std::string credentials_variable = variable + "_CREDENTIALS";
  if (auto file =
          flag_or_environment(options, credentials_flag.c_str(), credentials_variable.c_str())) {
    auto loaded = clients::load_credentials_file(*file);
    if (!loaded) {
      return loaded.error();
    }
    access.auth = std::move(loaded->auth);
    warnings.insert(warnings.end(), loaded->warnings.begin(), loaded->warnings.end());
  } else if (file_credentials) {
    auto loaded = clients::load_credentials(*file_credentials);
    if (!loaded) {
      return loaded.error();
    }
    access.auth = std::move(loaded->auth);
    warnings.insert(warnings.end(), loaded->warnings.begin(), loaded->warnings.end());
  }
  for (const auto& url : urls) {
    auto endpoint = clients::parse_http_url(url);
    if (!endpoint) {
      return endpoint.error();
    }
    access.endpoints.push_back(std::move(*endpoint));
  }
  return std::optional<DataStoreAccess>(std::move(access));
}

//! One authenticated transport per endpoint, each bounded by the command's deadline.
std::vector<std::unique_ptr<clients::HttpTransport>> transports_for(
    const DataStoreAccess& access, const clients::CallDeadline& deadline) {
  std::vector<std::unique_ptr<clients::HttpTransport>> transports;
  for (const auto& endpoint : access.endpoints) {
    transports.push_back(std::make_unique<clients::DeadlineTransport>(
        std::make_unique<clients::CurlTransport>(endpoint, access.auth), deadline));
  }
  return transports;
}

}  // namespace

model::Expected<clients::RabbitClientPtr> connect_rabbitmq(
    const boost::program_options::variables_map& options, const model::DesiredState& desired,
    std::vector<std::string>& warnings, const clients::CallDeadline& deadline) {
  if (!desired.rabbitmq) {
    return clients::RabbitClientPtr{};
  }
  auto access =
      data_store_access(options, "rabbitmq", "SWARM_OPERATOR_RABBITMQ", desired.rabbitmq->endpoints,
                        desired.rabbitmq->credentials, warnings);
  if (!access) {
    return access.error();
  }
  if (!*access) {
    return clients::RabbitClientPtr{};
  }
  return clients::RabbitClientPtr(
      std::make_unique<clients::RabbitHttpClient>(transports_for(**access, deadline)));
}

model::Expected<clients::CouchbaseClientPtr> connect_couchbase(
    const boost::program_options::variables_map& options, const model::DesiredState& desired,
    std::vector<std::string>& warnings, const clients::CallDeadline& deadline) {
  if (!desired.couchbase) {
    return clients::CouchbaseClientPtr{};
  }
  auto access =
      data_store_access(options, "couchbase", "SWARM_OPERATOR_COUCHBASE",
                        desired.couchbase->endpoints, desired.couchbase->credentials, warnings);
  if (!access) {
    return access.error();
  }
  if (!*access) {
    return clients::CouchbaseClientPtr{};
  }
  if (!(*access)->auth) {
    model::Error error;
    error.code = model::ErrorCode::kInvalid;
    error.message =
        "Couchbase needs credentials: --couchbase-credentials, "
        "SWARM_OPERATOR_COUCHBASE_CREDENTIALS or spec.couchbase.credentials";
    return error;
  }
  return clients::CouchbaseClientPtr(std::make_unique<clients::CouchbaseHttpClient>(
      transports_for(**access, deadline), *(*access)->auth));
}

void print_warnings(std::string_view command, const std::vector<std::string>& warnings,
                    Streams& io) {
  for (const auto& warning : warnings) {
    io.err << "swarm-operator " << command << ": warning: " << warning << '\n';
  }
}

}  // namespace swarmop::cli
