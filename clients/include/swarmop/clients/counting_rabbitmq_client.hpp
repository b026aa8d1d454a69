#pragma once

#include "swarmop/clients/call_counter.hpp"
#include "swarmop/clients/rabbitmq_client.hpp"

namespace swarmop::clients {

//! Counts the calls made through another RabbitClient (reads and writes), for apply's summary
//! and the benchmarks' API-call counts.
class CountingRabbitClient final : public RabbitClient, public CallCounter {
 public:
  explicit CountingRabbitClient(RabbitClient& inner) : inner_(inner) {}

  model::Expected<RabbitOverview> overview() override { return read(inner_.overview()); }
  model::Expected<std::vector<RabbitNode>> nodes() override { return read(inner_.nodes()); }
  model::Expected<std::vector<RabbitPolicy>> policies(const std::string& vhost) override {
    return read(inner_.policies(vhost));
  }
  model::Expected<std::optional<RabbitPolicy>> policy(const std::string& vhost,
                                                      const std::string& name) override {
    return read(inner_.policy(vhost, name));
  }
  model::Expected<PolicyWrite> put_policy(const RabbitPolicy& policy) override {
    return write(inner_.put_policy(policy));
  }
  model::Expected<PolicyDelete> delete_policy(const std::string& vhost,
                                              const std::string& name) override {
    return write(inner_.delete_policy(vhost, name));
  }
  model::Expected<std::vector<RabbitQueue>> queues(const std::string& vhost) override {
    return read(inner_.queues(vhost));
  }
  model::Expected<model::Unit> sync_queue(const std::string& vhost,
                                          const std::string& name) override {
    return write(inner_.sync_queue(vhost, name));
  }
  model::Expected<HealthCheckResult> health_check(const std::string& name) override {
    return read(inner_.health_check(name));
  }
  std::string display() const override { return inner_.display(); }

 private:
  RabbitClient& inner_;
};

}  // namespace swarmop::clients
