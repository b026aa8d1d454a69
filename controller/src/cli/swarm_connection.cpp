#include "cli/swarm_connection.hpp"

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"

namespace swarmop::cli {

namespace {

clients::DockerClientPtr client_for(const clients::Endpoint& endpoint) {
  return std::make_unique<clients::DockerHttpClient>(
      std::make_unique<clients::CurlTransport>(endpoint));
}

}  // namespace

model::Expected<SwarmConnection> connect_swarm(
    const boost::program_options::variables_map& options) {
  std::optional<std::string> host;
  if (options.count("docker") > 0) {
    host = options["docker"].as<std::string>();
  }
  auto endpoint = clients::docker_endpoint_from_environment(host);
  if (!endpoint) {
    return endpoint.error();
  }
  SwarmConnection out;
  out.manager = client_for(*endpoint);
  out.engines =
      [](const model::EngineEndpoint& engine) -> model::Expected<clients::DockerClientPtr> {
    std::optional<clients::TlsConfig> tls;
    if (engine.tls) {
      tls = clients::TlsConfig{engine.tls->ca_file, engine.tls->cert_file, engine.tls->key_file,
                               engine.tls->verify};
    }
    auto parsed = clients::parse_docker_host(engine.endpoint, tls);
    if (!parsed) {
      return parsed.error();
    }
    return client_for(*parsed);
  };
  return out;
}

}  // namespace swarmop::cli
