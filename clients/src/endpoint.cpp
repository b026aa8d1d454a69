#include "swarmop/clients/endpoint.hpp"

#include <cstdlib>

namespace swarmop::clients {

namespace {

model::Error invalid(const std::string& message) {
  model::Error error;
  error.code = model::ErrorCode::kInvalid;
  error.message = message;
  return error;
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

}  // namespace

std::string Endpoint::display() const {
  return unix_socket.empty() ? base_url : "unix://" + unix_socket;
}

model::Expected<Endpoint> parse_docker_host(const std::string& address,
                                            std::optional<TlsConfig> tls) {
  Endpoint out;
  if (starts_with(address, "unix://")) {
    out.unix_socket = address.substr(7);
    if (out.unix_socket.empty() || out.unix_socket[0] != '/') {
      return invalid("docker host \"" + address + "\": expected unix:///absolute/path");
    }
    out.base_url = "http://localhost";
    return out;
  }
  if (starts_with(address, "tcp://")) {
    const std::string rest = address.substr(6);
    if (rest.empty() || rest.find(':') == std::string::npos ||
        rest.find('/') != std::string::npos) {
      return invalid("docker host \"" + address + "\": expected tcp://HOST:PORT");
    }
    out.base_url = (tls ? "https://" : "http://") + rest;
    out.tls = std::move(tls);
    return out;
  }
  if (starts_with(address, "http://") || starts_with(address, "https://")) {
    auto parsed = parse_http_url(address);
    if (parsed && tls) {
      parsed->tls = std::move(tls);
    }
    return parsed;
  }
  return invalid("docker host \"" + address +
                 "\": expected unix:///PATH, tcp://HOST:PORT, http:// or https://");
}

model::Expected<Endpoint> docker_endpoint_from_environment(
    const std::optional<std::string>& override_host) {
  std::string host = "unix:///var/run/docker.sock";
  if (override_host && !override_host->empty()) {
    host = *override_host;
  } else if (const char* env = std::getenv("DOCKER_HOST"); env != nullptr && *env != '\0') {
    host = env;
  }
  std::optional<TlsConfig> tls;
  const char* verify = std::getenv("DOCKER_TLS_VERIFY");
  if (verify != nullptr && *verify != '\0' && std::string(verify) != "0" &&
      !starts_with(host, "unix://")) {
    std::string dir;
    if (const char* cert_path = std::getenv("DOCKER_CERT_PATH"); cert_path && *cert_path) {
      dir = cert_path;
    } else if (const char* home = std::getenv("HOME"); home && *home) {
      dir = std::string(home) + "/.docker";
    }
    tls = TlsConfig{dir + "/ca.pem", dir + "/cert.pem", dir + "/key.pem", true};
  }
  return parse_docker_host(host, tls);
}

model::Expected<Endpoint> parse_http_url(const std::string& url) {
  if (!starts_with(url, "http://") && !starts_with(url, "https://")) {
    return invalid("endpoint \"" + url + "\": expected http://HOST[:PORT] or https://...");
  }
  Endpoint out;
  out.base_url = url;
  while (!out.base_url.empty() && out.base_url.back() == '/') {
    out.base_url.pop_back();
  }
  const std::size_t scheme_end = out.base_url.find("://") + 3;
  if (out.base_url.size() <= scheme_end) {
    return invalid("endpoint \"" + url + "\": no host");
  }
  if (starts_with(url, "https://")) {
    out.tls = TlsConfig{};
  }
  return out;
}

}  // namespace swarmop::clients
