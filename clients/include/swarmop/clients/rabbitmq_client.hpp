#pragma once

#include <memory>
#include <string>
#include <vector>

#include "swarmop/clients/rabbitmq_types.hpp"
#include "swarmop/model/expected.hpp"

namespace swarmop::clients {

//! The RabbitMQ management HTTP API as the HA-policy reconciler needs it. Errors carry the
//! endpoint, the status and the server's `reason`; kUnauthorized for 401, kNotFound for 404,
//! kInvalid for other 4xx, kTransient for transport failures and 5xx.
class RabbitClient {
 public:
  virtual ~RabbitClient() = default;

  virtual model::Expected<RabbitOverview> overview() = 0;
  virtual model::Expected<std::vector<RabbitNode>> nodes() = 0;
  virtual model::Expected<std::vector<RabbitPolicy>> policies(const std::string& vhost) = 0;
  //! nullopt when the policy does not exist.
  virtual model::Expected<std::optional<RabbitPolicy>> policy(const std::string& vhost,
                                                              const std::string& name) = 0;
  virtual model::Expected<PolicyWrite> put_policy(const RabbitPolicy& policy) = 0;
  virtual model::Expected<PolicyDelete> delete_policy(const std::string& vhost,
                                                      const std::string& name) = 0;
  //! All queues of a vhost in one call, whatever their number.
  virtual model::Expected<std::vector<RabbitQueue>> queues(const std::string& vhost) = 0;
  //! Starts a manual sync; it runs in the background and blocks the queue while it runs.
  virtual model::Expected<model::Unit> sync_queue(const std::string& vhost,
                                                  const std::string& name) = 0;
  //! /api/health/checks/NAME: alarms, node-is-mirror-sync-critical, node-is-quorum-critical.
  virtual model::Expected<HealthCheckResult> health_check(const std::string& name) = 0;

  virtual std::string display() const = 0;
};

using RabbitClientPtr = std::unique_ptr<RabbitClient>;

}  // namespace swarmop::clients
