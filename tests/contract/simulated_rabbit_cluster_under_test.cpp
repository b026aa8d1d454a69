// The RabbitMQ contract suite's simulated cluster: a three-node simulated swarm running the
// manual's clustered RabbitMQ (one rabbit service pinned to each node), served by the
// RabbitMQ simulator on a manual clock. Shaped like the real harness: pause_minority and a
// 1 s statistics interval.
#include <algorithm>
#include <stdexcept>

#include "rabbit_cluster_under_test.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

namespace swarmop::contract {

namespace {

constexpr int kNodes = 3;

sim::rabbitmq::RabbitOptions rabbit_options() {
  sim::rabbitmq::RabbitOptions options;
  options.version = "3.10.8";  // the real harness's server
  options.partition_handling = "pause_minority";
  options.stats_interval = std::chrono::milliseconds(1000);
  return options;
}

class SimulatedRabbitClusterUnderTest final : public RabbitClusterUnderTest {
 public:
  SimulatedRabbitClusterUnderTest() { build(); }
  ~SimulatedRabbitClusterUnderTest() override { tear_down(); }

  std::string kind() const override { return "sim"; }
  int node_count() const override { return kNodes; }
  std::string management_url(int k) const override { return rabbit_->url(node_name(k)); }
  std::string node_name(int k) const override { return names_.at(static_cast<std::size_t>(k - 1)); }
  clients::BasicAuth credentials() const override {
    return clients::BasicAuth{rabbit_->options().user, rabbit_->options().password};
  }

  void stop(int k) override { rabbit_->stop_node(node_name(k)); }
  void start(int k) override {
    sim_->set_node_down(host(k), false);
    rabbit_->start_node(node_name(k));
  }
  void kill(int k) override { rabbit_->kill_node(node_name(k)); }
  void partition(int k) override {
    sim_->set_partitioned(host(k), true);
    rabbit_->sync();
  }
  void heal(int k) override {
    sim_->set_partitioned(host(k), false);
    rabbit_->sync();
  }
  void blip(int k) override { rabbit_->blip(node_name(k)); }

  void publish(const std::string& queue, int count, int k) override {
    auto endpoint = clients::parse_http_url(management_url(k));
    if (!endpoint) {
      throw std::runtime_error(endpoint.error().message);
    }
    clients::CurlTransport transport(*endpoint, credentials(), std::chrono::seconds(10));
    const auto send = [&](const std::string& method, const std::string& path,
                          const std::string& body, std::initializer_list<int> ok) {
      clients::HttpRequest request;
      request.method = method;
      request.path = path;
      request.body = body;
      request.content_type = "application/json";
      auto response = transport.send(request);
      if (!response || std::find(ok.begin(), ok.end(), response->status) == ok.end()) {
        throw std::runtime_error(method + " " + path + " failed");
      }
    };
    send("PUT", "/api/queues/%2F/" + queue,
         R"({"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"classic"}})",
         {201, 204});
    for (int i = 1; i <= count; ++i) {
      send("POST", "/api/exchanges/%2F/amq.default/publish",
           R"({"properties":{"delivery_mode":2},"routing_key":")" + queue +
               R"(","payload":"swarmop-test-)" + std::to_string(i) +
               R"(","payload_encoding":"string"})",
           {200});
    }
  }

  void pass_time(std::chrono::milliseconds step) override {
    sim_->advance(step);
    rabbit_->sync();
  }

  void reset() override {
    tear_down();
    build();
  }

 private:
  static std::string host(int k) { return "node" + std::to_string(k); }

  void build() {
    sim::ClusterOptions options;
    options.manual_clock = true;
    options.unix_sockets = false;
    sim_ = std::make_unique<sim::SimulatedCluster>(options, [](sim::SwarmWorld& world) {
      for (int k = 1; k <= kNodes; ++k) {
        world.add_host(host(k));
      }
      world.init_swarm(host(1));
      for (int k = 2; k <= kNodes; ++k) {
        world.join_directly(host(k), "manager");
      }
      sim::rabbitmq::add_rabbit_services(world, kNodes);
    });
    rabbit_ = std::make_unique<sim::rabbitmq::RabbitSimulator>(sim_->world(), rabbit_options());
    // The rabbit tasks start like any task: let the simulated swarm run them.
    for (int i = 0; i < 100 && static_cast<int>(rabbit_->node_names().size()) < kNodes; ++i) {
      pass_time(std::chrono::milliseconds(500));
    }
    names_ = rabbit_->node_names();
    if (static_cast<int>(names_.size()) != kNodes) {
      throw std::runtime_error("the simulated rabbit services did not start");
    }
  }

  void tear_down() {
    if (rabbit_) {
      rabbit_->stop();
    }
    if (sim_) {
      sim_->stop();
    }
    rabbit_.reset();
    sim_.reset();
  }

  std::unique_ptr<sim::SimulatedCluster> sim_;
  std::unique_ptr<sim::rabbitmq::RabbitSimulator> rabbit_;
  std::vector<std::string> names_;
};

}  // namespace

std::unique_ptr<RabbitClusterUnderTest> make_simulated_rabbit_cluster() {
  return std::make_unique<SimulatedRabbitClusterUnderTest>();
}

}  // namespace swarmop::contract
