// `swarm-operator healthcheck [--url URL]`: the controller image's HEALTHCHECK (it has no
// curl). One GET with libcurl, through the same transport as every client of the project.
#include <chrono>

#include "command.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/endpoint.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

namespace {

constexpr std::chrono::seconds kTimeout{3};

//! The first line of a body, shortened: enough to say what answered.
std::string first_line(const std::string& body) {
  std::string line = body.substr(0, body.find_first_of("\r\n"));
  constexpr std::size_t kMax = 200;
  if (line.size() > kMax) {
    line = line.substr(0, kMax) + "...";
  }
  return line;
}

}  // namespace

int run_healthcheck(const po::variables_map& options, Streams& io) {
  const std::string url = options["url"].as<std::string>();
  // The transport takes the scheme and authority; the request, the path and query.
  const auto scheme = url.find("://");
  const auto path_start =
      scheme == std::string::npos ? std::string::npos : url.find_first_of("/?#", scheme + 3);
  const std::string base = url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  path = path.substr(0, path.find('#'));
  if (path.empty() || path.front() != '/') {
    path = "/" + path;
  }
  auto endpoint = clients::parse_http_url(base);
  if (!endpoint) {
    io.err << "swarm-operator healthcheck: " << endpoint.error().message << '\n';
    return 1;
  }
  clients::CurlTransport transport(std::move(*endpoint), std::nullopt, kTimeout);
  clients::HttpRequest request;
  request.path = path;
  request.timeout = kTimeout;
  const auto response = transport.send(request);
  if (!response) {
    io.err << "swarm-operator healthcheck: GET " << url
           << ": no answer: " << response.error().message << '\n';
    return 1;
  }
  if (response->status != 200) {
    io.err << "swarm-operator healthcheck: GET " << url << ": HTTP " << response->status;
    if (const std::string line = first_line(response->body); !line.empty()) {
      io.err << ": " << line;
    }
    io.err << '\n';
    return 1;
  }
  return 0;
}

}  // namespace swarmop::cli
