#include "swarmop/clients/http_transport.hpp"

#include <regex>

namespace swarmop::clients {

std::string mask_secret(std::string text, const std::string& secret) {
  if (secret.empty()) {
    return text;
  }
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

std::string HttpTransport::redact(std::string text) const {
  // A swarm join token ("SWMTKN-1-<digest>-<secret>") is sent in a join's body: an engine that
  // echoed it in an error would otherwise print it.
  static const std::regex join_token("SWMTKN-[0-9]+-[A-Za-z0-9]+(-[A-Za-z0-9]+)*");
  return std::regex_replace(text, join_token, "SWMTKN-***");
}

}  // namespace swarmop::clients
