#pragma once

#include <httplib.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

//! The RabbitMQ simulator's test fixture: the default stack with the manual's clustered rabbit
//! services on a manual clock, with clients for each node.
namespace swarmop::sim::rabbitmq::testing {

using namespace std::chrono_literals;

// The default PowerFlow stack on N nodes with the manual's N clustered rabbit services, on a
// manual clock.
struct RabbitWorld {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<SwarmWorld> world;
  std::unique_ptr<RabbitSimulator> rabbit;
  std::vector<std::string> names;

  explicit RabbitWorld(int nodes, RabbitOptions options = {}) {
    world = std::make_unique<SwarmWorld>(clock);
    DefaultWorldOptions shape;
    shape.nodes = nodes;
    install_default_world(*world, shape);
    rabbitmq::add_rabbit_services(*world, nodes);
    rabbit = std::make_unique<RabbitSimulator>(*world, options);
    for (int i = 0; i < 100 && static_cast<int>(rabbit->node_names().size()) < nodes; ++i) {
      advance(500ms);
    }
    names = rabbit->node_names();
    REQUIRE(static_cast<int>(names.size()) == nodes);
  }
  ~RabbitWorld() { rabbit->stop(); }

  void advance(std::chrono::milliseconds by) {
    clock->advance(by);
    world->tick();
    rabbit->sync();
  }
  const std::string& name(int k) const { return names.at(static_cast<std::size_t>(k - 1)); }

  std::unique_ptr<clients::RabbitClient> client(std::vector<int> nodes) const {
    std::vector<std::unique_ptr<clients::HttpTransport>> endpoints;
    for (const int k : nodes) {
      auto endpoint = clients::parse_http_url(rabbit->url(name(k)));
      REQUIRE(endpoint);
      endpoints.push_back(std::make_unique<clients::CurlTransport>(
          *endpoint, clients::BasicAuth{"guest", "guest"}, std::chrono::seconds(2)));
    }
    return std::make_unique<clients::RabbitHttpClient>(std::move(endpoints));
  }

  // A raw HTTP client for node K, for bodies and headers the production client does not read.
  std::unique_ptr<httplib::Client> raw(int k, bool auth = true) const {
    const std::string url = rabbit->url(name(k));
    auto http = std::make_unique<httplib::Client>(url);
    if (auth) {
      http->set_basic_auth("guest", "guest");
    }
    return http;
  }

  void declare_and_publish(const std::string& queue, int count, int k = 1) const {
    auto http = raw(k);
    auto declared =
        http->Put("/api/queues/%2F/" + queue,
                  R"({"durable":true,"arguments":{"x-queue-type":"classic"}})", "application/json");
    REQUIRE(declared);
    REQUIRE((declared->status == 201 || declared->status == 204));
    for (int i = 0; i < count; ++i) {
      auto published = http->Post("/api/exchanges/%2F/amq.default/publish",
                                  R"({"properties":{},"routing_key":")" + queue +
                                      R"(","payload":"x","payload_encoding":"string"})",
                                  "application/json");
      REQUIRE(published);
      REQUIRE(published->body == R"({"routed":true})");
    }
  }

  std::optional<clients::RabbitQueue> queue(int k, const std::string& name_) const {
    auto queues = client({k})->queues("/");
    REQUIRE(queues);
    for (const auto& queue : *queues) {
      if (queue.name == name_) {
        return queue;
      }
    }
    return std::nullopt;
  }

  std::optional<clients::RabbitNode> node_seen_by(int k, const std::string& node) const {
    auto nodes = client({k})->nodes();
    REQUIRE(nodes);
    for (const auto& entry : *nodes) {
      if (entry.name == node) {
        return entry;
      }
    }
    return std::nullopt;
  }
};

inline clients::RabbitPolicy ha_all(const std::string& pattern,
                                    const std::string& sync = "manual") {
  clients::RabbitPolicy policy;
  policy.name = "ha-all";
  policy.pattern = pattern;
  policy.apply_to = "queues";
  policy.definition = {{"ha-mode", "all"}, {"ha-sync-mode", sync}};
  return policy;
}

}  // namespace swarmop::sim::rabbitmq::testing
