#include "cluster_under_test.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <stdexcept>

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"

namespace swarmop::contract {

namespace json = boost::json;

ClusterUnderTest& cluster() {
  static const std::unique_ptr<ClusterUnderTest> instance = make_cluster();
  return *instance;
}

std::unique_ptr<clients::DockerClient> client_for(const std::string& docker_host) {
  auto endpoint = clients::parse_docker_host(docker_host);
  if (!endpoint) {
    throw std::runtime_error(endpoint.error().message);
  }
  return std::make_unique<clients::DockerHttpClient>(
      std::make_unique<clients::CurlTransport>(*endpoint));
}

std::unique_ptr<clients::DockerClient> engine(int k) {
  return client_for(cluster().engine_address(k));
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  const std::chrono::milliseconds step =
      cluster().kind() == "sim" ? std::chrono::milliseconds(500) : std::chrono::milliseconds(250);
  std::chrono::milliseconds waited{0};
  while (!done()) {
    if (waited >= deadline) {
      return false;
    }
    cluster().pass_time(step);
    waited += step;
  }
  return true;
}

json::object test_service_spec(const std::string& name, std::uint64_t replicas) {
  return json::parse(R"({
    "Name": "contract-)" +
                     name + R"(",
    "Labels": {"swarmop.test": "contract"},
    "TaskTemplate": {
      "ContainerSpec": {"Image": "local/busybox:1", "Command": ["/bin/sleep", "3600"],
                        "StopGracePeriod": 1000000000},
      "RestartPolicy": {"Condition": "any", "Delay": 1000000000, "MaxAttempts": 0},
      "Placement": {}
    },
    "Mode": {"Replicated": {"Replicas": )" +
                     std::to_string(replicas) + R"(}},
    "UpdateConfig": {"Parallelism": 1, "FailureAction": "pause", "Order": "stop-first"}
  })")
      .as_object();
}

}  // namespace swarmop::contract
