#include "rabbit_cluster_under_test.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

#include "swarmop/clients/credentials.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"

namespace swarmop::contract {

namespace {

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read the RabbitMQ harness env file " + path);
  }
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t equals = line.find('=');
    if (equals == std::string::npos || line[0] == '#') {
      continue;
    }
    std::string value = line.substr(equals + 1);
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[line.substr(0, equals)] = value;
  }
  return out;
}

std::unique_ptr<clients::HttpTransport> transport(const std::string& url,
                                                  std::optional<clients::BasicAuth> auth) {
  auto endpoint = clients::parse_http_url(url);
  if (!endpoint) {
    throw std::runtime_error(endpoint.error().message);
  }
  // The suite asserts the API's answers, not its speed: on a loaded two-core CI machine a
  // 2 s budget was sometimes spent before an answer came back.
  return std::make_unique<clients::CurlTransport>(*endpoint, std::move(auth),
                                                  std::chrono::seconds(10));
}

bool is_test_object(const std::string& name) {
  return name.rfind("contract-", 0) == 0;
}

// The real cluster of tests/harness/rabbitmq (rabbit-up.sh); faults go through rabbit-node.sh.
class RealRabbitClusterUnderTest final : public RabbitClusterUnderTest {
 public:
  explicit RealRabbitClusterUnderTest(const std::string& env_file) : env_(read_env_file(env_file)) {
    nodes_ = std::stoi(env_.at("RABBIT_NODES"));
    base_ = env_.count("RABBIT_BASE") != 0 ? env_.at("RABBIT_BASE")
                                           : env_file.substr(0, env_file.rfind('/'));
    auto auth = clients::load_credentials_file(env_.at("RABBIT_CREDENTIALS_FILE"));
    if (!auth) {
      throw std::runtime_error(auth.error().message);
    }
    auth_ = auth->auth;
  }

  std::string kind() const override { return "real"; }
  int node_count() const override { return nodes_; }
  std::string management_url(int k) const override {
    return env_.at("RABBIT" + std::to_string(k) + "_MGMT");
  }
  std::string node_name(int k) const override {
    return env_.at("RABBIT" + std::to_string(k) + "_NAME");
  }
  clients::BasicAuth credentials() const override { return auth_; }

  void stop(int k) override { harness("rabbit-node.sh stop " + std::to_string(k)); }
  void start(int k) override { harness("rabbit-node.sh start " + std::to_string(k)); }
  void kill(int k) override { harness("rabbit-node.sh kill " + std::to_string(k)); }
  void partition(int k) override { harness("rabbit-node.sh partition " + std::to_string(k)); }
  void heal(int k) override { harness("rabbit-node.sh heal " + std::to_string(k)); }
  void blip(int k) override { harness("rabbit-node.sh blip " + std::to_string(k)); }
  void publish(const std::string& queue, int count, int k) override {
    harness("rabbit-publish.sh '" + queue + "' " + std::to_string(count) + " " + std::to_string(k));
  }
  void pass_time(std::chrono::milliseconds step) override { std::this_thread::sleep_for(step); }

  void reset() override {
    harness("rabbit-node.sh heal");
    for (int k = 1; k <= nodes_; ++k) {
      harness("rabbit-node.sh start " + std::to_string(k));  // a no-op for a running node
    }
    // Every node running as node 1 sees it, and every management listener answering (a healed
    // node that was paused comes back on its own, a little later).
    auto first = rabbit_node(1);
    const bool settled = rabbit_wait_until(
        [&] {
          auto nodes = first->nodes();
          if (!nodes || static_cast<int>(nodes->size()) != nodes_) {
            return false;
          }
          for (const auto& node : *nodes) {
            if (!node.running) {
              return false;
            }
          }
          for (int k = 2; k <= nodes_; ++k) {
            if (!rabbit_node(k)->overview()) {
              return false;
            }
          }
          return true;
        },
        std::chrono::seconds(120));
    if (!settled) {
      throw std::runtime_error("the RabbitMQ cluster did not return to all nodes running in 120 s");
    }
    auto admin = transport(management_url(1), auth_);
    auto policies = first->policies("/");
    if (!policies) {
      throw std::runtime_error(policies.error().describe());
    }
    for (const auto& policy : *policies) {
      if (is_test_object(policy.name)) {
        (void)first->delete_policy("/", policy.name);
      }
    }
    auto queues = first->queues("/");
    if (!queues) {
      throw std::runtime_error(queues.error().describe());
    }
    for (const auto& queue : *queues) {
      if (is_test_object(queue.name)) {
        // The client has no queue deletion (the operator never deletes queues): raw HTTP.
        clients::HttpRequest request;
        request.method = "DELETE";
        request.path = "/api/queues/%2F/" + queue.name;
        auto response = admin->send(request);
        if (!response || (response->status != 204 && response->status != 404)) {
          throw std::runtime_error("cannot delete the test queue " + queue.name);
        }
      }
    }
  }

 private:
  // Runs a harness script: "rabbit-node.sh stop 3".
  void harness(const std::string& command_line) const {
    const std::size_t space = command_line.find(' ');
    const std::string command =
        "SWARMOP_RABBIT_BASE='" + base_ + "' '" + std::string(SWARMOP_SOURCE_DIR) +
        "/tests/harness/rabbitmq/" + command_line.substr(0, space) + "'" +
        (space == std::string::npos ? "" : command_line.substr(space)) + " >/dev/null";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error(command_line + " failed");
    }
  }

  std::map<std::string, std::string> env_;
  std::string base_;
  clients::BasicAuth auth_;
  int nodes_ = 0;
};

}  // namespace

RabbitClusterUnderTest& rabbit_cluster() {
  static const std::unique_ptr<RabbitClusterUnderTest> instance = make_rabbit_cluster();
  return *instance;
}

std::unique_ptr<RabbitClusterUnderTest> make_real_rabbit_cluster(const std::string& env_file) {
  return std::make_unique<RealRabbitClusterUnderTest>(env_file);
}

std::unique_ptr<clients::RabbitClient> rabbit_client(const std::vector<int>& nodes,
                                                     std::optional<clients::BasicAuth> auth) {
  std::vector<std::unique_ptr<clients::HttpTransport>> endpoints;
  for (const int k : nodes) {
    endpoints.push_back(transport(rabbit_cluster().management_url(k),
                                  auth ? *auth : rabbit_cluster().credentials()));
  }
  return std::make_unique<clients::RabbitHttpClient>(std::move(endpoints));
}

std::unique_ptr<clients::RabbitClient> rabbit_node(int k) {
  return rabbit_client({k});
}

std::optional<clients::RabbitQueue> queue_named(clients::RabbitClient& client,
                                                const std::string& name) {
  auto queues = client.queues("/");
  if (!queues) {
    return std::nullopt;
  }
  for (const auto& queue : *queues) {
    if (queue.name == name) {
      return queue;
    }
  }
  return std::nullopt;
}

std::set<std::string> as_set(const std::optional<std::vector<std::string>>& names) {
  return names ? std::set<std::string>(names->begin(), names->end()) : std::set<std::string>{};
}

bool rabbit_wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  const std::chrono::milliseconds step{250};
  std::chrono::milliseconds waited{0};
  while (!done()) {
    if (waited >= deadline) {
      return false;
    }
    rabbit_cluster().pass_time(step);
    waited += step;
  }
  return true;
}

}  // namespace swarmop::contract
