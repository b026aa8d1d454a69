#pragma once

#include <optional>
#include <string>

#include "swarmop/model/expected.hpp"

namespace swarmop::clients {

//! Client TLS material, as file paths.
struct TlsConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool verify = true;
};

//! Where an HTTP API lives: a unix socket, or a host and port over http or https.
struct Endpoint {
  std::string unix_socket;  //!< non-empty for unix:// endpoints
  std::string base_url;     //!< "http://127.0.0.1:2375" (for unix sockets: "http://localhost")
  std::optional<TlsConfig> tls;

  //! How the endpoint is shown in errors and logs: "unix:///var/run/docker.sock" or the URL.
  std::string display() const;
};

//! Parses a Docker host address: unix:///path, tcp://host:port, http://..., https://... .
//! tcp:// becomes https when `tls` is given, http otherwise.
model::Expected<Endpoint> parse_docker_host(const std::string& address,
                                            std::optional<TlsConfig> tls = std::nullopt);

//! The Docker endpoint the environment asks for, like the docker CLI: DOCKER_HOST (default
//! unix:///var/run/docker.sock), DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (default ~/.docker).
model::Expected<Endpoint> docker_endpoint_from_environment(
    const std::optional<std::string>& override_host = std::nullopt);

//! Parses an http:// or https:// URL such as a Couchbase or RabbitMQ management endpoint.
model::Expected<Endpoint> parse_http_url(const std::string& url);

}  // namespace swarmop::clients
