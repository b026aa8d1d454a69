#pragma once

#include <memory>
#include <vector>

#include "swarmop/clients/http_transport.hpp"
#include "swarmop/clients/rabbitmq_client.hpp"

namespace swarmop::clients {

//! RabbitClient over several management endpoints, one per rabbit node. A request goes to the
//! first endpoint that answers. Reads move on after any transport failure; writes move on only
//! when the request provably never left (connection refused), so nothing is applied twice.
//! A refused connection is reported as "refused (stopped, or paused by pause_minority)": the
//! two look the same from outside.
class RabbitHttpClient final : public RabbitClient {
 public:
  explicit RabbitHttpClient(std::vector<std::unique_ptr<HttpTransport>> endpoints);

  model::Expected<RabbitOverview> overview() override;
  model::Expected<std::vector<RabbitNode>> nodes() override;
  model::Expected<std::vector<RabbitPolicy>> policies(const std::string& vhost) override;
  model::Expected<std::optional<RabbitPolicy>> policy(const std::string& vhost,
                                                      const std::string& name) override;
  model::Expected<PolicyWrite> put_policy(const RabbitPolicy& policy) override;
  model::Expected<PolicyDelete> delete_policy(const std::string& vhost,
                                              const std::string& name) override;
  model::Expected<std::vector<RabbitQueue>> queues(const std::string& vhost) override;
  model::Expected<model::Unit> sync_queue(const std::string& vhost,
                                          const std::string& name) override;
  model::Expected<HealthCheckResult> health_check(const std::string& name) override;
  std::string display() const override;

 private:
  model::Expected<HttpResponse> request(const std::string& what, const HttpRequest& request,
                                        const std::vector<int>& ok_statuses);

  std::vector<std::unique_ptr<HttpTransport>> endpoints_;
};

//! Reads the `reason` of a management API error body (a string, or any JSON stringified).
std::string rabbit_error_reason(std::string_view body);

}  // namespace swarmop::clients
